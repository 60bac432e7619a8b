"""Cutting objects and tables into bounded chunks, and reading them back with checks."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain
from operator import add, lt
from typing import Any, BinaryIO, Iterable, Iterator
from zlib import crc32

import numpy as np

from federation.channels import MAX_MESSAGE
from federation.errors import FederationError, TransferRefused
from protos import federation_pb2 as pb
from storage import Table

CHUNK_BYTES = 1 << 20
_VIEW_VALUES_ABOVE = 1024  # mean bytes per key or value above which values are passed as views
MAX_PAIR_BYTES = MAX_MESSAGE - (1 << 20)


def _object_stream(header: pb.TransferHeader, pieces: Iterable[bytes]) -> Iterator[pb.TransferChunk]:
    yield pb.TransferChunk(header=header)
    for piece in pieces:
        yield pb.TransferChunk(object_data=piece)


def object_chunks(header: pb.TransferHeader, data: bytes) -> Iterator[pb.TransferChunk]:
    """The header, then the encoded object in pieces of at most CHUNK_BYTES."""
    view = memoryview(data)
    pieces = (bytes(view[start:start + CHUNK_BYTES]) for start in range(0, len(view), CHUNK_BYTES))
    return _object_stream(header, pieces)


def file_chunks(header: pb.TransferHeader, source: BinaryIO) -> Iterator[pb.TransferChunk]:
    """The header, then the encoded object read from `source` in pieces of at most CHUNK_BYTES."""
    return _object_stream(header, iter(lambda: source.read(CHUNK_BYTES), b""))


def object_pieces(chunks: Iterable[pb.TransferChunk], total: int, what: str) -> Iterator[bytes]:
    """The data of the chunks that follow an object's header; TransferRefused unless they are object data
    adding up to exactly `total` bytes (`what` names the object in the message)."""
    size = 0
    for chunk in chunks:
        if chunk.WhichOneof("part") != "object_data":
            raise TransferRefused(f"{what} carries something other than object data after its header")
        size += len(chunk.object_data)
        if size > total:
            raise TransferRefused(f"{what} is larger than its header says")
        yield chunk.object_data
    if size != total:
        raise TransferRefused(f"{what} ended after {size} of {total} bytes")


def read_object(chunks: Iterable[pb.TransferChunk], what: str) -> bytearray:
    """The encoded object of a stream made by `object_chunks` or `file_chunks`; TransferRefused if the stream
    is empty, has no header first, or is truncated or too long."""
    stream = iter(chunks)
    first = next(stream, None)
    if first is None or first.WhichOneof("part") != "header":
        raise TransferRefused(f"{what} came without its header")
    data = bytearray(first.header.total_bytes)
    offset = 0
    for piece in object_pieces(stream, len(data), what):
        data[offset:offset + len(piece)] = piece
        offset += len(piece)
    return data


def _batch_chunks(partition: int, pairs: list[tuple[bytes, bytes]]) -> Iterator[pb.TransferChunk]:
    """One scan batch as chunks of about CHUNK_BYTES, cut between pairs (a larger pair travels alone)."""
    parts = list(chain.from_iterable(pairs))
    sizes = list(map(len, parts))
    largest = max(map(add, sizes[0::2], sizes[1::2]), default=0)
    if largest > MAX_PAIR_BYTES:
        raise FederationError(f"a table value of {largest >> 20} MiB is larger than the "
                              f"{MAX_PAIR_BYTES >> 20} MiB that can travel in one piece")
    ends = list(accumulate(sizes))
    start = 0
    while start < len(parts):
        stop = bisect_right(ends, (ends[start - 1] if start else 0) + CHUNK_BYTES, lo=start)
        stop = max(stop - stop % 2, start + 2)
        yield pb.TransferChunk(table_data=pb.TableChunk(partition=partition, data=b"".join(parts[start:stop]),
                                                        sizes=sizes[start:stop]))
        start = stop


def table_chunks(header: pb.TransferHeader, table: Table) -> Iterator[pb.TransferChunk]:
    """The header, then each partition's pairs in key order, at most about CHUNK_BYTES per chunk."""
    yield pb.TransferChunk(header=header)
    for index in range(table.partitions):
        for batch in table.encoded_batches(index):
            yield from _batch_chunks(index, batch)
        table.release_partition(index)  # keeps the sender's memory to about one partition's pages


def partition_chunks(header: pb.TransferHeader, index: int,
                     pairs: list[tuple[bytes, bytes]]) -> Iterator[pb.TransferChunk]:
    """The header, then partition `index`'s pairs (in key order), at most about CHUNK_BYTES per chunk."""
    yield pb.TransferChunk(header=header)
    yield from _batch_chunks(index, pairs)


def chunk_pairs(chunk: pb.TableChunk, partitions: int) -> list[tuple[bytes, Any]]:
    """The (key, value) pairs of a table chunk; TransferRefused if it is malformed.

    Keys must be in increasing order and belong to the partition the chunk names.
    """
    sizes = chunk.sizes
    data = chunk.data
    if len(sizes) % 2 or sum(sizes) != len(data) or not 0 <= chunk.partition < partitions:
        raise TransferRefused("a table chunk is malformed")
    ends = list(accumulate(sizes))
    starts = [0, *ends[:-1]]
    if len(data) > _VIEW_VALUES_ABOVE * len(sizes):
        keys = [data[start:end] for start, end in zip(starts[0::2], ends[0::2])]
        view = memoryview(data)  # large values are not copied again before LMDB copies them
        values: list[Any] = [view[start:end] for start, end in zip(starts[1::2], ends[1::2])]
    else:  # small values: slicing bytes is cheaper than making views
        pieces = [data[start:end] for start, end in zip(starts, ends)]
        keys, values = pieces[0::2], pieces[1::2]
    placed = np.fromiter(map(crc32, keys), dtype=np.uint64, count=len(keys)) % partitions
    if (placed != chunk.partition).any():
        raise TransferRefused("a table chunk holds keys of another partition")
    if not all(map(lt, keys, keys[1:])):
        raise TransferRefused("a table chunk's keys are not in increasing order")
    return list(zip(keys, values))
