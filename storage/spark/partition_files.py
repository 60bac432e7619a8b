"""A Spark table on disk: `meta.json` plus one file per partition, `part-NNNNN`, of msgpack [key, value] pairs.

Keys and values stay the codec's bytes, in the partition's key-byte order, so a table read back has the
same partition layout it was written with, and reading decodes nothing with pickle. Executors read and
write the files themselves: the storage dir must be a path every executor can reach.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator

import msgpack


def partition_path(directory: str, index: int) -> str:
    return os.path.join(directory, f"part-{index:05d}")


def write_partition(directory: str, index: int, pairs: Iterable[tuple[bytes, bytes]]) -> Iterator[int]:
    """Write partition `index`; yields the number of pairs written (for mapPartitionsWithIndex)."""
    packer = msgpack.Packer(use_bin_type=True)
    written = 0
    with open(partition_path(directory, index), "wb") as out:
        for key, value in pairs:
            out.write(packer.pack([key, value]))
            written += 1
    yield written


def read_partition(directory: str, index: int) -> Iterator[tuple[bytes, bytes]]:
    with open(partition_path(directory, index), "rb") as src:
        for key, value in msgpack.Unpacker(src, raw=False, max_buffer_size=2**31 - 1):
            yield bytes(key), bytes(value)
