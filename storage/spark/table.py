"""A table on Spark: an RDD of (key bytes, value bytes) laid out as storage.partitioner lays out LMDB tables.

Partition i holds the keys whose encoded bytes' CRC-32 is i modulo the partition count, in key-byte
order, exactly as an LMDB table does; rows cross the JVM as the codec's bytes. User functions reach the
executors with cloudpickle (code of this node, never data from another party).
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from itertools import groupby
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator
from zlib import crc32

from pyspark import StorageLevel

from storage.codec import decode, encode
from storage.meta import MetaBacked, TableMeta, check_partitions
from storage.operations import fold
from storage.partitioner import partition_of
from storage.spark.shipping import with_data_classes as shipped

if TYPE_CHECKING:
    from storage.spark.store import SparkStore

_LEFT, _RIGHT = 0, 1


def laid_out(rdd: Any, partitions: int) -> Any:
    """`rdd`'s pairs in `partitions` partitions by storage.partitioner, each in key-byte order, one pair per key."""
    return rdd.repartitionAndSortWithinPartitions(partitions, crc32).mapPartitions(_last_per_key, True)


def _last_per_key(pairs: Iterator[tuple[bytes, Any]]) -> Iterator[tuple[bytes, Any]]:
    for key, same_key in groupby(pairs, key=lambda pair: pair[0]):
        *_, last = same_key
        yield key, last[1]


def _decoded(pairs: Iterable[tuple[bytes, bytes]]) -> Iterator[tuple[Any, Any]]:
    return ((decode(key), decode(value)) for key, value in pairs)


def _merged(tagged: Iterator[tuple[bytes, tuple[int, bytes]]],
            pick: Callable[[bytes | None, bytes | None], bytes | None]) -> Iterator[tuple[bytes, bytes]]:
    """Rows of two tables' tagged values grouped by key -> pick(left value, right value), None dropping the key."""
    for key, group in groupby(tagged, key=lambda pair: pair[0]):
        sides: dict[int, bytes] = {tag: value for _, (tag, value) in group}
        result = pick(sides.get(_LEFT), sides.get(_RIGHT))
        if result is not None:
            yield key, result


