"""Cutting objects and tables into bounded chunks, and reading them back with checks."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain
from operator import lt
from typing import Iterator
from zlib import crc32

import numpy as np

from federation.channels import MAX_MESSAGE
from federation.errors import FederationError, TransferRefused
from protos import federation_pb2 as pb
from storage import Table

CHUNK_BYTES = 1 << 20
MAX_PAIR_BYTES = MAX_MESSAGE - (1 << 20)


def object_chunks(header: pb.TransferHeader, data: bytes) -> Iterator[pb.TransferChunk]:
    """The header, then the encoded object in pieces of at most CHUNK_BYTES."""
    yield pb.TransferChunk(header=header)
    view = memoryview(data)
    for start in range(0, len(view), CHUNK_BYTES):
        yield pb.TransferChunk(object_data=bytes(view[start:start + CHUNK_BYTES]))


def _table_chunk(partition: int, pairs: list[tuple[bytes, bytes]]) -> pb.TransferChunk:
    parts = list(chain.from_iterable(pairs))
    return pb.TransferChunk(table_data=pb.TableChunk(partition=partition, data=b"".join(parts),
                                                     sizes=list(map(len, parts))))


def _bounded(pairs: list[tuple[bytes, bytes]]) -> Iterator[list[tuple[bytes, bytes]]]:
    """`pairs` cut into runs of about CHUNK_BYTES (a single larger pair travels alone)."""
    ends = list(accumulate(len(key) + len(value) for key, value in pairs))
    largest = max(b - a for a, b in zip([0, *ends], ends)) if ends else 0
    if largest > MAX_PAIR_BYTES:
        raise FederationError(f"a table value of {largest >> 20} MiB is larger than the "
                              f"{MAX_PAIR_BYTES >> 20} MiB that can travel in one piece")
    start, offset = 0, 0
    while start < len(pairs):
        stop = max(start + 1, bisect_right(ends, offset + CHUNK_BYTES, lo=start))
        yield pairs[start:stop]
        offset = ends[stop - 1]
        start = stop


def table_chunks(header: pb.TransferHeader, table: Table) -> Iterator[pb.TransferChunk]:
    """The header, then each partition's pairs in key order, at most about CHUNK_BYTES per chunk."""
    yield pb.TransferChunk(header=header)
    for index in range(table.partitions):
        for batch in table.encoded_batches(index):
            for pairs in _bounded(batch):
                yield _table_chunk(index, pairs)
        table.release_partition(index)  # keeps the sender's memory to about one partition's pages


def chunk_pairs(chunk: pb.TableChunk, partitions: int) -> list[tuple[bytes, memoryview]]:
    """The (key, value) pairs of a table chunk; TransferRefused if it is malformed.

    Keys must be in increasing order and belong to the partition the chunk names.
    """
    sizes = chunk.sizes
    data = chunk.data
    if len(sizes) % 2 or sum(sizes) != len(data) or not 0 <= chunk.partition < partitions:
        raise TransferRefused("a table chunk is malformed")
    ends = list(accumulate(sizes))
    starts = [0, *ends[:-1]]
    keys = [data[start:end] for start, end in zip(starts[0::2], ends[0::2])]
    view = memoryview(data)  # values are only copied once more: into LMDB
    values = [view[start:end] for start, end in zip(starts[1::2], ends[1::2])]
    placed = np.fromiter(map(crc32, keys), dtype=np.uint64, count=len(keys)) % partitions
    if (placed != chunk.partition).any():
        raise TransferRefused("a table chunk holds keys of another partition")
    if not all(map(lt, keys, keys[1:])):
        raise TransferRefused("a table chunk's keys are not in increasing order")
    return list(zip(keys, values))
