"""Where received tables land: the node's LMDB store or its Spark directory, behind one small interface.

Both are written the same way (a staged table filled partition by partition in key order, then
published under its name in one rename), and both gather the partitions of stored tables into one
staged table: the LMDB store by copying their pairs, the Spark directory by linking their files.
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Callable, Protocol

from storage import Store, Table
from storage.meta import TableMeta
from storage.spark.directory import SparkDirectory, StagedSparkTable
from storage.spark.partition_files import partition_path

LMDB_TABLES = "lmdb"
SPARK_TABLES = "spark"

BackendOf = Callable[[str, str, str], str]
"""(job id, destination role, destination party) -> the backend its received tables land in: "lmdb" or "spark"."""

Pieces = list[tuple[str, str, range]]
"""Stored tables (namespace, name) and the partitions of a larger table that their partitions 0, 1, ... are."""


class StagedTable(Protocol):
    """A table being received: invisible until published."""

    def append_sorted(self, index: int, pairs: list[tuple[bytes, Any]]) -> int:
        """Append pairs in key order to partition `index` (the caller checked the order); returns the pairs added."""

    def publish(self, namespace: str, name: str, schema: dict[str, Any]) -> None:
        """Make the table visible as namespace.name with `schema`, replacing a table of that name."""

    def discard(self) -> None:
        """Remove the staged table; nothing of it stays."""


class Landing(Protocol):
    """A backend's tables as the receiver writes, reads and removes them."""

    def staging(self, partitions: int) -> StagedTable: ...

    def gather(self, partitions: int, pieces: Pieces) -> StagedTable:
        """A staged table of `partitions` partitions made of the pieces' partitions (the pieces stay as they are)."""

    def tables(self, namespace: str) -> list[TableMeta]: ...

    def destroy(self, namespace: str, name: str) -> bool: ...

    def destroy_namespace(self, namespace: str) -> int: ...


class _StagedInStore:
    def __init__(self, store: Store, table: Table) -> None:
        self._store = store
        self._table = table

    def append_sorted(self, index: int, pairs: list[tuple[bytes, Any]]) -> int:
        return self._table.append_sorted(index, pairs)

    def publish(self, namespace: str, name: str, schema: dict[str, Any]) -> None:
        self._table.set_schema(schema)
        self._store.publish(self._table, namespace, name, replace=True)

    def discard(self) -> None:
        self._store.discard(self._table)


class _Catalogue:
    """Listing and removing tables, which the LMDB store and the Spark directory do alike."""

    def __init__(self, catalogue: Store | SparkDirectory) -> None:
        self._catalogue = catalogue

    def tables(self, namespace: str) -> list[TableMeta]:
        return self._catalogue.list_tables(namespace)

    def destroy(self, namespace: str, name: str) -> bool:
        return self._catalogue.destroy(namespace, name)

    def destroy_namespace(self, namespace: str) -> int:
        return self._catalogue.destroy_namespace(namespace)


class StoreLanding(_Catalogue):
    """Received tables in the node's LMDB store."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.store = store

    def staging(self, partitions: int) -> StagedTable:
        return _StagedInStore(self.store, self.store.staging(partitions))

    def gather(self, partitions: int, pieces: Pieces) -> StagedTable:
        staged = self.staging(partitions)
        try:
            for namespace, name, covers in pieces:
                table = self.store.table(namespace, name)
                for index, partition in enumerate(covers):
                    for batch in table.encoded_batches(index):
                        staged.append_sorted(partition, batch)
                    table.release_partition(index)
        except BaseException:
            staged.discard()
            raise
        return staged


class _StagedInDirectory:
    def __init__(self, staged: StagedSparkTable) -> None:
        self._staged = staged

    def append_sorted(self, index: int, pairs: list[tuple[bytes, Any]]) -> int:
        return self._staged.append_sorted(index, pairs)

    def publish(self, namespace: str, name: str, schema: dict[str, Any]) -> None:
        self._staged.schema = dict(schema)
        self._staged.publish(namespace, name, replace=True)

    def discard(self) -> None:
        self._staged.discard()


class DirectoryLanding(_Catalogue):
    """Received tables in the node's Spark directory (spark.storage_dir), written without Spark."""

    def __init__(self, directory: SparkDirectory) -> None:
        super().__init__(directory)
        self.directory = directory

    def staging(self, partitions: int) -> StagedTable:
        return _StagedInDirectory(self.directory.staging(partitions))

    def gather(self, partitions: int, pieces: Pieces) -> StagedTable:
        """(Each partition file is linked, not copied: the storage dir is one file system.)"""
        staged = self.directory.staging(partitions)
        try:
            for namespace, name, covers in pieces:
                directory = self.directory.table_dir(namespace, name)
                for index, partition in enumerate(covers):
                    _link(partition_path(directory, index), partition_path(staged.directory, partition))
        except BaseException:
            staged.discard()
            raise
        return _StagedInDirectory(staged)


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)
