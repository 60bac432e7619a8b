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
from fate_runtime.db import Database
from fate_runtime.download import Downloader
from fate_runtime.flow_servicer import FlowServicer
from fate_runtime.local_jobs import LocalJobs
from fate_runtime.paths import PathPolicy
from fate_runtime.storage_servicer import StorageServicer
from fate_runtime.tables import Tables
from fate_runtime.upload import Uploader
from protos import flow_pb2, flow_pb2_grpc, storage_pb2, storage_pb2_grpc
from storage import Store, shutdown_workers

log = logging.getLogger("fate_flow.node")

GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", 16 << 20),
    ("grpc.max_send_message_length", 16 << 20),
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
        db = Database(os.path.join(config.data_dir, "fate_flow.db"))
        jobs = LocalJobs(db, config.data_dir)
        paths = PathPolicy(config.base_dir, config.readable_dirs)
        incoming = os.path.join(config.data_dir, "incoming")
        self._flow = FlowServicer(
            Uploader(self.store, jobs, paths, config.work_mode, incoming),
            Downloader(self.store, jobs, paths, config.work_mode),
            Tables(self.store, db))
        self._storage = StorageServicer(self.store)
        self._health = health.HealthServicer()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=GRPC_OPTIONS)
        self.grpc_port = 0

    def start(self) -> None:
        flow_pb2_grpc.add_FlowServicer_to_server(self._flow, self._server)
        storage_pb2_grpc.add_StorageServicer_to_server(self._storage, self._server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        address = f"{self.config.host}:{self.config.grpc_port}"
        try:
            self.grpc_port = self._server.add_insecure_port(address)
        except RuntimeError:  # grpcio >= 1.60 raises where older versions returned 0
            self.grpc_port = 0
        if self.grpc_port == 0:
            raise OSError(f"cannot listen on {address} (gRPC): the address is in use or not available")
        self._server.start()
        self.store.start_workers()
        for service in ("", flow_pb2.DESCRIPTOR.services_by_name["Flow"].full_name,
                        storage_pb2.DESCRIPTOR.services_by_name["Storage"].full_name):
            self._health.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info("node serving gRPC on %s:%d, data in %s", self.config.host, self.grpc_port, self.config.data_dir)

    @property
    def grpc_address(self) -> str:
        return f"{self.config.host}:{self.grpc_port}"

    def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls, let running ones finish (up to `grace` seconds), stop the workers."""
        self._health.enter_graceful_shutdown()
        self._server.stop(grace).wait()
        shutdown_workers()
        log.info("node stopped")


def start_node(settings: NodeConfig | dict[str, Any]) -> Node:
    """Build a node from its settings and start its gRPC services."""
    config = settings if isinstance(settings, NodeConfig) else NodeConfig.from_settings(settings)
    node = Node(config)
    node.start()
    return node
