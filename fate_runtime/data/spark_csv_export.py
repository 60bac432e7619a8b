"""A download of a Spark table: each executor renders the partitions it reads as the download's lines (download.py's
rendering) and writes them as part-NNNNN text files under spark.storage_dir; the node joins the parts, in partition
order, after the header."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from fate_runtime.data.table_lines import table_lines
from storage.codec import decode
from storage.spark.partition_files import partition_path, read_partition

if TYPE_CHECKING:
    from storage.spark.store import SparkStore


def _render(table_dir: str, parts_dir: str, index: int, delimiter: str, stored_delimiter: str) -> Iterator[int]:
    """Write partition `index`'s lines to parts_dir/part-NNNNN; yields the number of lines."""
    pairs = ((decode(key), decode(value)) for key, value in read_partition(table_dir, index))
    count = 0
    with open(partition_path(parts_dir, index), "w", encoding="utf-8") as out:
        for line in table_lines(pairs, delimiter, stored_delimiter):
            out.write(line)
            count += 1
    yield count


def export_csv(store: "SparkStore", request: dict[str, Any]) -> dict[str, Any]:
    """Write the table's lines as part files into request["parts_dir"]: {"count": lines written}."""
    namespace, name, parts_dir = request["namespace"], request["name"], request["parts_dir"]
    meta = store.files.meta(namespace, name)
    table_dir = store.files.table_dir(namespace, name)
    delimiter, stored = request["delimiter"], meta.schema.get("delimiter", ",")
    counts = store.context.parallelize(range(meta.partitions), meta.partitions).mapPartitionsWithIndex(
        lambda index, _: _render(table_dir, parts_dir, index, delimiter, stored)).collect()
    return {"count": sum(counts)}