class SparkTable(MetaBacked):
    """namespace.name with N partitions on Spark; results of operations are new (temporary) tables."""

    def __init__(self, store: "SparkStore", meta: TableMeta, rdd: Any, stored: bool = False) -> None:
        self.store = store
        self.meta = meta
        self.rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK)
        self.stored = stored

    def set_schema(self, schema: dict[str, Any]) -> None:
        if self.stored:
            self.meta = self.store.files.set_schema(self.namespace, self.name, schema)
        else:
            self.meta = dataclasses.replace(self.meta, schema=dict(schema))

    def with_heavy_rows(self) -> "SparkTable":
        """This table: Spark runs every partition on the executors whatever the row count."""
        return self

    # ---- keys, rows in and out --------------------------------------------------

    def get(self, key: Any) -> Any:
        """The value stored under `key`, or None (only its partition is read)."""
        key_bytes = encode(key)
        found = self.store.context.runJob(
            self.rdd, shipped(lambda pairs: [value for k, value in pairs if k == key_bytes]),
            [partition_of(key_bytes, self.partitions)])
        return decode(found[0]) if found else None

    def put_all(self, pairs: Iterable[tuple[Any, Any]], batch_rows: int = 0, sync: bool = True) -> int:
        """Add (key, value) pairs from the driver (a later pair replaces an earlier one of the same key).

        `batch_rows` and `sync` are the LMDB backend's knobs and mean nothing here.
        """
        rows = [(encode(key), encode(value)) for key, value in pairs]
        if self.stored and not self.store.holds_rows(self.meta):  # (a new table: written here, no job)
            old = self.rdd
            self.rdd = self.store.written(self.meta, rows).rdd
            old.unpersist()
            return len(rows)
        added = self.store.context.parallelize(rows, self.partitions)
        tagged = self.rdd.mapValues(lambda value: (_LEFT, value)).union(added.mapValues(lambda value: (_RIGHT, value)))
        merged = tagged.repartitionAndSortWithinPartitions(self.partitions, crc32).mapPartitions(
            lambda group: _merged(group, lambda left, right: right if right is not None else left), True)
        self._replace(merged)
        return len(rows)

    def _replace(self, rdd: Any) -> None:
        old = self.rdd
        if self.stored:
            self.rdd = self.store.save(rdd, self.meta, replace=True).rdd
        else:
            self.rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK)
            self.rdd.count()
        old.unpersist()

    def count(self) -> int:
        return int(self.rdd.count())

    def partition_counts(self) -> list[int]:
        return list(self.rdd.mapPartitions(lambda pairs: [sum(1 for _ in pairs)]).collect())

    def collect(self) -> Iterator[tuple[Any, Any]]:
        """Every (key, value), partition after partition, each in key-byte order (gathered at the driver in one job:
        a job per partition, as a streamed toLocalIterator runs, costs more than small tables hold)."""
        return _decoded(self.rdd.collect())

    def take(self, n: int) -> list[tuple[Any, Any]]:
        return list(_decoded(self.rdd.take(n))) if n > 0 else []

    def first(self) -> tuple[Any, Any] | None:
        pairs = self.take(1)
        return pairs[0] if pairs else None

    def destroy(self) -> None:
        self.rdd.unpersist()
        if self.stored:
            self.store.destroy(self.namespace, self.name)

    def save_as(self, name: str, namespace: str | None = None, partitions: int | None = None) -> "SparkTable":
        """A stored copy under a new name, re-partitioned if `partitions` differs."""
        count = self.partitions if partitions is None else check_partitions(partitions)
        rdd = self.rdd if count == self.partitions else laid_out(self.rdd, count)
        return self.store.save(rdd, TableMeta(namespace or self.namespace, name, count, self.schema))

    # ---- whole-table operations -------------------------------------------------

    def _result(self, rdd: Any, names: dict[str, str]) -> "SparkTable":
        """A table of `rdd`: stored under names' namespace/name if a name is given, else temporary - computed now
        either way, as on LMDB, so that destroying this table afterwards leaves the result whole."""
        if "name" in names:
            return self.store.save(rdd, TableMeta(names.get("namespace", self.namespace), names["name"],
                                                  self.partitions, self.schema))
        meta = TableMeta(self.store.temp_namespace, uuid.uuid4().hex, self.partitions, self.schema)
        result = SparkTable(self.store, meta, rdd)
        result.rdd.count()
        return result

    def map_values(self, fn: Callable[[Any], Any], **names: str) -> "SparkTable":
        return self._result(self.rdd.mapValues(shipped(lambda value: encode(fn(decode(value))))), names)

    def map(self, fn: Callable[[Any, Any], tuple[Any, Any]], **names: str) -> "SparkTable":
        """fn(key, value) -> (new key, new value); results are re-partitioned by new key."""
        return self.flat_map(lambda key, value: [fn(key, value)], **names)

    def flat_map(self, fn: Callable[[Any, Any], Iterable[tuple[Any, Any]]], **names: str) -> "SparkTable":
        def apply(pair: tuple[bytes, bytes]) -> Iterator[tuple[bytes, bytes]]:
            return ((encode(key), encode(value)) for key, value in fn(decode(pair[0]), decode(pair[1])))

        return self._result(laid_out(self.rdd.flatMap(shipped(apply)), self.partitions), names)

    def map_partitions(self, fn: Callable[[Iterator[tuple[Any, Any]]], Any], **names: str) -> "SparkTable":
        """fn(pairs of one partition) -> value, stored under that partition's last key."""
        def apply(pairs: Iterator[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
            rows = list(pairs)
            return [(rows[-1][0], encode(fn(_decoded(rows))))] if rows else []

        return self._result(self.rdd.mapPartitions(shipped(apply), True), names)

    def glom(self, **names: str) -> "SparkTable":
        """One row per non-empty partition: its last key -> the list of its (key, value) pairs."""
        return self.map_partitions(list, **names)

    def filter(self, fn: Callable[[Any, Any], bool], **names: str) -> "SparkTable":
        return self._result(self.rdd.filter(shipped(lambda pair: fn(decode(pair[0]), decode(pair[1])))), names)

    def sample(self, fraction: float, seed: Any = None, **names: str) -> "SparkTable":
        """Each pair kept with probability `fraction`; the same seed keeps the same pairs as on LMDB."""
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("sample fraction must be between 0 and 1")

        def choose(index: int, pairs: Iterator[tuple[bytes, bytes]]) -> Iterator[tuple[bytes, bytes]]:
            chooser = random.Random(f"{seed}:{index}" if seed is not None else None)
            return (pair for pair in pairs if chooser.random() < fraction)

        return self._result(self.rdd.mapPartitionsWithIndex(shipped(choose), True), names)

    def reduce(self, fn: Callable[[Any, Any], Any]) -> Any:
        """fn folded over all values (within partitions, then over their results in partition order); None if empty."""
        def fold_partition(pairs: Iterator[tuple[bytes, bytes]]) -> list[tuple[bool, Any]]:
            return [fold(fn, (decode(value) for _, value in pairs))]

        partials = self.rdd.mapPartitions(shipped(fold_partition)).collect()
        return fold(fn, (value for present, value in partials if present))[1]

    def _binary(self, other: "SparkTable", pick: Callable[[bytes | None, bytes | None], bytes | None],
                names: dict[str, str]) -> "SparkTable":
        if not isinstance(other, SparkTable):
            raise TypeError(f"a Spark table can be combined only with another Spark table, not {other!r}")
        tagged = self.rdd.mapValues(lambda value: (_LEFT, value)).union(
            other.rdd.mapValues(lambda value: (_RIGHT, value)))
        grouped = tagged.repartitionAndSortWithinPartitions(self.partitions, crc32)
        return self._result(grouped.mapPartitions(shipped(lambda rows: _merged(rows, pick)), True), names)

    def join(self, other: "SparkTable", fn: Callable[[Any, Any], Any], **names: str) -> "SparkTable":
        """Keys in both tables -> fn(this value, other value)."""
        def pick(left: bytes | None, right: bytes | None) -> bytes | None:
            return None if left is None or right is None else encode(fn(decode(left), decode(right)))

        return self._binary(other, pick, names)

    def union(self, other: "SparkTable", fn: Callable[[Any, Any], Any] | None = None,
              **names: str) -> "SparkTable":
        """Keys in either table; where in both, fn(this value, other value) (default: this value)."""
        def pick(left: bytes | None, right: bytes | None) -> bytes | None:
            if left is None or right is None:
                return left if right is None else right
            return left if fn is None else encode(fn(decode(left), decode(right)))

        return self._binary(other, pick, names)

    def subtract_by_key(self, other: "SparkTable", **names: str) -> "SparkTable":
        """Pairs of this table whose key is not in `other`."""
        return self._binary(other, lambda left, right: left if right is None else None, names)
