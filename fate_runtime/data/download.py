"""Download: a table into a CSV file on the node, as one local job.

Lines are `id<delimiter>value`; the header line is written when the table has one, so an
uploaded file downloads back to the same lines. The file appears only when complete.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from typing import Any, Iterable

import numpy as np

from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.state.local_jobs import LocalJobs
from fate_runtime.data.paths import PathPolicy
from fate_runtime.request_checks import check_table_name, check_work_mode, require
from storage import Store, TableNotFound

_LINES_PER_WRITE = 10_000


@dataclasses.dataclass
class DownloadRequest:
    namespace: str
    table_name: str
    output_path: str
    work_mode: int | None
    delimiter: str = ","


@dataclasses.dataclass
class DownloadResult:
    job_id: str
    output_path: str
    count: int
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str


def _render(value: Any, delimiter: str, stored_delimiter: str) -> str:
    if isinstance(value, str):
        return value if delimiter == stored_delimiter else value.replace(stored_delimiter, delimiter)
    if isinstance(value, (list, tuple, np.ndarray)):
        return delimiter.join(str(item) for item in value)
    return "" if value is None else str(value)


def _lines(pairs: Iterable[tuple[Any, Any]], delimiter: str, stored_delimiter: str) -> Iterable[str]:
    for key, value in pairs:
        rendered = _render(value, delimiter, stored_delimiter)
        yield f"{key}{delimiter}{rendered}\n" if rendered else f"{key}\n"


class Downloader:
    def __init__(self, store: Store, jobs: LocalJobs, paths: PathPolicy, work_mode: int) -> None:
        self._store = store
        self._jobs = jobs
        self._paths = paths
        self._work_mode = work_mode

    def download(self, request: DownloadRequest) -> DownloadResult:
        require({"namespace": request.namespace, "table_name": request.table_name,
                 "output_path": request.output_path, "work_mode": request.work_mode})
        check_table_name(request.namespace, request.table_name)
        check_work_mode(request.work_mode, self._work_mode)  # type: ignore[arg-type]
        if len(request.delimiter) != 1 or request.delimiter in "\r\n":
            raise BadRequest("delimiter must be one character other than a line break")
        output = self._paths.writable_file("output_path", request.output_path)
        try:
            table = self._store.table(request.namespace, request.table_name)
        except TableNotFound as exc:
            raise NotFound(str(exc)) from None
        job = self._jobs.start("Download", {
            "namespace": request.namespace, "table_name": request.table_name,
            "output_path": output, "work_mode": request.work_mode, "delimitor": request.delimiter})
        try:
            count = self._write(table, output, request.delimiter)
        except BaseException as exc:
            job.log.exception("download failed")
            self._jobs.finish(job, f"download failed: {type(exc).__name__}")
            raise
        job.log.info("wrote %d rows of %s.%s to %s", count, request.namespace, request.table_name, output)
        self._jobs.finish(job)
        return DownloadResult(job.job_id, output, count, job.job_dsl_path, job.job_runtime_conf_path,
                              job.logs_directory)

    @staticmethod
    def _write(table, output: str, delimiter: str) -> int:  # type: ignore[no-untyped-def]
        schema = table.schema
        stored = schema.get("delimiter", ",")
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(output), prefix=".download-")
        count = 0
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                if schema.get("header") is not None and schema.get("sid") is not None:
                    header = _render(schema["header"], delimiter, stored)
                    out.write(f"{schema['sid']}{delimiter}{header}\n" if header else f"{schema['sid']}\n")
                batch = []
                for line in _lines(table.collect(), delimiter, stored):
                    batch.append(line)
                    if len(batch) >= _LINES_PER_WRITE:
                        out.writelines(batch)
                        count += len(batch)
                        batch = []
                out.writelines(batch)
                count += len(batch)
            os.chmod(tmp, 0o644)
            os.replace(tmp, output)
        except BaseException:
            os.unlink(tmp)
            raise
        return count
