"""The Spark backend's tables on disk, reached without Spark: for the node (queries, uploads' bookkeeping) and the
federation receiver, which writes a table pushed by a peer straight into its partition files.

Layout under spark.storage_dir: <namespace>/<name>/meta.json and part-NNNNN files (storage.spark.partition_files);
.staging/<id>/ holds tables being written, which take their place with one rename.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from typing import Any, BinaryIO, Iterator
from urllib.parse import quote

import msgpack

from storage.errors import TableExists
from storage.meta import (META_FILE, TableMeta, check_name, check_partitions, destroy_each, metas_under, read_table_meta,
                          write_meta)
from storage.spark.partition_files import partition_path, read_partition

STAGING = ".staging"


class SparkDirectory:
    """The catalogue of Spark tables kept under one storage dir."""

    def __init__(self, storage_dir: str) -> None:
        self.storage_dir = storage_dir
        os.makedirs(os.path.join(storage_dir, STAGING), exist_ok=True)

    def table_dir(self, namespace: str, name: str) -> str:
        return os.path.join(self.storage_dir, quote(check_name("namespace", namespace), safe=""),
                            quote(check_name("name", name), safe=""))

    def exists(self, namespace: str, name: str) -> bool:
        return os.path.exists(os.path.join(self.table_dir(namespace, name), META_FILE))

    def meta(self, namespace: str, name: str) -> TableMeta:
        """The table's metadata; TableNotFound if there is none."""
        return read_table_meta(self.table_dir(namespace, name), namespace, name)

    def pairs(self, namespace: str, name: str) -> Iterator[tuple[bytes, bytes]]:
        """Every (key bytes, value bytes) of a stored table, partition after partition, read here."""
        directory = self.table_dir(namespace, name)
        for index in range(self.meta(namespace, name).partitions):
            yield from read_partition(directory, index)

    def list_tables(self, namespace: str | None = None) -> list[TableMeta]:
        namespaces = [quote(namespace, safe="")] if namespace is not None else sorted(
            entry for entry in os.listdir(self.storage_dir) if entry != STAGING)
        return metas_under(self.storage_dir, namespaces)

    def staging(self, partitions: int, schema: dict[str, Any] | None = None) -> "StagedSparkTable":
        """A table being written here, partition file by partition file; publish() makes it visible."""
        return StagedSparkTable(self, check_partitions(partitions), dict(schema or {}))

    def new_staging_dir(self) -> str:
        path = os.path.join(self.storage_dir, STAGING, uuid.uuid4().hex)
        os.makedirs(path)
        return path

    def publish(self, staged_dir: str, meta: TableMeta, replace: bool = False) -> None:
        """Give the complete table in `staged_dir` its name (one rename; `replace` drops a table of that name)."""
        target = self.table_dir(meta.namespace, meta.name)
        if not replace and os.path.exists(os.path.join(target, META_FILE)):
            raise TableExists(meta.namespace, meta.name)
        write_meta(staged_dir, TableMeta(meta.namespace, meta.name, meta.partitions, meta.schema, time.time(),
                                         meta.written_by))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.exists(target):
            self.remove_dir(target)
        os.rename(staged_dir, target)

    def destroy(self, namespace: str, name: str) -> bool:
        """Remove a stored table; False if it did not exist."""
        target = self.table_dir(namespace, name)
        if not os.path.exists(target):
            return False
        self.remove_dir(target)
        return True

    def destroy_namespace(self, namespace: str) -> int:
        return destroy_each(self.list_tables(namespace), self.destroy)

    def clear_staging(self) -> int:
        """Remove every staged table and trash (left by processes that died while writing); returns how many.

        Only for when nothing writes tables here, such as the node that owns this storage dir starting.
        """
        staging = os.path.join(self.storage_dir, STAGING)
        leftovers = os.listdir(staging)
        for entry in leftovers:
            shutil.rmtree(os.path.join(staging, entry), ignore_errors=True)
        return len(leftovers)

    def remove_dir(self, directory: str) -> None:
        trash = os.path.join(self.storage_dir, STAGING, f"trash-{uuid.uuid4().hex}")
        os.rename(directory, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def set_schema(self, namespace: str, name: str, schema: dict[str, Any]) -> TableMeta:
        meta = self.meta(namespace, name)
        meta.schema = dict(schema)
        write_meta(self.table_dir(namespace, name), meta)
        return meta


class StagedSparkTable:
    """A Spark table written here by appending each partition's pairs in key order (as a table push arrives)."""

    def __init__(self, directory: SparkDirectory, partitions: int, schema: dict[str, Any]) -> None:
        self.catalog = directory
        self.partitions = partitions
        self.schema = schema
        self.directory = directory.new_staging_dir()
        self._files: dict[int, BinaryIO] = {}
        self._packer = msgpack.Packer(use_bin_type=True)

    def append_sorted(self, index: int, pairs: list[tuple[bytes, Any]]) -> int:
        """Append encoded pairs to partition `index` (the caller checked their order); returns the pairs added."""
        out = self._files.get(index)
        if out is None:
            out = self._files[index] = open(partition_path(self.directory, index), "ab")
        for key, value in pairs:
            out.write(self._packer.pack([key, bytes(value)]))
        return len(pairs)

    def publish(self, namespace: str, name: str, replace: bool = False) -> None:
        """Close the partition files (empty partitions get empty files) and give the table its name."""
        self._close()
        for index in range(self.partitions):
            open(partition_path(self.directory, index), "ab").close()
        self.catalog.publish(self.directory, TableMeta(namespace, name, self.partitions, self.schema), replace)

    def discard(self) -> None:
        self._close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _close(self) -> None:
        for out in self._files.values():
            out.close()
        self._files.clear()

