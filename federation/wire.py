"""Cutting objects and tables into bounded chunks, and reading them back with checks."""

from __future__ import annotations

from itertools import accumulate, chain
from typing import Iterator
from zlib import crc32

from federation.errors import TransferRefused
from protos import federation_pb2 as pb
from storage import Table

CHUNK_BYTES = 1 << 20


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


def table_chunks(header: pb.TransferHeader, table: Table) -> Iterator[pb.TransferChunk]:
    """The header, then each partition's pairs in key order, about CHUNK_BYTES per chunk."""
    yield pb.TransferChunk(header=header)
    for index in range(table.partitions):
        pending: list[tuple[bytes, bytes]] = []
        size = 0
        for batch in table.encoded_batches(index):
            for pair in batch:
                pending.append(pair)
                size += len(pair[0]) + len(pair[1])
                if size >= CHUNK_BYTES:
                    yield _table_chunk(index, pending)
                    pending, size = [], 0
        if pending:
            yield _table_chunk(index, pending)


def chunk_pairs(chunk: pb.TableChunk, partitions: int) -> list[tuple[bytes, bytes]]:
    """The (key, value) pairs of a table chunk; TransferRefused if it is malformed.

    Keys must be in increasing order and belong to the partition the chunk names.
    """
    sizes = chunk.sizes
    data = chunk.data
    if len(sizes) % 2 or sum(sizes) != len(data) or not 0 <= chunk.partition < partitions:
        raise TransferRefused("a table chunk is malformed")
    ends = list(accumulate(sizes))
    starts = [0, *ends[:-1]]
    pieces = [data[start:end] for start, end in zip(starts, ends)]
    keys = pieces[0::2]
    if any(crc32(key) % partitions != chunk.partition for key in keys):
        raise TransferRefused("a table chunk holds keys of another partition")
    if keys != sorted(set(keys)):
        raise TransferRefused("a table chunk's keys are not in increasing order")
    return list(zip(keys, pieces[1::2]))
