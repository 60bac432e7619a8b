"""A node: the store, the job database and the gRPC services over them, started and stopped as one.

Two gRPC servers: the peer port (Scheduler, Federation, HostScoring, Health) that other organisations' nodes
call, and the local socket (Flow, Storage, LocalScheduler, LocalFederation, InferenceService, Health) that only
this node's own processes reach - its REST layer and its task processes. The peer port also serves
InferenceService to the guest's own clients (FATE-Serving's users call it over TCP; under TLS, with a certificate
of one of the node's parties).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from fate_runtime.components import EXTRA_COMPONENTS_ENV, Components
from fate_runtime.node.config import NodeConfig
from fate_runtime.jobs.control_auth import ControlAuth
from fate_runtime.node.data_dir_lock import DataDirLock
from fate_runtime.state.db import Database
from fate_runtime.data.download import Downloader
from fate_runtime.data.node_tables import SparkSide
from fate_runtime.data.spark_child import run_in_child
from fate_runtime.node.flow_servicer import FlowServicer
from fate_runtime.node.identifier_check import IdentifierCheck
from fate_runtime.node.job_call_check import JobCallCheck
from fate_runtime.jobs.board import BoardQueries
from fate_runtime.jobs.component_queries import ComponentQueries
from fate_runtime.jobs.model_lifecycle import ModelLifecycle
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.jobs.model_transport import ModelTransport
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.state.data_views import DataViews
from fate_runtime.state.model_versions import ModelVersions
from fate_runtime.state.models import ModelStore
from fate_runtime.state.tracking import TrackingQueries
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.job_store import JobStore
from fate_runtime.state.transfer_log import TransferLog
from fate_runtime.node_runtime import NodeRuntime
from fate_runtime.jobs.party import PartyJobs
from fate_runtime.node.received_tables import received_tables_backend
from fate_runtime.node.recovery import recover
from fate_runtime.jobs.scheduler import Scheduler
from fate_runtime.state.local_jobs import LocalJobs
from fate_runtime.node.local_socket import LocalSocket
from fate_runtime.data.paths import PathPolicy
from fate_runtime.node.scheduler_servicer import SchedulerServicer
from fate_runtime.node.serving_servicers import HostScoringServicer, InferenceServicer, OwnCallersInferenceServicer
from fate_runtime.serving.host_client import GrpcHosts
from fate_runtime.serving.node_serving import NodeServing
from fate_runtime.node.storage_servicer import StorageServicer
from fate_runtime.data.tables import Tables
from fate_runtime.tasks.events import TaskEvents
from fate_runtime.tasks.launcher import TaskLauncher
from fate_runtime.tasks.manager import TaskManager
from fate_runtime.data.upload import Uploader
from federation import FederationServicer, Receiver, server_options
from protos import (federation_pb2, federation_pb2_grpc, flow_pb2, flow_pb2_grpc, inference_service_pb2_grpc,
                    scheduler_pb2, scheduler_pb2_grpc, serving_federation_pb2_grpc, storage_pb2, storage_pb2_grpc)
from storage import Store, make_worker_budget, shutdown_workers
from storage.spark.directory import SparkDirectory

log = logging.getLogger("fate_flow.node")

INFERENCE_SERVICE = "com.webank.ai.fate.api.serving.InferenceService"
PEER_SERVICES = ("fate_runtime.scheduler.Scheduler", "fate_runtime.federation.Federation",
                 "fate_runtime.serving.HostScoring", INFERENCE_SERVICE)
LOCAL_SERVICES = ("fate_runtime.flow.Flow", "fate_runtime.storage.Storage", "fate_runtime.scheduler.LocalScheduler",
                  "fate_runtime.federation.LocalFederation", INFERENCE_SERVICE)

def _setup_logging(data_dir: str) -> None:
    """Node log in <data dir>/logs/fate_flow/fate_flow.log (rotated)."""
    directory = os.path.join(data_dir, "logs", "fate_flow")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "fate_flow.log")
    root = logging.getLogger("fate_flow")
    if any(getattr(h, "baseFilename", None) == path for h in root.handlers):
        return
    # A log line that cannot be written (a full disk) is dropped, not printed as a traceback on the console.
    logging.raiseExceptions = False
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=64 << 20, backupCount=5)
    handler.setFormatter(logging.Formatter("[%(levelname)s] [%(asctime)s] [%(name)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


class Node:
    """One running node. `start_node` builds and starts it; `stop` ends it."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self._lock = DataDirLock(config.data_dir)
        _setup_logging(config.data_dir)
        self.store = Store(os.path.join(config.data_dir, "storage"), map_size=config.map_size, workers=config.workers,
                           worker_slots=make_worker_budget(os.path.join(config.data_dir, "run", "worker_slots"),
                                                           config.workers))
        leftovers = self.store.clear_staging()
        if leftovers:
            log.info("removed %d half-built tables left by the previous run", leftovers)
        db = Database(os.path.join(config.data_dir, "fate_flow.db"))
        local_jobs = LocalJobs(db, config.data_dir)
        views = DataViews(db)
        paths = PathPolicy(config.base_dir, config.readable_dirs,
                           own=(config.data_dir, config.tls_cert, config.tls_key, config.tls_ca))
        incoming = os.path.join(config.data_dir, "incoming")
        self._component_modules = os.environ.get(EXTRA_COMPONENTS_ENV, "")
        self.components = Components.load(self._component_modules)
        self.jobs = JobStore(db, config.data_dir, self.components)
        registry = JobRegistry(db)
        spark_dir = SparkDirectory(config.spark["storage_dir"]) if config.spark else None  # Spark tables, without Spark
        if spark_dir is not None and (spark_leftovers := spark_dir.clear_staging()):
            log.info("removed %d half-written Spark tables left by the previous run", spark_leftovers)
        # a table received for a party lands where that party's tasks compute: the LMDB store or the Spark directory
        receiver = Receiver(self.store, TransferLog(db), os.path.join(config.data_dir, "federation", "objects"),
                            registry.lookup, config.local_parties, spark_dir,
                            received_tables_backend(self.jobs, config))
        versions = ModelVersions(db)
        self._versions = versions
        models = ModelParty(versions, self.jobs, config.local_parties, self.components, self.store)
        self._models = models
        events = TaskEvents()
        self._events = events
        # uploads and downloads on Spark run in child processes: no SparkContext in the node
        spark = SparkSide(spark_dir, run_in_child(config.data_dir)) if spark_dir else None
        queries, components = self._queries(db, views, receiver, versions, spark_dir)
        self._flow = FlowServicer(
            Uploader(self.store, local_jobs, paths, config.work_mode, incoming, spark, config.computing),
            Downloader(self.store, local_jobs, paths, config.work_mode, spark),
            Tables(self.store, views, spark_dir), queries, components, models,
            ModelTransport(models, versions, paths, os.path.join(config.data_dir, "models")),
            BoardQueries(self.jobs, components, events.changes))
        self._storage = StorageServicer(self.store, spark_dir)
        self.launcher = TaskLauncher()
        self.tasks = TaskManager(self.jobs, events, self.launcher, config.data_dir)
        party = PartyJobs(self.jobs, self.tasks, events, registry, self.store, receiver, config.local_parties,
                          config.work_mode, models, frozenset(config.routes), self.components, config.computing,
                          config.spark.get("storage_dir"))
        self._auth = ControlAuth(self.jobs, registry, config.local_parties)
        self._registry = registry
        self._scheduler = SchedulerServicer(registry, party, config.local_parties, self._auth, models)
        self._federation = FederationServicer(receiver)
        self._receiver = receiver
        self._peer_health, self._local_health = health.HealthServicer(), health.HealthServicer()
        # Watch streams and federation waits hold a thread each for as long as a job runs.
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=256), options=server_options(),
                                   interceptors=[IdentifierCheck(), JobCallCheck(self._auth)])
        self._local_server = grpc.server(futures.ThreadPoolExecutor(max_workers=256), options=server_options(),
                                         interceptors=[IdentifierCheck()])
        self.local_socket = LocalSocket(config.data_dir)
        self.grpc_port = 0
        self.scheduler: Scheduler | None = None
        self._lifecycle: ModelLifecycle | None = None
        self._serving_hosts: GrpcHosts | None = None

    def _queries(self, db: Database, views: DataViews, received: Receiver, versions: ModelVersions,
                 spark_dir: SparkDirectory | None) -> tuple[JobQueries, ComponentQueries]:
        tracking = TrackingQueries(db)
        jobs = JobQueries(self.jobs, tracking, views, self.store, received, versions, spark_dir)
        return jobs, ComponentQueries(jobs, tracking, ModelStore(db), self.store, spark_dir)

    def _add_services(self) -> None:
        peer, local = self._server, self._local_server
        scheduler_pb2_grpc.add_SchedulerServicer_to_server(self._scheduler, peer)
        federation_pb2_grpc.add_FederationServicer_to_server(self._federation, peer)
        flow_pb2_grpc.add_FlowServicer_to_server(self._flow, local)
        storage_pb2_grpc.add_StorageServicer_to_server(self._storage, local)
        scheduler_pb2_grpc.add_LocalSchedulerServicer_to_server(self._scheduler, local)
        federation_pb2_grpc.add_LocalFederationServicer_to_server(self._federation, local)
        health_pb2_grpc.add_HealthServicer_to_server(self._peer_health, peer)
        health_pb2_grpc.add_HealthServicer_to_server(self._local_health, local)

    def _bind_local(self) -> None:
        try:
            bound = self._local_server.add_insecure_port(self.local_socket.target)
        except RuntimeError:
            bound = 0
        if bound == 0:
            raise OSError(f"cannot listen on the local socket {self.local_socket.path}")

    def start(self) -> None:
        self._add_services()
        self._bind_local()
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
        self._add_serving(runtime)
        self.scheduler = Scheduler(runtime, self.jobs, self._auth, self._registry.token, self.components,
                                   self._models, self.config.max_jobs)
        self._lifecycle = ModelLifecycle(runtime, self.config.work_mode)
        self._flow.attach_scheduler(self.scheduler, self._lifecycle)
        self._server.start()
        self._local_server.start()
        recover(self.jobs, self.scheduler, self._receiver.forget_job)
        self.store.start_workers()
        self.launcher.start()
        for checker, services in ((self._peer_health, PEER_SERVICES), (self._local_health, LOCAL_SERVICES)):
            for service in ("", *services):
                checker.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info("node serving gRPC on %s:%d and %s (%s, parties %s), data in %s", self.config.host,
                 self.grpc_port, self.local_socket.target,
                 "standalone" if self.config.local_parties is None else "cluster",
                 ",".join(self.config.party_ids) or "all", self.config.data_dir)

    def _add_serving(self, runtime: NodeRuntime) -> None:
        """Online serving, once the peer port's address is known: the guest reaches its hosts over the route table
        (its own host parties too, at its own peer port)."""
        routes = runtime.route_table()
        self._serving_hosts = GrpcHosts(routes, runtime.tls)
        serving = NodeServing(self._versions, self.store, self._serving_hosts, routes.is_local)
        serving_federation_pb2_grpc.add_HostScoringServicer_to_server(HostScoringServicer(serving.host), self._server)
        inference_service_pb2_grpc.add_InferenceServiceServicer_to_server(
            OwnCallersInferenceServicer(serving.guest, routes.is_local), self._server)
        inference_service_pb2_grpc.add_InferenceServiceServicer_to_server(InferenceServicer(serving.guest),
                                                                          self._local_server)

    def _runtime(self) -> NodeRuntime:
        config = self.config
        host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
        return NodeRuntime(config.data_dir, f"{host}:{self.grpc_port}", self.local_socket.target, config.party_ids,
                           config.local_parties is None, config.route_map, config.tls_cert, config.tls_key,
                           config.tls_ca, config.map_size, config.workers, self.store.config.worker_slots,
                           self._component_modules, config.computing, config.spark)

    @property
    def grpc_address(self) -> str:
        return f"{self.config.host}:{self.grpc_port}"

    @property
    def local_target(self) -> str:
        """The gRPC target of the node's local socket (its own services)."""
        return self.local_socket.target

    def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls, let running ones finish (up to `grace` seconds), stop the workers."""
        self._peer_health.enter_graceful_shutdown()
        self._local_health.enter_graceful_shutdown()
        self._events.changes.close()  # the board's watch streams end now, not after the grace period
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self._lifecycle is not None:
            self._lifecycle.close()
        self.tasks.stop_all()
        self.launcher.close()
        self._server.stop(grace).wait()
        self._local_server.stop(grace).wait()
        if self._serving_hosts is not None:
            self._serving_hosts.close()
        shutdown_workers()
        self.local_socket.remove()
        log.info("node stopped")
        self._lock.release()


def start_node(settings: NodeConfig | dict[str, Any]) -> Node:
    """Build a node from its settings and start its gRPC services."""
    config = settings if isinstance(settings, NodeConfig) else NodeConfig.from_settings(settings)
    node = Node(config)
    try:
        node.start()
    except BaseException:
        node.stop(0)
        raise
    return node
