"""An upload on Spark: the executors read and parse the CSV file's byte ranges and write the table's partition files.

The driver only cuts the file into byte ranges (csv_loader.chunks) and hands them out: each executor parses its
ranges with csv_loader.parse_chunk (the LMDB upload's rules and errors), the rows are laid out as
storage.partitioner lays out every table (partition = CRC-32 of the key's codec bytes modulo the partition count,
keys in byte order within a partition) and each executor writes the partitions it holds into a staging directory
under spark.storage_dir. The node publishes that directory as the table (one rename), once it has noted what it
publishes - or removes it. Executors open the file by its path: on a cluster, a node-side `file` must be on a mount
every executor shares; a file streamed to the node is spooled under spark.storage_dir for that reason.

The table stays in the Spark backend's own format, msgpack [key bytes, value bytes] files (partition_files.py),
rather than Parquet: those bytes are the codec's, so the partition layout and any value type (strings here, arrays
and instances after a component) survive unchanged, and every Spark table - uploaded, computed, received from a
peer - is read the same way. Parquet would need a schema per table, and a column of opaque bytes would gain nothing
from being columnar.
"""

from __future__ import annotations

import dataclasses
import shutil
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Iterator, cast
from zlib import crc32

from fate_runtime.data.csv_loader import ChunkProblem, CsvLayout, check_chunks, chunks, parse_chunk
from storage.codec import encode
from storage.spark.partition_files import read_partition, write_partition

if TYPE_CHECKING:
    from pyspark.accumulators import AccumulatorParam

    from storage.spark.store import SparkStore

_OLD, _NEW = 0, 1  # an existing table's rows, and the file's (which replace them)


def _parse(layout: CsvLayout, chunk: tuple[int, int], results: Any) -> Iterator[tuple[bytes, tuple[int, bytes]]]:
    """The rows of one byte range as (key bytes, (_NEW, value bytes)); its line count or problem goes to `results`."""
    keys, values, problem = parse_chunk(layout, *chunk)
    results.add({chunk[0]: (len(keys), problem)})  # keyed by range: a task run twice counts once
    return ((encode(key), (_NEW, encode(value))) for key, value in zip(keys, values))


def _merged(tagged: Iterator[tuple[bytes, tuple[int, bytes]]], new_keys: list[int]) -> Iterator[tuple[bytes, bytes]]:
    """One pair per key of a partition in key order: the file's value where it has the key; counts its keys."""
    for key, group in groupby(tagged, key=itemgetter(0)):
        sides = dict(side for _, side in group)
        if _NEW in sides:
            new_keys[0] += 1
        yield key, sides[_NEW] if _NEW in sides else sides[_OLD]


def _write(directory: str, index: int, tagged: Iterator[tuple[bytes, tuple[int, bytes]]]) -> Iterator[tuple[int, int]]:
    """Write partition `index`; yields (pairs written, of which keys of the file)."""
    new_keys = [0]
    for written in write_partition(directory, index, _merged(tagged, new_keys)):
        yield written, new_keys[0]


_Parsed = dict[int, tuple[int, ChunkProblem | None]]


class _ChunkResults:
    """A Spark accumulator of {range start: (data lines, problem)} merged by range (an AccumulatorParam; this module
    is imported by the node too, which needs no pyspark)."""

    def zero(self, value: _Parsed) -> _Parsed:
        return {}

    def addInPlace(self, left: _Parsed, right: _Parsed) -> _Parsed:
        left.update(right)
        return left


@dataclasses.dataclass(frozen=True)
class CsvImport:
    """What the node asks of a Spark upload: the checked file, the table's partitions, and the table whose rows the
    file's are added to (none: a new table)."""

    layout: CsvLayout
    partitions: int
    add_to: str = ""  # the table directory of the table to add to

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, fields: dict[str, Any]) -> "CsvImport":
        layout = dict(fields["layout"])
        header = layout["header"]
        layout["header"] = tuple(header) if header is not None else None
        return cls(CsvLayout(**layout), fields["partitions"], fields["add_to"])


def import_csv(store: "SparkStore", request: dict[str, Any]) -> dict[str, Any]:
    """Build the table of a CSV upload in a staging directory: {"staged_dir", "lines" (data lines read), "stored"
    (distinct ids of the file), "actual" (rows of the table)}. BadRequest names the file's first bad line."""
    job = CsvImport.from_json(request)
    context, layout = store.context, job.layout
    ranges = chunks(layout, context.defaultParallelism)
    results = context.accumulator({}, cast("AccumulatorParam[_Parsed]", _ChunkResults()))
    rows = context.parallelize(ranges, len(ranges)).flatMap(lambda chunk: _parse(layout, chunk, results))
    if job.add_to:
        existing = job.add_to
        rows = rows.union(context.parallelize(range(job.partitions), job.partitions).mapPartitionsWithIndex(
            lambda index, _: ((key, (_OLD, value)) for key, value in read_partition(existing, index))))
    staged = store.files.new_staging_dir()
    try:
        counts = rows.repartitionAndSortWithinPartitions(job.partitions, crc32).mapPartitionsWithIndex(
            lambda index, tagged: _write(staged, index, tagged)).collect()
        parsed = results.value
        check_chunks(layout, (problem for _, problem in parsed.values()))
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return {"staged_dir": staged, "lines": sum(lines for lines, _ in parsed.values()),
            "stored": sum(new for _, new in counts), "actual": sum(written for written, _ in counts)}
