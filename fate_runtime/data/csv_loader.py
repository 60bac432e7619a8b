"""Loading a CSV file into a table the way FATE's upload does, in parallel byte ranges.

Key = the first column (the id), value = the rest of the line as one string, header kept as
the table's schema. Every row must have the header's number of columns; the first ragged
row stops the load with its line number.
"""

from __future__ import annotations

import dataclasses
import os
from itertools import repeat
from typing import Any, Iterable

from fate_runtime.errors import BadRequest
from storage import Store, Table

_BOM = b"\xef\xbb\xbf"
_MIN_CHUNK = 2 << 20
_MAX_CHUNK = 4 << 20


@dataclasses.dataclass(frozen=True)
class CsvLayout:
    """What the first line(s) of a CSV file say about the rest of it."""

    path: str
    display_name: str
    delimiter: str
    columns: int
    data_start: int
    size: int
    header: tuple[str, ...] | None

    def schema(self) -> dict[str, Any]:
        if self.header is None:
            return {"delimiter": self.delimiter}
        return {"header": self.delimiter.join(self.header[1:]), "sid": self.header[0],
                "delimiter": self.delimiter}


@dataclasses.dataclass(frozen=True)
class ChunkProblem:
    """A bad line inside a chunk: where the chunk starts, which of its lines, and what is wrong."""

    chunk_start: int
    line_in_chunk: int
    message: str


def _first_line(path: str) -> tuple[bytes, int]:
    with open(path, "rb") as src:
        line = src.readline()
        while line.strip() == b"" and line:
            line = src.readline()
        return line, src.tell()


def inspect_csv(path: str, display_name: str, head: int, delimiter: str) -> CsvLayout:
    """Read the header (or first row) and check the file has data."""
    size = os.path.getsize(path)
    line, after = _first_line(path)
    if not line.strip():
        raise BadRequest(f"file {display_name} is empty")
    try:
        text = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise BadRequest(f"file {display_name} is not UTF-8 text (line 1)") from None
    fields = tuple(text.split(delimiter))
    if head:
        if any(not f.strip() for f in fields):
            raise BadRequest(f"file {display_name} has an empty column name in its header")
        with open(path, "rb") as src:
            src.seek(after)
            if not any(l.strip() for l in iter(lambda: src.readline(), b"")):
                raise BadRequest(f"file {display_name} has no data rows after its header")
        return CsvLayout(path, display_name, delimiter, len(fields), after, size, fields)
    start = len(_BOM) if line.startswith(_BOM) else 0
    return CsvLayout(path, display_name, delimiter, len(fields), start, size, None)


def chunks(layout: CsvLayout, workers: int) -> list[tuple[int, int]]:
    """The file's data as byte ranges of 2-4 MiB, about four per worker."""
    span = layout.size - layout.data_start
    chunk = max(_MIN_CHUNK, min(_MAX_CHUNK, span // max(1, workers * 4) + 1))
    return [(start, min(start + chunk, layout.size)) for start in range(layout.data_start, layout.size, chunk)]


def _read_owned_lines(path: str, start: int, end: int, data_start: int) -> tuple[int, bytes, bytes]:
    """The lines that start inside [start, end): (offset of the first, bytes up to end, rest of the last line)."""
    with open(path, "rb") as src:
        if start > data_start:
            src.seek(start - 1)
            if src.read(1) != b"\n":
                src.readline()
        else:
            src.seek(start)
        first = src.tell()
        if first >= end:
            return first, b"", b""
        data = src.read(end - first)
        tail = src.readline() if data and not data.endswith(b"\n") else b""
        return first, data, tail


def _decode_lines(data: bytes, tail: bytes) -> tuple[list[str], int | None]:
    """The text lines of data + tail, and the index of the first line that is not UTF-8 (or None)."""
    cut = data.rfind(b"\n") + 1
    parts = (memoryview(data)[:cut], data[cut:] + tail)
    lines: list[str] = []
    for part in parts:
        try:
            text = str(part, "utf-8")
        except UnicodeDecodeError as exc:
            return lines, len(lines) + bytes(part[: exc.start]).count(b"\n")
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        lines.extend(text.split("\n"))
        if lines and lines[-1] == "":
            lines.pop()
    return lines, None


def _row_problem(lines: list[str], counts: list[int], layout: CsvLayout) -> tuple[int, str] | None:
    """The first line with the wrong number of columns or an empty id (blank lines are allowed)."""
    expected = layout.columns - 1
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if counts[index] != expected:
            return index, f"has {counts[index] + 1} columns, expected {layout.columns}"
        if line.startswith(layout.delimiter):
            return index, "has an empty id"
    return None


def parse_chunk(layout: CsvLayout, start: int, end: int) -> tuple[list[str], list[str], ChunkProblem | None]:
    """The (keys, values) of the data lines that start in one byte range, or the first bad line's problem."""
    first, data, tail = _read_owned_lines(layout.path, start, end, layout.data_start)
    lines, not_utf8 = _decode_lines(data, tail)
    del data
    if not_utf8 is not None:
        return [], [], ChunkProblem(first, not_utf8, "is not UTF-8 text")
    delimiter = layout.delimiter
    expected = layout.columns - 1
    counts = list(map(str.count, lines, repeat(delimiter)))
    all_regular = counts.count(expected) == len(counts) and (
        "" not in lines if expected == 0 else not any(map(str.startswith, lines, repeat(delimiter))))
    if not all_regular:
        problem = _row_problem(lines, counts, layout)
        if problem is not None:
            return [], [], ChunkProblem(first, *problem)
        lines = [line for line in lines if line.strip()]
    if not expected:
        return lines, [""] * len(lines), None
    cuts = list(map(str.find, lines, repeat(delimiter)))
    keys = [line[:cut] for line, cut in zip(lines, cuts)]
    values = [line[cut + 1:] for line, cut in zip(lines, cuts)]
    return keys, values, None


def load_chunk(table: Table, layout: CsvLayout, start: int, end: int) -> tuple[int, ChunkProblem | None]:
    """Put the rows of one byte range into `table` (runs in a worker). Returns (rows, problem)."""
    keys, values, problem = parse_chunk(layout, start, end)
    if problem is not None or not keys:
        return 0, problem
    return table.put_batch(keys, values, sync=False), None


def _line_number(path: str, problem: ChunkProblem) -> int:
    with open(path, "rb") as src:
        before = src.read(problem.chunk_start).count(b"\n")
    return before + problem.line_in_chunk + 1


def check_chunks(layout: CsvLayout, problems: Iterable[ChunkProblem | None]) -> None:
    """BadRequest naming the file's first bad line, if any chunk had one."""
    found = [problem for problem in problems if problem is not None]
    if found:
        first = min(found, key=lambda p: (p.chunk_start, p.line_in_chunk))
        line = _line_number(layout.path, first)
        raise BadRequest(f"line {line} of file {layout.display_name} {first.message}")


def load_csv(store: Store, table: Table, layout: CsvLayout) -> int:
    """Load every data row of the file into `table`; BadRequest names the first bad line."""
    calls = [(table, layout, start, end) for start, end in chunks(layout, store.config.worker_count())]
    results = store.parallel(load_chunk, calls, inline=layout.size < _MIN_CHUNK)
    check_chunks(layout, (problem for _, problem in results))
    table.sync()
    return sum(rows for rows, _ in results)
