"""Download: a table into a CSV file on the node, or to the caller as a stream, as one local job.

Lines are `id<delimiter>value`; the header line comes first when the table has one, so an
uploaded file downloads back to the same lines. A file on the node appears only when complete.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from itertools import chain
from typing import Any, Generator, Iterable, Iterator, TextIO

from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.state.local_jobs import LocalJob, LocalJobs
from fate_runtime.data.paths import PathPolicy
from fate_runtime.request_checks import check_table_name, check_work_mode, require
from fate_runtime.data.table_lines import render, table_lines
from fate_runtime.data.node_tables import NodeTables, SparkSide, SparkTableFiles, StoredTable
from storage import Store, TableNotFound
from storage.spark.partition_files import partition_path

_LINES_PER_WRITE = 10_000
_STREAM_PIECE = 1 << 20  # bytes of text per piece of a streamed download (at least)


@dataclasses.dataclass
class DownloadRequest:
    namespace: str
    table_name: str
    output_path: str
    work_mode: int | None
    delimiter: str = ","


@dataclasses.dataclass
class StreamedDownload:
    """A download sent to the caller: its job, the header lines before the rows, and the text in pieces
    (the job ends when the pieces are used up, or fails when they are closed before)."""

    job_id: str
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str
    header_lines: int
    pieces: Generator[bytes, None, None]


@dataclasses.dataclass
class DownloadResult:
    job_id: str
    output_path: str
    count: int
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str


def _header_lines(table: StoredTable, delimiter: str) -> list[str]:
    """The header line of the download file (none when the table has no header)."""
    schema = table.schema
    if schema.get("header") is None or schema.get("sid") is None:
        return []
    header = render(schema["header"], delimiter, schema.get("delimiter", ","))
    return [f"{schema['sid']}{delimiter}{header}\n" if header else f"{schema['sid']}\n"]


def _row_lines(table: StoredTable, delimiter: str) -> Iterable[str]:
    return table_lines(table.collect(), delimiter, table.schema.get("delimiter", ","))


def _pieces(lines: Iterable[str]) -> Iterator[bytes]:
    """The lines' text in pieces of about _STREAM_PIECE bytes."""
    batch: list[str] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= _STREAM_PIECE:
            yield "".join(batch).encode("utf-8")
            batch, size = [], 0
    if batch:
        yield "".join(batch).encode("utf-8")


