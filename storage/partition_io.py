"""Reading and writing the encoded (key, value) pairs of partitions in batches."""

from __future__ import annotations

from itertools import chain, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Iterable, Iterator, cast
from zlib import crc32

if TYPE_CHECKING:
    from storage.table import Table

BATCH_ROWS = 50_000
_by_key = itemgetter(0)


SCAN_BATCH = 4096


def scan(table: "Table", index: int) -> Iterator[tuple[bytes, bytes]]:
    """Every encoded pair of one partition, in key-byte order."""
    return chain.from_iterable(scan_batches(table, index))


def scan_batches(table: "Table", index: int) -> Iterator[list[tuple[bytes, bytes]]]:
    """The encoded pairs of one partition in key-byte order, a batch at a time.

    Each batch is read in a short read transaction, so a paused iteration holds no
    transaction: it neither blocks the map from growing nor pins old pages.
    """
    env = table.partition_env(index)
    after: bytes | None = None
    while True:
        with env.reading() as txn:
            cursor = txn.cursor()
            if after is not None and not _seek_past(cursor, after):
                return
            batch = cast(list[tuple[bytes, bytes]], list(islice(cursor.iternext(), SCAN_BATCH)))  # buffers=False
        if batch:
            yield batch
        if len(batch) < SCAN_BATCH:
            return
        after = batch[-1][0]


def last_key(table: "Table", index: int) -> bytes | None:
    """The greatest encoded key of one partition; None if it is empty."""
    with table.partition_env(index).reading() as txn:
        cursor = txn.cursor()
        return cast(bytes, cursor.key()) if cursor.last() else None


def _seek_past(cursor: Any, key: bytes) -> bool:
    """Put the cursor on the first key after `key`; False if there is none."""
    if not cursor.set_range(key):
        return False
    return cursor.next() if cursor.key() == key else True


class OrderedWriter:
    """Writes pairs that arrive in increasing key order into one empty partition."""

    def __init__(self, table: "Table", index: int) -> None:
        self._env = table.partition_env(index)
        self._batch: list[tuple[bytes, bytes]] = []
        self.written = 0

    def add(self, key: bytes, value: bytes) -> None:
        self._batch.append((key, value))
        if len(self._batch) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> int:
        if self._batch:
            self.written += self._env.write(self._batch, append=True)
            self._batch = []
        return self.written


class ScatterWriter:
    """Writes pairs in any order to the partitions their keys belong to.

    Pairs are buffered, then each partition's share is sorted (stable, so the last of
    equal keys wins) and written in one transaction.
    """

    def __init__(self, table: "Table", batch_rows: int = BATCH_ROWS) -> None:
        self._table = table
        self._partitions = table.partitions
        self._buckets: list[list[tuple[bytes, bytes]]] = [[] for _ in range(self._partitions)]
        self._pending = 0
        self._batch_rows = batch_rows
        self.written = 0

    def add(self, key: bytes, value: bytes) -> None:
        self._buckets[crc32(key) % self._partitions].append((key, value))
        self._pending += 1
        if self._pending >= self._batch_rows:
            self.flush()

    def add_many(self, pairs: Iterable[tuple[bytes, bytes]]) -> None:
        buckets = self._buckets
        partitions = self._partitions
        for pair in pairs:
            buckets[crc32(pair[0]) % partitions].append(pair)
        self._pending = sum(map(len, buckets))
        if self._pending >= self._batch_rows:
            self.flush()

    def flush(self) -> int:
        for index, bucket in enumerate(self._buckets):
            if bucket:
                bucket.sort(key=_by_key)
                self._table.partition_env(index).write(bucket)
                self.written += len(bucket)
                self._buckets[index] = []
        self._pending = 0
        return self.written
