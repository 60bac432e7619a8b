"""Stable key -> partition placement: CRC-32 of the key's encoded bytes.

CRC-32 of bytes is fixed by its definition, so every process, Python version and
machine puts the same key in the same partition.
"""

from __future__ import annotations

from typing import Iterable
from zlib import crc32

from storage.codec import encode


def partition_of(key_bytes: bytes, partitions: int) -> int:
    """The partition (0-based) that holds an encoded key in a table of `partitions`."""
    return crc32(key_bytes) % partitions


def split_by_partition(
    pairs: Iterable[tuple[bytes, bytes]], partitions: int
) -> list[list[tuple[bytes, bytes]]]:
    """Group encoded (key, value) pairs by the partition of their key."""
    buckets: list[list[tuple[bytes, bytes]]] = [[] for _ in range(partitions)]
    appenders = [bucket.append for bucket in buckets]
    for pair in pairs:
        appenders[crc32(pair[0]) % partitions](pair)
    return buckets


def spread_keys(count: int, partitions: int) -> list[int]:
    """`count` small distinct int keys whose encoded forms fall round-robin into the partitions (key i in
    partition i % partitions): for tables of a few heavy rows, which hashing alone may pile into one partition
    and so onto one worker."""
    keys: list[int] = []
    candidate = 0
    for index in range(count):
        while partition_of(encode(candidate), partitions) != index % partitions:
            candidate += 1
        keys.append(candidate)
        candidate += 1
    return keys
