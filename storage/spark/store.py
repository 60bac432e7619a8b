"""Spark tables by (namespace, name): kept under `spark.storage_dir` so that a table outlives its job."""

from __future__ import annotations

import os
import shutil
from typing import Any, Iterable

from storage.errors import TableExists
from storage.meta import TEMP_NAMESPACE, TableMeta, check_partitions
from storage.spark.context import spark_context
from storage.spark.directory import SparkDirectory
from storage.partitioner import partition_of
from storage.spark.partition_files import partition_path, read_partition, write_partition
from storage.spark.settings import SparkSettings
from storage.spark.table import SparkTable


class SparkStore:
    """The Spark backend: each table a directory of partition files under the storage dir, computed on Spark."""

    def __init__(self, settings: SparkSettings, temp_namespace: str = TEMP_NAMESPACE) -> None:
        self.settings = settings
        self.context = spark_context(settings)
        self.files = SparkDirectory(settings.storage_dir)
        self._temp_namespace = temp_namespace

    @property
    def temp_namespace(self) -> str:
        return self._temp_namespace

    def parallelism(self) -> int:
        """Spark's default parallelism: the cores of the executors (local[N]: N)."""
        return int(self.context.defaultParallelism)

    def for_heavy_rows(self) -> "SparkStore":
        """This store: Spark spreads every table's partitions over its executors, however few rows they hold."""
        return self

    def table_dir(self, namespace: str, name: str) -> str:
        return self.files.table_dir(namespace, name)

    def exists(self, namespace: str, name: str) -> bool:
        return self.files.exists(namespace, name)

    def table(self, namespace: str, name: str) -> SparkTable:
        """The stored table namespace.name; TableNotFound if there is none."""
        meta = self.files.meta(namespace, name)
        directory = self.files.table_dir(namespace, name)
        rdd = self.context.parallelize(range(meta.partitions), meta.partitions).mapPartitionsWithIndex(
            lambda index, _: read_partition(directory, index))
        return SparkTable(self, meta, rdd, stored=True)

    def create_table(self, namespace: str, name: str, partitions: int, schema: dict[str, Any] | None = None,
                     replace: bool = False) -> SparkTable:
        """A new empty stored table (`replace` drops an existing one of that name), written here without a job."""
        if not replace and self.exists(namespace, name):
            raise TableExists(namespace, name)
        return self.written(TableMeta(namespace, name, check_partitions(partitions), dict(schema or {})), [])

    def written(self, meta: TableMeta, rows: Iterable[tuple[bytes, bytes]]) -> SparkTable:
        """Table meta.namespace.meta.name made of encoded rows this process holds (a later row of a key replacing an
        earlier one), laid out and written here: for rows the driver has anyway, a Spark job would cost more."""
        partitions: dict[int, dict[bytes, bytes]] = {}
        for key, value in rows:
            partitions.setdefault(partition_of(key, meta.partitions), {})[key] = value
        staged = self.files.staging(meta.partitions, meta.schema)
        try:
            for index, pairs in partitions.items():
                staged.append_sorted(index, sorted(pairs.items()))
            staged.publish(meta.namespace, meta.name, replace=True)
        except BaseException:
            staged.discard()
            raise
        return self.table(meta.namespace, meta.name)

    def holds_rows(self, meta: TableMeta) -> bool:
        """Whether the stored table has a row (one of its partition files is not empty)."""
        directory = self.files.table_dir(meta.namespace, meta.name)
        return any(os.path.getsize(partition_path(directory, index)) for index in range(meta.partitions))

    def save(self, rdd: Any, meta: TableMeta, replace: bool = False) -> SparkTable:
        """Write `rdd` (laid out in meta.partitions partitions) as table meta.namespace.meta.name.

        Executors write the partition files into a staging directory, which then takes the table's
        place in one rename: readers see the old table or the new one.
        """
        if not replace and self.exists(meta.namespace, meta.name):
            raise TableExists(meta.namespace, meta.name)
        staged = self.files.new_staging_dir()
        try:
            rdd.mapPartitionsWithIndex(lambda index, pairs: write_partition(staged, index, pairs)).collect()
            self.files.publish(staged, meta, replace=True)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return self.table(meta.namespace, meta.name)

    def destroy(self, namespace: str, name: str) -> bool:
        """Remove a stored table; False if it did not exist."""
        return self.files.destroy(namespace, name)

    def destroy_namespace(self, namespace: str) -> int:
        """Remove every stored table of a namespace; returns how many there were."""
        return self.files.destroy_namespace(namespace)
