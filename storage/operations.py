"""The per-partition halves of table operations; each runs in a worker process.

Each function reads partition `index` of its source table(s) and writes the result into
the destination table. Partitions of a table keep keys in byte order, so operations that
keep keys (map_values, filter, join, ...) write in order with LMDB's append mode, and
two tables with the same partition count are merged partition by partition.
"""

from __future__ import annotations

import random
from itertools import chain
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from storage.codec import decode, decode_pairs, encode
from storage.partition_io import OrderedWriter, ScatterWriter, last_key, scan, scan_batches

if TYPE_CHECKING:
    from storage.table import Table

_MISSING = b""  # no encoded value is empty


def _decoded_partition(table: "Table", index: int) -> Iterator[tuple[Any, Any]]:
    return chain.from_iterable(map(decode_pairs, scan_batches(table, index)))


def _merge(
    left: Iterator[tuple[bytes, bytes]], right: Iterator[tuple[bytes, bytes]]
) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Walk two key-ordered partitions together: (key, left value, right value), `_MISSING` where absent."""
    left_pair = next(left, None)
    right_pair = next(right, None)
    while left_pair is not None and right_pair is not None:
        if left_pair[0] == right_pair[0]:
            yield left_pair[0], left_pair[1], right_pair[1]
            left_pair = next(left, None)
            right_pair = next(right, None)
        elif left_pair[0] < right_pair[0]:
            yield left_pair[0], left_pair[1], _MISSING
            left_pair = next(left, None)
        else:
            yield right_pair[0], _MISSING, right_pair[1]
            right_pair = next(right, None)
    while left_pair is not None:
        yield left_pair[0], left_pair[1], _MISSING
        left_pair = next(left, None)
    while right_pair is not None:
        yield right_pair[0], _MISSING, right_pair[1]
        right_pair = next(right, None)


def copy_partition(src: "Table", dst: "Table", index: int) -> int:
    writer = OrderedWriter(dst, index)
    for key, value in scan(src, index):
        writer.add(key, value)
    return writer.flush()


def scatter_partition(src: "Table", dst: "Table", index: int) -> int:
    writer = ScatterWriter(dst)
    for key, value in scan(src, index):
        writer.add(key, value)
    return writer.flush()


def map_values_partition(src: "Table", dst: "Table", index: int, fn: Callable[[Any], Any]) -> int:
    writer = OrderedWriter(dst, index)
    for key, value in scan(src, index):
        writer.add(key, encode(fn(decode(value))))
    return writer.flush()


def map_partition(src: "Table", dst: "Table", index: int, fn: Callable[[Any, Any], tuple[Any, Any]]) -> int:
    writer = ScatterWriter(dst)
    for key, value in _decoded_partition(src, index):
        new_key, new_value = fn(key, value)
        writer.add(encode(new_key), encode(new_value))
    return writer.flush()


def flat_map_partition(src: "Table", dst: "Table", index: int, fn: Callable[[Any, Any], Any]) -> int:
    writer = ScatterWriter(dst)
    for key, value in _decoded_partition(src, index):
        for new_key, new_value in fn(key, value):
            writer.add(encode(new_key), encode(new_value))
    return writer.flush()


def map_partitions_partition(src: "Table", dst: "Table", index: int, fn: Callable[[Iterator], Any]) -> int:
    """fn(iterator of pairs) -> value, stored under the partition's last key (as FATE does)."""
    last = last_key(src, index)
    if last is None:
        return 0
    result = fn(_decoded_partition(src, index))
    writer = OrderedWriter(dst, index)
    writer.add(last, encode(result))
    return writer.flush()


def glom_partition(src: "Table", dst: "Table", index: int) -> int:
    pairs = list(_decoded_partition(src, index))
    if not pairs:
        return 0
    writer = OrderedWriter(dst, index)
    writer.add(encode(pairs[-1][0]), encode(pairs))
    return writer.flush()


def filter_partition(src: "Table", dst: "Table", index: int, fn: Callable[[Any, Any], bool]) -> int:
    writer = OrderedWriter(dst, index)
    for key, value in scan(src, index):
        if fn(decode(key), decode(value)):
            writer.add(key, value)
    return writer.flush()


def sample_partition(src: "Table", dst: "Table", index: int, fraction: float, seed: Any) -> int:
    chooser = random.Random(f"{seed}:{index}" if seed is not None else None)
    writer = OrderedWriter(dst, index)
    for key, value in scan(src, index):
        if chooser.random() < fraction:
            writer.add(key, value)
    return writer.flush()


def fold(fn: Callable[[Any, Any], Any], values: Iterable[Any]) -> tuple[bool, Any]:
    """(True, fn folded over `values` in order), or (False, None) if there are none."""
    remaining = iter(values)
    missing = object()
    result = next(remaining, missing)
    if result is missing:
        return False, None
    for value in remaining:
        result = fn(result, value)
    return True, result


def reduce_partition(src: "Table", index: int, fn: Callable[[Any, Any], Any]) -> tuple[bool, Any]:
    return fold(fn, (decode(value) for _, value in scan(src, index)))


def join_partition(left: "Table", right: "Table", dst: "Table", index: int, fn: Callable[[Any, Any], Any]) -> int:
    writer = OrderedWriter(dst, index)
    for key, left_value, right_value in _merge(scan(left, index), scan(right, index)):
        if left_value and right_value:
            writer.add(key, encode(fn(decode(left_value), decode(right_value))))
    return writer.flush()


def union_partition(
    left: "Table", right: "Table", dst: "Table", index: int, fn: Callable[[Any, Any], Any] | None
) -> int:
    writer = OrderedWriter(dst, index)
    for key, left_value, right_value in _merge(scan(left, index), scan(right, index)):
        if left_value and right_value:
            merged = left_value if fn is None else encode(fn(decode(left_value), decode(right_value)))
            writer.add(key, merged)
        else:
            writer.add(key, left_value or right_value)
    return writer.flush()


def subtract_partition(left: "Table", right: "Table", dst: "Table", index: int) -> int:
    writer = OrderedWriter(dst, index)
    for key, left_value, right_value in _merge(scan(left, index), scan(right, index)):
        if left_value and not right_value:
            writer.add(key, left_value)
    return writer.flush()
