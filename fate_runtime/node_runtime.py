"""What a running node tells its task processes: its address, parties, routes, TLS and storage settings."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from typing import Any

from fate_runtime.computing import LMDB
from federation import RouteTable, TlsConfig
from storage.spark.settings import SparkSettings

FILE_NAME = "node_runtime.json"


@dataclasses.dataclass(frozen=True)
class NodeRuntime:
    data_dir: str
    grpc_address: str
    local_target: str
    party_ids: tuple[str, ...]
    standalone: bool
    routes: dict[str, str]
    tls_cert: str
    tls_key: str
    tls_ca: str
    map_size: int
    workers: int
    worker_slots: str  # the node's budget of storage worker processes (StoreConfig.worker_slots)
    components: str  # the operator's component modules the node loaded (comma-separated; Components.load)
    computing: str = LMDB  # the node's default backend (NodeConfig.computing)
    spark: dict[str, Any] = dataclasses.field(default_factory=dict)  # the node's checked spark settings, or none

    def spark_settings(self) -> SparkSettings | None:
        """The settings a task's Spark backend starts with; None if the node offers no Spark."""
        if not self.spark:
            return None
        return SparkSettings(storage_dir=self.spark["storage_dir"], master=self.spark["master"],
                             python=self.spark.get("python") or sys.executable,
                             executor_memory=self.spark.get("executor_memory"),
                             executor_cores=self.spark.get("executor_cores"), cores_max=self.spark.get("cores_max"))

    def route_table(self) -> RouteTable:
        return RouteTable(self.party_ids, self.grpc_address, self.routes, standalone=self.standalone)

    @property
    def tls(self) -> TlsConfig | None:
        return TlsConfig(self.tls_cert, self.tls_key, self.tls_ca) if self.tls_cert else None

    def save(self) -> None:
        path = os.path.join(self.data_dir, FILE_NAME)
        with open(path + ".tmp", "w") as out:
            json.dump(dataclasses.asdict(self), out, indent=2)
        os.replace(path + ".tmp", path)

    @classmethod
    def load(cls, data_dir: str) -> "NodeRuntime":
        with open(os.path.join(data_dir, FILE_NAME)) as src:
            fields = json.load(src)
        fields["party_ids"] = tuple(fields["party_ids"])
        return cls(**fields)
