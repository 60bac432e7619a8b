"""Spark tables by (namespace, name): kept under `spark.storage_dir` so that a table outlives its job."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from typing import Any
from urllib.parse import quote

from storage.errors import TableExists
from storage.meta import TableMeta, check_name, check_partitions, read_table_meta, write_meta
from storage.spark.context import spark_context
from storage.spark.settings import SparkSettings
from storage.spark.partition_files import read_partition, write_partition
from storage.spark.table import SparkTable

_STAGING = ".staging"


class SparkStore:
    """The Spark backend's catalogue: each table a directory of partition files under the storage dir."""

    def __init__(self, settings: SparkSettings) -> None:
        self.settings = settings
        self.context = spark_context(settings)
        os.makedirs(os.path.join(settings.storage_dir, _STAGING), exist_ok=True)

    def table_dir(self, namespace: str, name: str) -> str:
        return os.path.join(self.settings.storage_dir, quote(namespace, safe=""), quote(name, safe=""))

    def exists(self, namespace: str, name: str) -> bool:
        return os.path.exists(os.path.join(self.table_dir(namespace, name), "meta.json"))

    def table(self, namespace: str, name: str) -> SparkTable:
        """The stored table namespace.name; TableNotFound if there is none."""
        directory = self.table_dir(check_name("namespace", namespace), check_name("name", name))
        meta = read_table_meta(directory, namespace, name)
        rdd = self.context.parallelize(range(meta.partitions), meta.partitions).mapPartitionsWithIndex(
            lambda index, _: read_partition(directory, index))
        return SparkTable(self, meta, rdd, stored=True)

    def create_table(self, namespace: str, name: str, partitions: int, schema: dict[str, Any] | None = None,
                     replace: bool = False) -> SparkTable:
        """A new empty stored table (`replace` drops an existing one of that name)."""
        empty = self.context.parallelize([], check_partitions(partitions))
        return self.save(empty, TableMeta(namespace, name, partitions, dict(schema or {})), replace)

    def save(self, rdd: Any, meta: TableMeta, replace: bool = False) -> SparkTable:
        """Write `rdd` (laid out in meta.partitions partitions) as table meta.namespace.meta.name.

        Executors write the partition files into a staging directory, which then takes the table's
        place in one rename: readers see the old table or the new one.
        """
        check_name("namespace", meta.namespace)
        check_name("name", meta.name)
        if not replace and self.exists(meta.namespace, meta.name):
            raise TableExists(meta.namespace, meta.name)
        staged = os.path.join(self.settings.storage_dir, _STAGING, uuid.uuid4().hex)
        os.makedirs(staged)
        try:
            rdd.mapPartitionsWithIndex(lambda index, pairs: write_partition(staged, index, pairs)).collect()
            write_meta(staged, TableMeta(meta.namespace, meta.name, meta.partitions, meta.schema, time.time()))
            target = self.table_dir(meta.namespace, meta.name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(target):
                self._remove(target)
            os.rename(staged, target)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return self.table(meta.namespace, meta.name)

    def destroy(self, namespace: str, name: str) -> bool:
        """Remove a stored table; False if it did not exist."""
        target = self.table_dir(check_name("namespace", namespace), check_name("name", name))
        if not os.path.exists(target):
            return False
        self._remove(target)
        return True

    def _remove(self, directory: str) -> None:
        trash = os.path.join(self.settings.storage_dir, _STAGING, f"trash-{uuid.uuid4().hex}")
        os.rename(directory, trash)
        shutil.rmtree(trash, ignore_errors=True)
