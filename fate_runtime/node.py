"""A node: the store, the job database and the gRPC services over them, started and stopped as one."""

from __future__ import annotations

import logging
import logging.handlers
import os
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from fate_runtime.config import NodeConfig
from fate_runtime.control_auth import ControlAuth
from fate_runtime.db import Database
from fate_runtime.download import Downloader
from fate_runtime.flow_servicer import FlowServicer
from fate_runtime.job_queries import JobQueries
from fate_runtime.job_registry import JobRegistry
from fate_runtime.jobs import JobStore
from fate_runtime.node_runtime import NodeRuntime
from fate_runtime.party import PartyJobs
from fate_runtime.recovery import recover
from fate_runtime.scheduler import Scheduler
from fate_runtime.local_jobs import LocalJobs
from fate_runtime.local_only import LocalOnly
from fate_runtime.paths import PathPolicy
from fate_runtime.scheduler_servicer import SchedulerServicer
from fate_runtime.storage_servicer import StorageServicer
from fate_runtime.tables import Tables
from fate_runtime.task_events import TaskEvents
from fate_runtime.task_launcher import TaskLauncher
from fate_runtime.task_manager import TaskManager
from fate_runtime.upload import Uploader
from federation import MAX_MESSAGE, FederationServicer, Receiver, TransferLog
from protos import (federation_pb2, federation_pb2_grpc, flow_pb2, flow_pb2_grpc, scheduler_pb2, scheduler_pb2_grpc,
                    storage_pb2, storage_pb2_grpc)
from storage import Store, shutdown_workers

log = logging.getLogger("fate_flow.node")

GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE),
    ("grpc.max_send_message_length", MAX_MESSAGE),
]


def _setup_logging(data_dir: str) -> None:
    """Node log in <data dir>/logs/fate_flow/fate_flow.log (rotated)."""
    directory = os.path.join(data_dir, "logs", "fate_flow")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "fate_flow.log")
    root = logging.getLogger("fate_flow")
    if any(getattr(h, "baseFilename", None) == path for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=64 << 20, backupCount=5)
    handler.setFormatter(logging.Formatter("[%(levelname)s] [%(asctime)s] [%(name)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


class Node:
    """One running node. `start_node` builds and starts it; `stop` ends it."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        _setup_logging(config.data_dir)
        self.store = Store(os.path.join(config.data_dir, "storage"), map_size=config.map_size,
                           workers=config.workers)
        leftovers = self.store.clear_staging()
        if leftovers:
            log.info("removed %d half-built tables left by the previous run", leftovers)
        db = Database(os.path.join(config.data_dir, "fate_flow.db"))
        local_jobs = LocalJobs(db, config.data_dir)
        paths = PathPolicy(config.base_dir, config.readable_dirs)
        incoming = os.path.join(config.data_dir, "incoming")
        self.jobs = JobStore(db, config.data_dir)
        self._flow = FlowServicer(
            Uploader(self.store, local_jobs, paths, config.work_mode, incoming),
            Downloader(self.store, local_jobs, paths, config.work_mode),
            Tables(self.store, db), JobQueries(self.jobs, db, self.store))
        self._storage = StorageServicer(self.store)
        registry = JobRegistry(db)
        events = TaskEvents()
        self.launcher = TaskLauncher()
        self.tasks = TaskManager(self.jobs, events, self.launcher, config.data_dir)
        party = PartyJobs(self.jobs, self.tasks, events, registry, self.store, config.local_parties, config.work_mode)
        self._scheduler = SchedulerServicer(registry, party, config.local_parties,
                                            ControlAuth(self.jobs, config.local_parties))
        receiver = Receiver(self.store, TransferLog(os.path.join(config.data_dir, "federation", "transfers.db")),
                            os.path.join(config.data_dir, "federation", "objects"), registry.lookup,
                            config.local_parties)
        self._federation = FederationServicer(receiver, config.local_parties)
        self._health = health.HealthServicer()
        # Watch streams and federation waits hold a thread each for as long as a job runs.
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=256), options=GRPC_OPTIONS)
        self.grpc_port = 0
        self.scheduler: Scheduler | None = None

    def start(self) -> None:
        local = self.config.local_parties
        flow_pb2_grpc.add_FlowServicer_to_server(LocalOnly(self._flow, local), self._server)
        storage_pb2_grpc.add_StorageServicer_to_server(LocalOnly(self._storage, local), self._server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        scheduler_pb2_grpc.add_SchedulerServicer_to_server(self._scheduler, self._server)
        scheduler_pb2_grpc.add_LocalSchedulerServicer_to_server(self._scheduler, self._server)
        federation_pb2_grpc.add_FederationServicer_to_server(self._federation, self._server)
        federation_pb2_grpc.add_LocalFederationServicer_to_server(self._federation, self._server)
        address = f"{self.config.host}:{self.config.grpc_port}"
        tls = self.config.tls
        try:
            if tls is None:
                self.grpc_port = self._server.add_insecure_port(address)
            else:
                self.grpc_port = self._server.add_secure_port(address, tls.server_credentials())
        except RuntimeError:  # grpcio >= 1.60 raises where older versions returned 0
            self.grpc_port = 0
        if self.grpc_port == 0:
            raise OSError(f"cannot listen on {address} (gRPC): the address is in use or not available")
        runtime = self._runtime()
        runtime.save()
        self.scheduler = Scheduler(runtime, self.jobs, self.config.max_jobs)
        self._flow.attach_scheduler(self.scheduler)
        self._server.start()
        recover(self.jobs, self.scheduler)
        self.store.start_workers()
        self.launcher.start()
        services = [flow_pb2.DESCRIPTOR.services_by_name["Flow"], storage_pb2.DESCRIPTOR.services_by_name["Storage"],
                    scheduler_pb2.DESCRIPTOR.services_by_name["Scheduler"],
                    federation_pb2.DESCRIPTOR.services_by_name["Federation"]]
        for service in ("", *(s.full_name for s in services)):
            self._health.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info("node serving gRPC on %s:%d (%s, parties %s), data in %s", self.config.host, self.grpc_port,
                 "standalone" if self.config.local_parties is None else "cluster",
                 ",".join(self.config.party_ids) or "all", self.config.data_dir)

    def _runtime(self) -> NodeRuntime:
        config = self.config
        host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
        return NodeRuntime(config.data_dir, f"{host}:{self.grpc_port}", config.party_ids,
                           config.local_parties is None, dict(config.routes), config.tls_cert, config.tls_key,
                           config.tls_ca, config.map_size, config.workers)

    @property
    def grpc_address(self) -> str:
        return f"{self.config.host}:{self.grpc_port}"

    def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls, let running ones finish (up to `grace` seconds), stop the workers."""
        self._health.enter_graceful_shutdown()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        self.tasks.stop_all()
        self.launcher.close()
        self._server.stop(grace).wait()
        shutdown_workers()
        log.info("node stopped")


def start_node(settings: NodeConfig | dict[str, Any]) -> Node:
    """Build a node from its settings and start its gRPC services."""
    config = settings if isinstance(settings, NodeConfig) else NodeConfig.from_settings(settings)
    node = Node(config)
    node.start()
    return node
