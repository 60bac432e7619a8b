"""Upload: a CSV file (on the node, or streamed to it) into a table, as one local job.

The rows go into a staging table that is published only when every row is in, so a failed
upload leaves no table behind. Rows added to an existing table (drop 0) go into a staged copy
of it, published over it in one step: until then the old table is whole, and a node killed part
way leaves it as it was. Appends and replaces of one table hold its lock from reading it to
publishing, so two at once both land. The published table names its job (`written_by`): after a
restart, `settle_uploads` tells a job that had published from one that had not.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import uuid
from typing import Any, Iterable

from fate_runtime.data.csv_loader import CsvLayout, inspect_csv, load_csv
from fate_runtime.errors import BadRequest, Conflict, FlowError, disk_full
from fate_runtime.state.local_jobs import LocalJob, LocalJobs, TableRecord
from fate_runtime.data.paths import PathPolicy
from fate_runtime.data.upload_recovery import settle_uploads
from fate_runtime.request_checks import check_table_name, check_work_mode, require
from storage import MAX_PARTITIONS, Store, StorageError, Table, TableExists, TableNotFound

log = logging.getLogger("fate_flow.upload")

DROP_APPEND = 0
DROP_REPLACE = 1
DROP_REFUSE = 2


@dataclasses.dataclass
class UploadRequest:
    namespace: str
    table_name: str
    work_mode: int | None
    head: int | None
    partition: int | None
    drop: int | None = None
    file: str = ""
    delimiter: str = ","
    notes: str = ""
    conf: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Set when the file's content was streamed to the node and saved here.
    received_path: str = ""
    received_name: str = ""


@dataclasses.dataclass
class UploadResult:
    job_id: str
    namespace: str
    table_name: str
    partition: int
    count: int
    table_count: int
    duplicates: int
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str


@dataclasses.dataclass(frozen=True)
class _Checked:
    """A request that passed every check: where to read, what to call it, and its settings."""

    path: str
    name: str
    drop: int
    head: int
    partition: int


class Uploader:
    """Uploads of one node. Made when the node starts: it settles what a previous run left (half-received
    files, upload jobs left running), so no other process may be uploading into this store then."""

    def __init__(self, store: Store, jobs: LocalJobs, paths: PathPolicy, work_mode: int,
                 incoming_dir: str) -> None:
        self._store = store
        self._jobs = jobs
        self._paths = paths
        self._work_mode = work_mode
        self._incoming = incoming_dir
        os.makedirs(incoming_dir, exist_ok=True)
        self._clear_spool()
        settle_uploads(jobs, store)

    def _clear_spool(self) -> None:
        """Remove the files that a node killed while receiving them left half-written."""
        leftovers = os.listdir(self._incoming)
        if leftovers:
            shutil.rmtree(self._incoming)
            os.makedirs(self._incoming)
            log.info("removed %d half-received upload files left by the previous run", len(leftovers))

    def upload_stream(self, request: UploadRequest, content: Iterable[bytes]) -> UploadResult:
        """Upload a file whose content arrives in pieces (spooled to disk, removed afterwards)."""
        self._check(dataclasses.replace(request, received_path="-"))
        fd, path = tempfile.mkstemp(dir=self._incoming, prefix=f"{uuid.uuid4().hex}-", suffix=".csv")
        try:
            with os.fdopen(fd, "wb") as spool:
                for piece in content:
                    spool.write(piece)
            received = dataclasses.replace(request, received_path=path,
                                           received_name=request.received_name or request.file)
            return self.upload(received)
        finally:
            os.unlink(path)

    def _check(self, request: UploadRequest) -> _Checked:
        """Everything that can be checked before the job starts."""
        fields = {"namespace": request.namespace, "table_name": request.table_name,
                  "work_mode": request.work_mode, "head": request.head, "partition": request.partition}
        if not request.received_path:
            fields["file"] = request.file
        require(fields)
        head, partition, work_mode = int(request.head or 0), int(request.partition or 0), int(request.work_mode or 0)
        check_table_name(request.namespace, request.table_name)
        check_work_mode(work_mode, self._work_mode)
        if head not in (0, 1):
            raise BadRequest(f"head must be 0 or 1, got {head}")
        if not 1 <= partition <= MAX_PARTITIONS:
            raise BadRequest(f"partition must be between 1 and {MAX_PARTITIONS}, got {partition}")
        drop = DROP_REFUSE if request.drop is None else request.drop
        if drop not in (DROP_APPEND, DROP_REPLACE, DROP_REFUSE):
            raise BadRequest(f"drop must be 0 (add rows), 1 (replace the table) or 2 (refuse), got {drop}")
        if len(request.delimiter) != 1 or request.delimiter in "\r\n":
            raise BadRequest("delimiter must be one character other than a line break")
        if drop == DROP_REFUSE and self._store.exists(request.namespace, request.table_name):
            raise self._exists(request)
        if request.received_path:
            path, name = request.received_path, request.received_name or "upload"
        else:
            path, name = self._paths.readable_file("file", request.file), request.file
        return _Checked(path, name, drop, head, partition)

    @staticmethod
    def _exists(request: UploadRequest) -> Conflict:
        return Conflict(f"The data table {request.namespace}.{request.table_name} already exists; "
                        "add drop 1 to replace it or drop 0 to add rows to it")

    def upload(self, request: UploadRequest) -> UploadResult:
        checked = self._check(request)
        layout = inspect_csv(checked.path, checked.name, checked.head, request.delimiter)
        existing = self._table_to_add_to(request, layout.schema()) if checked.drop == DROP_APPEND else None
        parameters = {"namespace": request.namespace, "table_name": request.table_name,
                      "work_mode": request.work_mode, "head": checked.head, "partition": checked.partition,
                      "file": request.file or checked.name, "drop": checked.drop}
        job = self._jobs.start("Upload", parameters, request.notes)
        job.log.info("upload of %s into %s.%s (%d partitions)", checked.name, request.namespace,
                     request.table_name, checked.partition)
        try:
            lines, record = self._load_and_publish(job, request, checked, layout, existing)
        except (FlowError, StorageError) as exc:
            error = self._flow_error(exc, request)
            self._jobs.finish(job, str(error))
            error.job_id = job.job_id
            raise error from None
        except BaseException as exc:
            job.log.exception("upload failed")
            self._jobs.finish(job, disk_full(exc) or f"upload failed: {type(exc).__name__}")
            raise
        self._jobs.record_table(job, record)
        duplicates = lines - record.uploaded
        job.log.info("stored %d rows from %d data lines; the table has %d rows", record.uploaded, lines,
                     record.actual)
        if duplicates:
            job.log.warning("%d duplicate rows dropped: the file has %d data lines but %d distinct ids "
                            "(one row is kept per id)", duplicates, lines, record.uploaded)
        self._jobs.finish(job)
        return UploadResult(job.job_id, request.namespace, request.table_name, record.partition, record.uploaded,
                            record.actual, duplicates, job.job_dsl_path, job.job_runtime_conf_path,
                            job.logs_directory)

    def _load_and_publish(self, job: LocalJob, request: UploadRequest, checked: _Checked, layout: CsvLayout,
                          existing: Table | None) -> tuple[int, TableRecord]:
        """Load the file into a staging table, then, holding the table's lock, publish it or a copy of the
        table to add to (read again under the lock) with its rows added. Returns (data lines, what was
        published); on any failure nothing is left of what was built and the existing table is as it was."""
        staged = self._store.staging(existing.partitions if existing else checked.partition, layout.schema())
        try:
            lines = load_csv(self._store, staged, layout)
            stored = staged.count()
            with self._store.table_lock(request.namespace, request.table_name):
                if checked.drop == DROP_APPEND:
                    existing = self._table_to_add_to(request, layout.schema())
                if existing is None:
                    return lines, self._publish(job, staged, request, stored, checked.drop == DROP_REPLACE)
                merged = self._store.staging_copy(existing)
                try:
                    staged.copy_into(merged)
                    merged.sync()
                    return lines, self._publish(job, merged, request, stored, True)
                finally:
                    self._store.discard(merged)  # nothing is left of it once published
        finally:
            self._store.discard(staged)

    def _publish(self, job: LocalJob, version: Table, request: UploadRequest, stored: int,
                 replace: bool) -> TableRecord:
        record = TableRecord(request.namespace, request.table_name, version.partitions, stored, version.count(),
                             version.schema)
        self._jobs.note_table(job, record)
        self._store.publish(version, request.namespace, request.table_name, replace=replace, written_by=job.job_id)
        return record

    def _flow_error(self, exc: Exception, request: UploadRequest) -> FlowError:
        if isinstance(exc, FlowError):
            return exc
        if isinstance(exc, TableExists):  # created by another upload while this one ran
            return self._exists(request)
        return BadRequest(str(exc))

    def _table_to_add_to(self, request: UploadRequest, schema: dict[str, Any]) -> Table | None:
        """The table the rows are to be added to, if it exists; it must have the file's columns."""
        try:
            existing = self._store.table(request.namespace, request.table_name)
        except TableNotFound:
            return None
        for key in ("sid", "header"):
            if existing.schema.get(key) != schema.get(key):
                raise BadRequest(f"the file's columns do not match those of table "
                                 f"{request.namespace}.{request.table_name}, so its rows cannot be added")
        return existing
