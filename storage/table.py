"""A handle on one partitioned table and the operations on it.

Whole-table operations run partition by partition in worker processes and write their
results into new tables; nothing is gathered into memory unless the caller asks for it
(`collect`, `take`, `reduce`'s result).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence, cast

import cloudpickle

from storage import operations
from storage.codec import decode, decode_pairs, encode, encode_many, encode_pairs
from storage.lmdb_env import MAX_KEY_BYTES, PartitionEnv, PartitionMissing, environments
from storage.partition_io import BATCH_ROWS, ScatterWriter, scan, scan_batches
from storage.partitioner import partition_of
from storage.errors import TableExists, TableNotFound
from storage.meta import MetaBacked, TableMeta, check_name, check_partitions, write_meta

if TYPE_CHECKING:
    from storage.store import Store


class PortableFunction:
    """A user function that can reach worker processes even if it is a lambda or closure.

    It travels with cloudpickle, and only between this node's own processes: nothing
    from another party is ever unpickled.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_load_function, (cloudpickle.dumps(self.fn),))


def _load_function(data: bytes) -> PortableFunction:
    return PortableFunction(cloudpickle.loads(data))


class Table(MetaBacked):
    """namespace.name with N partitions, each an LMDB environment."""

    def __init__(self, store: "Store", directory: str, meta: TableMeta) -> None:
        self.store = store
        self.directory = directory
        self.meta = meta

    def set_schema(self, schema: dict[str, Any]) -> None:
        self.meta = dataclasses.replace(self.meta, schema=dict(schema))
        write_meta(self.directory, self.meta)

    def partition_env(self, index: int) -> PartitionEnv:
        path = os.path.join(self.directory, str(index))
        try:
            return environments.get(path, False, self.store.config.map_size)
        except PartitionMissing:
            raise TableNotFound(self.namespace, self.name) from None

    # ---- single keys ------------------------------------------------------------

    def put(self, key: Any, value: Any) -> None:
        key_bytes = encode(key)
        self.partition_env(partition_of(key_bytes, self.partitions)).write([(key_bytes, encode(value))])

    def get(self, key: Any) -> Any:
        """The value stored under `key`, or None."""
        key_bytes = encode(key)
        if len(key_bytes) > MAX_KEY_BYTES:
            return None
        with self.partition_env(partition_of(key_bytes, self.partitions)).reading() as txn:
            found = txn.get(key_bytes)
        return None if found is None else decode(cast(bytes, found))  # read with buffers=False

    def delete(self, key: Any) -> bool:
        """Remove `key`; False if it was absent."""
        key_bytes = encode(key)
        if len(key_bytes) > MAX_KEY_BYTES:
            return False
        return self.partition_env(partition_of(key_bytes, self.partitions)).delete(key_bytes)

    # ---- bulk in and out --------------------------------------------------------

    def put_all(self, pairs: Iterable[tuple[Any, Any]], batch_rows: int = BATCH_ROWS, sync: bool = True) -> int:
        """Stream (key, value) pairs in; one transaction per partition per batch. Returns pairs written.

        `sync=False` leaves flushing to disk to a later `sync()` (for many writers of one table).
        """
        writer = ScatterWriter(self, batch_rows)
        source = iter(pairs)
        while batch := encode_pairs(islice(source, batch_rows)):
            writer.add_many(batch)
        return self._finish(writer, sync)

    def put_all_atomic(self, pairs: Iterable[tuple[Any, Any]]) -> int:
        """put_all, except that nothing is written if the stream fails part way (it is staged first)."""
        staged = self.store.staging(self.partitions, self.schema)
        try:
            written = staged.put_all(pairs, sync=False)
            staged.copy_into(self)
        finally:
            self.store.discard(staged)
        self.sync()
        return written

    def put_batch(self, keys: Sequence[Any], values: Sequence[Any], sync: bool = True) -> int:
        """Put keys[i] -> values[i] for every i (the fastest way in for rows already in two lists)."""
        if len(keys) != len(values):
            raise ValueError("put_batch needs as many values as keys")
        writer = ScatterWriter(self, max(len(keys), 1))
        writer.add_many(zip(encode_many(keys), encode_many(values)))
        return self._finish(writer, sync)

    def _finish(self, writer: ScatterWriter, sync: bool) -> int:
        written = writer.flush()
        if sync:
            self.sync()
        return written

    def append_sorted(self, index: int, pairs: list[tuple[bytes, bytes]]) -> int:
        """Append encoded pairs to partition `index`; their keys must be increasing and greater than
        the partition's (pairs that are not are skipped). Returns the pairs added."""
        return self.partition_env(index).write(pairs, append=True)

    def sync(self) -> None:
        """Flush written data to disk."""
        for index in range(self.partitions):
            self.partition_env(index).sync()

    def count(self) -> int:
        return sum(self.partition_env(index).entries() for index in range(self.partitions))

    def partition_counts(self) -> list[int]:
        return [self.partition_env(index).entries() for index in range(self.partitions)]

    def collect(self) -> Iterator[tuple[Any, Any]]:
        """Every (key, value), partition after partition, streamed."""
        batches = (batch for index in range(self.partitions) for batch in scan_batches(self, index))
        return chain.from_iterable(map(decode_pairs, batches))

    def encoded_batches(self, index: int) -> Iterator[list[tuple[bytes, bytes]]]:
        """Partition `index` as lists of (key, value) codec bytes, in key order."""
        return scan_batches(self, index)

    def release_partition(self, index: int) -> None:
        """Unmap partition `index` if no one uses it now (its pages leave this process's memory)."""
        self.partition_env(index).close_if_idle()

    def collect_encoded(self) -> Iterator[tuple[bytes, bytes]]:
        """Every (key, value) as the codec's bytes, partition after partition, streamed."""
        for index in range(self.partitions):
            yield from scan(self, index)

    def take(self, n: int) -> list[tuple[Any, Any]]:
        return list(islice(self.collect(), n))

    def first(self) -> tuple[Any, Any] | None:
        pairs = self.take(1)
        return pairs[0] if pairs else None

    def with_heavy_rows(self) -> "Table":
        """This table, its operations run in the storage workers however few its rows (for rows that each carry much
        work: blocks of rows, batches of ciphertexts)."""
        return self.store.for_heavy_rows().table(self.namespace, self.name)

    def destroy(self) -> None:
        self.store.destroy(self.namespace, self.name)

    # ---- whole-table operations -------------------------------------------------

    def _run(self, fn: Callable[..., Any], calls: list[tuple[Any, ...]], rows: int) -> list[Any]:
        return self.store.parallel(fn, calls, inline=rows < self.store.config.inline_rows)

    def _produce(self, partitions: int, namespace: str | None, name: str | None,
                 fill: Callable[["Table"], Any]) -> "Table":
        """A new table filled by `fill`; it becomes visible only if `fill` succeeds.

        Without a name the result goes to the temporary namespace under a generated name.
        """
        target_namespace = namespace or self.namespace if name is not None else self.store.config.temp_namespace
        target_name = name if name is not None else uuid.uuid4().hex
        check_name("namespace", target_namespace)
        check_name("name", target_name)
        if self.store.exists(target_namespace, target_name):
            raise TableExists(target_namespace, target_name)
        staged = self.store.staging(partitions, self.schema)
        try:
            fill(staged)
        except BaseException:
            self.store.discard(staged)
            raise
        return self.store.publish(staged, target_namespace, target_name)

    def _per_partition(self, task: Callable[..., Any], *extra: Any, namespace: str | None = None,
                       name: str | None = None) -> "Table":
        def fill(result: "Table") -> None:
            self._run(task, [(self, result, index, *extra) for index in range(self.partitions)], self.count())

        return self._produce(self.partitions, namespace, name, fill)

    def copy_into(self, target: "Table") -> "Table":
        """Write every pair of this table into `target` (pairs already there with the same key are replaced)."""
        ordered = target.partitions == self.partitions and target.count() == 0
        task = operations.copy_partition if ordered else operations.scatter_partition
        self._run(task, [(self, target, index) for index in range(self.partitions)], self.count())
        return target

    def save_as(self, name: str, namespace: str | None = None, partitions: int | None = None) -> "Table":
        """A copy under a new name, re-partitioned if `partitions` differs."""
        count = self.partitions if partitions is None else check_partitions(partitions)
        return self._produce(count, namespace, name, self.copy_into)

    def map_values(self, fn: Callable[[Any], Any], **names: str) -> "Table":
        return self._per_partition(operations.map_values_partition, PortableFunction(fn), **names)

    def map(self, fn: Callable[[Any, Any], tuple[Any, Any]], **names: str) -> "Table":
        """fn(key, value) -> (new key, new value); results are re-partitioned by new key."""
        return self._per_partition(operations.map_partition, PortableFunction(fn), **names)

    def flat_map(self, fn: Callable[[Any, Any], Iterable[tuple[Any, Any]]], **names: str) -> "Table":
        return self._per_partition(operations.flat_map_partition, PortableFunction(fn), **names)

    def map_partitions(self, fn: Callable[[Iterator[tuple[Any, Any]]], Any], **names: str) -> "Table":
        """fn(pairs of one partition) -> value, stored under that partition's last key."""
        return self._per_partition(operations.map_partitions_partition, PortableFunction(fn), **names)

    def filter(self, fn: Callable[[Any, Any], bool], **names: str) -> "Table":
        return self._per_partition(operations.filter_partition, PortableFunction(fn), **names)

    def glom(self, **names: str) -> "Table":
        """One row per non-empty partition: its last key -> the list of its (key, value) pairs."""
        return self._per_partition(operations.glom_partition, **names)

    def sample(self, fraction: float, seed: Any = None, **names: str) -> "Table":
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("sample fraction must be between 0 and 1")
        return self._per_partition(operations.sample_partition, fraction, seed, **names)

    def reduce(self, fn: Callable[[Any, Any], Any]) -> Any:
        """fn folded over all values (partitions in parallel, then their results); None if empty."""
        portable = PortableFunction(fn)
        partials = self._run(operations.reduce_partition,
                             [(self, index, portable) for index in range(self.partitions)], self.count())
        return operations.fold(fn, (value for present, value in partials if present))[1]

    def _aligned(self, other: "Table") -> tuple["Table", bool]:
        """`other`, re-partitioned like this table if it is not already."""
        if other.partitions == self.partitions:
            return other, False
        return other._produce(self.partitions, None, None, other.copy_into), True

    def _binary(self, task: Callable[..., Any], other: "Table", *extra: Any,
                namespace: str | None = None, name: str | None = None) -> "Table":
        right, temporary = self._aligned(other)
        try:
            def fill(result: "Table") -> None:
                calls = [(self, right, result, index, *extra) for index in range(self.partitions)]
                self._run(task, calls, self.count() + right.count())

            return self._produce(self.partitions, namespace, name, fill)
        finally:
            if temporary:
                right.destroy()

    def join(self, other: "Table", fn: Callable[[Any, Any], Any], **names: str) -> "Table":
        """Keys in both tables -> fn(this value, other value)."""
        return self._binary(operations.join_partition, other, PortableFunction(fn), **names)

    def union(self, other: "Table", fn: Callable[[Any, Any], Any] | None = None, **names: str) -> "Table":
        """Keys in either table; where in both, fn(this value, other value) (default: this value)."""
        return self._binary(operations.union_partition, other,
                            None if fn is None else PortableFunction(fn), **names)

    def subtract_by_key(self, other: "Table", **names: str) -> "Table":
        """Pairs of this table whose key is not in `other`."""
        return self._binary(operations.subtract_partition, other, **names)
