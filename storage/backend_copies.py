"""A table of one computing backend copied into the other on the same node, and a task's backend that finds the
tables its node keeps in the other backend.

The copies go through this process (the Spark driver), partition by partition in key order - both backends lay
a table out by storage.partitioner, so partition i of one is partition i of the other. They are meant for
modest tables (an upload made before the node computed on Spark, say); neither needs a SparkContext.
"""

from __future__ import annotations

import hashlib
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from storage.computing import ComputingBackend, ComputingTable
from storage.errors import TableNotFound
from storage.partition_io import BATCH_ROWS
from storage.spark.directory import SparkDirectory
from storage.spark.partition_files import read_partition
from storage.store import Store

CopyIn = Callable[[str, str, str, str], bool]  # (namespace, name, into namespace, into name) -> whether it existed


def _batches(pairs: Iterator[tuple[bytes, bytes]]) -> Iterator[list[tuple[bytes, bytes]]]:
    while batch := list(islice(pairs, BATCH_ROWS)):
        yield batch


def _copied(partitions: int, batches: Callable[[int], Iterable[list[tuple[bytes, bytes]]]],
            append: Callable[[int, list[tuple[bytes, bytes]]], int], publish: Callable[[], Any],
            discard: Callable[[], None]) -> bool:
    """Each partition's batches appended to a staged table, published; the staged table discarded on a failure."""
    try:
        for index in range(partitions):
            for batch in batches(index):
                append(index, batch)
        publish()
    except BaseException:
        discard()
        raise
    return True


def lmdb_into_spark(store: Store, files: SparkDirectory) -> CopyIn:
    """Copies a table of the LMDB `store` into the Spark tables under `files`."""

    def copy_in(namespace: str, name: str, into_namespace: str, into_name: str) -> bool:
        if not store.exists(namespace, name):
            return False
        table = store.table(namespace, name)
        staged = files.staging(table.partitions, table.schema)
        return _copied(table.partitions, table.encoded_batches, staged.append_sorted,
                       lambda: staged.publish(into_namespace, into_name, replace=True), staged.discard)

    return copy_in


def spark_into_lmdb(files: SparkDirectory, store: Store) -> CopyIn:
    """Copies a Spark table under `files` into the LMDB `store`."""

    def copy_in(namespace: str, name: str, into_namespace: str, into_name: str) -> bool:
        if not files.exists(namespace, name):
            return False
        meta, directory = files.meta(namespace, name), files.table_dir(namespace, name)
        staged = store.staging(meta.partitions, meta.schema)
        return _copied(meta.partitions, lambda index: _batches(read_partition(directory, index)), staged.append_sorted,
                       lambda: store.publish(staged, into_namespace, into_name, replace=True),
                       lambda: store.discard(staged))

    return copy_in


class WithOtherBackendTables:
    """A task's backend whose `table` also finds a table the node keeps in its other backend, copied (once) into the
    task's temporary namespace; everything else is the backend's."""

    def __init__(self, backend: ComputingBackend, copy_in: CopyIn) -> None:
        self._backend = backend
        self._copy_in = copy_in

    @property
    def temp_namespace(self) -> str:
        return self._backend.temp_namespace

    def parallelism(self) -> int:
        return self._backend.parallelism()

    def for_heavy_rows(self) -> ComputingBackend:
        return self._backend.for_heavy_rows()

    def create_table(self, namespace: str, name: str, partitions: int, schema: dict[str, Any] | None = None,
                     replace: bool = False) -> ComputingTable:
        return self._backend.create_table(namespace, name, partitions, schema, replace)

    def table(self, namespace: str, name: str) -> ComputingTable:
        """namespace.name of the backend, else of the other backend brought in; TableNotFound if neither has it."""
        if self._backend.exists(namespace, name):
            return self._backend.table(namespace, name)
        copy_name = "imported." + hashlib.sha256(f"{namespace}\0{name}".encode()).hexdigest()
        if self._backend.exists(self.temp_namespace, copy_name) or \
                self._copy_in(namespace, name, self.temp_namespace, copy_name):
            return self._backend.table(self.temp_namespace, copy_name)
        raise TableNotFound(namespace, name)

    def exists(self, namespace: str, name: str) -> bool:
        return self._backend.exists(namespace, name)

    def destroy(self, namespace: str, name: str) -> bool:
        return self._backend.destroy(namespace, name)

    def destroy_namespace(self, namespace: str) -> int:
        return self._backend.destroy_namespace(namespace)
