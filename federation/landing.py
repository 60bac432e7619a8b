"""Where received tables land: the node's LMDB store or its Spark directory, behind one small interface.

Both are written the same way (a staged table filled partition by partition in key order, then
published under its name in one rename) and read back partition by partition as codec bytes.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Callable, Iterator, Protocol

from storage import Store, Table
from storage.meta import TableMeta
from storage.spark.directory import SparkDirectory, StagedSparkTable
from storage.spark.partition_files import read_partition

LMDB_TABLES = "lmdb"
SPARK_TABLES = "spark"
_READ_BATCH = 4096  # pairs per batch read back from a Spark table's partition file

BackendOf = Callable[[str, str, str], str]
"""(job id, destination role, destination party) -> the backend its received tables land in: "lmdb" or "spark"."""


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

    def batches(self, namespace: str, name: str, index: int) -> Iterator[list[tuple[bytes, bytes]]]:
        """Partition `index` of a stored table as lists of (key, value) codec bytes, in key order."""

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

    def batches(self, namespace: str, name: str, index: int) -> Iterator[list[tuple[bytes, bytes]]]:
        table = self.store.table(namespace, name)
        try:
            yield from table.encoded_batches(index)
        finally:
            table.release_partition(index)


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

    def batches(self, namespace: str, name: str, index: int) -> Iterator[list[tuple[bytes, bytes]]]:
        pairs = read_partition(self.directory.table_dir(namespace, name), index)
        while batch := list(islice(pairs, _READ_BATCH)):
            yield batch