class Downloader:
    """Downloads of one node's tables; with `spark`, its Spark tables' files are written by Spark's executors."""

    def __init__(self, store: Store, jobs: LocalJobs, paths: PathPolicy, work_mode: int,
                 spark: SparkSide | None = None) -> None:
        self._tables = NodeTables(store, spark.directory if spark else None)
        self._spark = spark
        self._jobs = jobs
        self._paths = paths
        self._work_mode = work_mode

    def _check(self, request: DownloadRequest, *more_required: str) -> None:
        require({"namespace": request.namespace, "table_name": request.table_name, "work_mode": request.work_mode,
                 **{name: getattr(request, name) for name in more_required}})
        check_table_name(request.namespace, request.table_name)
        check_work_mode(request.work_mode, self._work_mode)  # type: ignore[arg-type]
        if len(request.delimiter) != 1 or request.delimiter in "\r\n":
            raise BadRequest("delimiter must be one character other than a line break")

    def _table(self, request: DownloadRequest) -> StoredTable:
        try:
            return self._tables.table(request.namespace, request.table_name)
        except TableNotFound as exc:
            raise NotFound(str(exc)) from None

    def _start(self, request: DownloadRequest, **more: Any) -> LocalJob:
        return self._jobs.start("Download", {"namespace": request.namespace, "table_name": request.table_name,
                                             "work_mode": request.work_mode, "delimitor": request.delimiter, **more})

    def _failed(self, job: LocalJob, exc: BaseException) -> None:
        job.log.exception("download failed", exc_info=exc)
        self._jobs.finish(job, f"download failed: {type(exc).__name__}")

    def download(self, request: DownloadRequest) -> DownloadResult:
        self._check(request, "output_path")
        output = self._paths.writable_file("output_path", request.output_path)
        table = self._table(request)
        job = self._start(request, output_path=output)
        try:
            count = self._write(table, output, request.delimiter, job)
        except BaseException as exc:
            self._failed(job, exc)
            raise
        job.log.info("wrote %d rows of %s.%s to %s", count, request.namespace, request.table_name, output)
        self._jobs.finish(job)
        return DownloadResult(job.job_id, output, count, job.job_dsl_path, job.job_runtime_conf_path,
                              job.logs_directory)

    def stream(self, request: DownloadRequest) -> StreamedDownload:
        """The table's download file for the caller to write wherever it runs: nothing is written on the node."""
        if request.output_path:
            raise BadRequest("a streamed download writes no file on the node: output_path must be left out")
        self._check(request)
        table = self._table(request)
        header = _header_lines(table, request.delimiter)
        job = self._start(request)
        pieces = self._send(job, table, header, request)
        next(pieces)  # into its try block: from now on, closing the pieces ends the job
        return StreamedDownload(job.job_id, job.job_dsl_path, job.job_runtime_conf_path, job.logs_directory,
                                len(header), pieces)

    def _send(self, job: LocalJob, table: StoredTable, header: list[str],
              request: DownloadRequest) -> Generator[bytes, None, None]:
        """b"" (to be taken at once), then the file's text in pieces; the job ends with the last piece, or fails
        if the pieces are closed before."""
        rows = 0

        def counted(lines: Iterable[str]) -> Iterator[str]:
            nonlocal rows
            for line in lines:
                rows += 1
                yield line

        try:
            yield b""
            yield from _pieces(chain(header, counted(_row_lines(table, request.delimiter))))
        except GeneratorExit:
            job.log.warning("the download of %s.%s stopped after %d rows: the caller stopped reading",
                            request.namespace, request.table_name, rows)
            self._jobs.finish(job, "the download was cut off before its end")
            raise
        except BaseException as exc:
            self._failed(job, exc)
            raise
        job.log.info("sent %d rows of %s.%s to the caller", rows, request.namespace, request.table_name)
        self._jobs.finish(job)

    def _write(self, table: StoredTable, output: str, delimiter: str, job: LocalJob) -> int:
        """Write the download file (complete or not at all): the header, then the rows, rendered here or, for a
        Spark table, by Spark's executors into part files joined here in partition order."""
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(output), prefix=".download-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(_header_lines(table, delimiter))
                if isinstance(table, SparkTableFiles) and self._spark is not None:
                    count = self._write_on_spark(table, out, delimiter, job)
                else:
                    count = self._write_here(table, out, delimiter)
            os.chmod(tmp, 0o644)
            os.replace(tmp, output)
        except BaseException:
            os.unlink(tmp)
            raise
        return count

    @staticmethod
    def _write_here(table: StoredTable, out: TextIO, delimiter: str) -> int:
        count = 0
        batch = []
        for line in _row_lines(table, delimiter):
            batch.append(line)
            if len(batch) >= _LINES_PER_WRITE:
                out.writelines(batch)
                count += len(batch)
                batch = []
        out.writelines(batch)
        return count + len(batch)

    def _write_on_spark(self, table: StoredTable, out: TextIO, delimiter: str, job: LocalJob) -> int:
        assert self._spark is not None
        parts = self._spark.directory.new_staging_dir()
        try:
            request = {"namespace": table.namespace, "name": table.name, "delimiter": delimiter, "parts_dir": parts}
            count = int(self._spark.run("export_csv", request, os.path.join(job.logs_directory, "spark.log"))["count"])
            out.flush()
            for index in range(table.partitions):
                with open(partition_path(parts, index), "rb") as part:
                    shutil.copyfileobj(part, out.buffer)
            return count
        finally:
            shutil.rmtree(parts, ignore_errors=True)
