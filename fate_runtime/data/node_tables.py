"""The node's tables on both computing backends, found by name without Spark: the LMDB store first, then the
Spark backend's directory (spark.storage_dir), whose partition files the node reads itself."""

from __future__ import annotations

import dataclasses
from itertools import chain
from typing import Any, Callable, Iterator, Union

from fate_runtime.computing import LMDB, SPARK
from storage import Store, Table, TableMeta, TableNotFound, decode
from storage.meta import MetaBacked
from storage.spark.directory import SparkDirectory
from storage.spark.partition_files import read_partition

# (kind of Spark job, its request, the log its driver writes to) -> its result; runs the job in a process of its own
SparkRun = Callable[[str, dict[str, Any], str], dict[str, Any]]


class SparkTableFiles(MetaBacked):
    """A stored Spark table read from its partition files in this process, partition after partition."""

    def __init__(self, directory: SparkDirectory, meta: TableMeta) -> None:
        self.meta = meta
        self._directory = directory.table_dir(meta.namespace, meta.name)

    def collect_encoded(self) -> Iterator[tuple[bytes, bytes]]:
        return chain.from_iterable(read_partition(self._directory, index) for index in range(self.partitions))

    def collect(self) -> Iterator[tuple[Any, Any]]:
        return ((decode(key), decode(value)) for key, value in self.collect_encoded())

    def count(self) -> int:
        return sum(1 for _ in self.collect_encoded())


StoredTable = Union[Table, SparkTableFiles]  # what the node's queries read of a stored table on either backend


@dataclasses.dataclass(frozen=True)
class SparkSide:
    """What a node with spark settings needs for uploads and downloads on Spark: its tables' directory and a way to
    run a Spark job (in a child process: the SparkContext, one per process and heavy, never starts in the node)."""

    directory: SparkDirectory
    run: SparkRun


class NodeTables:
    """Tables by name on the node's backends: the LMDB store, then (when the node has spark settings) Spark's."""

    def __init__(self, store: Store, spark: SparkDirectory | None = None) -> None:
        self.store = store
        self.spark = spark

    def backend_of(self, namespace: str, name: str) -> str | None:
        """"lmdb" or "spark": where namespace.name is stored (the LMDB store first); None if nowhere."""
        if self.store.exists(namespace, name):
            return LMDB
        if self.spark is not None and self.spark.exists(namespace, name):
            return SPARK
        return None

    def exists(self, namespace: str, name: str) -> bool:
        return self.backend_of(namespace, name) is not None

    def table(self, namespace: str, name: str) -> StoredTable:
        """The stored table namespace.name on either backend; TableNotFound if there is none."""
        if self.backend_of(namespace, name) == SPARK:
            assert self.spark is not None
            return SparkTableFiles(self.spark, self.spark.meta(namespace, name))
        return self.store.table(namespace, name)

    def table_on(self, backend: str, namespace: str, name: str) -> StoredTable | None:
        """The table of that name on `backend`, or None."""
        if self.backend_of(namespace, name) != backend:
            return None
        try:
            return self.table(namespace, name)
        except TableNotFound:  # deleted meanwhile
            return None

    def destroy(self, namespace: str, name: str) -> bool:
        """Remove the table of that name from every backend; False if there was none."""
        on_spark = self.spark is not None and self.spark.destroy(namespace, name)
        return self.store.destroy(namespace, name) or on_spark

    def list_tables(self, namespace: str) -> list[TableMeta]:
        return self.store.list_tables(namespace) + (self.spark.list_tables(namespace) if self.spark else [])

    def destroy_namespace(self, namespace: str) -> None:
        self.store.destroy_namespace(namespace)
        if self.spark is not None:
            self.spark.destroy_namespace(namespace)
