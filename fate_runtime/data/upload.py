"""Upload: a CSV file (on the node, or streamed to it) into a table, as one local job.

The rows go into a staging table that is published only when every row is in, so a failed
upload leaves no table behind. Rows added to an existing table (drop 0) go into a staged copy
of it, published over it in one step: until then the old table is whole, and a node killed part
way leaves it as it was. Appends and replaces of one table hold its lock from reading it to
publishing, so two at once both land. The published table names its job (`written_by`): after a
restart, `settle_uploads` tells a job that had published from one that had not.

The conf's `backend` (FATE 1.5's: 0 the LMDB store, 1 Spark; none: the node's `computing`) says where the table
goes. On Spark, the file is parsed and the table written by Spark's executors (spark_csv_import.py) in a child
process; the node then publishes the staged table as it does an LMDB one. A table lives on one backend: an upload
onto the other one is refused.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import uuid
from contextlib import nullcontext
from typing import Any, Iterable

from fate_runtime.computing import LMDB, SPARK
from fate_runtime.data.csv_loader import CsvLayout, inspect_csv, load_csv
from fate_runtime.data.node_tables import NodeTables, SparkSide, StoredTable
from fate_runtime.data.spark_csv_import import CsvImport
from fate_runtime.errors import BadRequest, Conflict, FlowError, disk_full
from fate_runtime.state.local_jobs import LocalJob, LocalJobs, TableRecord
from fate_runtime.data.paths import PathPolicy
from fate_runtime.data.upload_recovery import settle_uploads
from fate_runtime.request_checks import check_table_name, check_work_mode, require
from storage import MAX_PARTITIONS, Store, StorageError, Table, TableExists, TableMeta

_BACKENDS = (LMDB, SPARK)  # by FATE's upload conf `backend` number
_BACKEND_NAMES = {LMDB: "the LMDB store", SPARK: "Spark"}

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
    backend: int | None = None  # FATE 1.5's upload backend: 0 the LMDB store, 1 Spark; None: the node's computing


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
    backend: str


class Uploader:
    """Uploads of one node. Made when the node starts: it settles what a previous run left (half-received
    files, upload jobs left running), so no other process may be uploading into this store then."""

    def __init__(self, store: Store, jobs: LocalJobs, paths: PathPolicy, work_mode: int,
                 incoming_dir: str, spark: SparkSide | None = None, computing: str = LMDB) -> None:
        self._store = store
        self._tables = NodeTables(store, spark.directory if spark else None)
        self._spark = spark
        self._computing = computing
        self._jobs = jobs
        self._paths = paths
        self._work_mode = work_mode
        self._incoming = incoming_dir
        os.makedirs(incoming_dir, exist_ok=True)
        self._clear_spool()
        settle_uploads(jobs, self._tables)

    def _clear_spool(self) -> None:
        """Remove the files that a node killed while receiving them left half-written."""
        leftovers = os.listdir(self._incoming)
        if leftovers:
            shutil.rmtree(self._incoming)
            os.makedirs(self._incoming)
            log.info("removed %d half-received upload files left by the previous run", len(leftovers))

    def upload_stream(self, request: UploadRequest, content: Iterable[bytes]) -> UploadResult:
        """Upload a file whose content arrives in pieces (spooled to disk, removed afterwards)."""
        checked = self._check(dataclasses.replace(request, received_path="-"))
        spool_dir = self._incoming
        if checked.backend == SPARK:  # where Spark's executors can read it
            assert self._spark is not None
            spool_dir = self._spark.directory.new_staging_dir()
        fd, path = tempfile.mkstemp(dir=spool_dir, prefix=f"{uuid.uuid4().hex}-", suffix=".csv")
        try:
            with os.fdopen(fd, "wb") as spool:
                for piece in content:
                    spool.write(piece)
            received = dataclasses.replace(request, received_path=path,
                                           received_name=request.received_name or request.file)
            return self.upload(received)
        finally:
            os.unlink(path)
            if spool_dir != self._incoming:
                os.rmdir(spool_dir)

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
        backend = self._backend(request.backend)
        stored_on = self._tables.backend_of(request.namespace, request.table_name)
        if stored_on is not None and drop == DROP_REFUSE:
            raise self._exists(request)
        if stored_on not in (None, backend):
            raise BadRequest(f"the data table {request.namespace}.{request.table_name} is stored on "
                             f"{_BACKEND_NAMES[stored_on]}, so it cannot be added to or replaced on "
                             f"{_BACKEND_NAMES[backend]}; upload with backend {_BACKENDS.index(stored_on)} or "
                             "delete the table first")
        if request.received_path:
            path, name = request.received_path, request.received_name or "upload"
        else:
            path, name = self._paths.readable_file("file", request.file), request.file
        return _Checked(path, name, drop, head, partition, backend)

    def _backend(self, requested: int | None) -> str:
        """The backend the upload goes to: the conf's `backend`, else the node's `computing`."""
        if requested is None:
            return self._computing
        if requested not in (0, 1):
            raise BadRequest(f"backend must be 0 (the embedded LMDB store) or 1 (Spark), got {requested}")
        if requested == 1 and self._spark is None:
            raise BadRequest("backend 1 asks for Spark, which this node does not offer: it has no spark settings "
                             "(spark.storage_dir)")
        return _BACKENDS[requested]

    @staticmethod
    def _exists(request: UploadRequest) -> Conflict:
        return Conflict(f"The data table {request.namespace}.{request.table_name} already exists; "
                        "add drop 1 to replace it or drop 0 to add rows to it")

    def upload(self, request: UploadRequest) -> UploadResult:
        checked = self._check(request)
        layout = inspect_csv(checked.path, checked.name, checked.head, request.delimiter)
        existing = self._table_to_add_to(request, layout.schema(), checked.backend) \
            if checked.drop == DROP_APPEND else None
        parameters = {"namespace": request.namespace, "table_name": request.table_name,
                      "work_mode": request.work_mode, "head": checked.head, "partition": checked.partition,
                      "file": request.file or checked.name, "drop": checked.drop}
        job = self._jobs.start("Upload", parameters, request.notes)
        job.log.info("upload of %s into %s.%s (%d partitions)", checked.name, request.namespace,
                     request.table_name, checked.partition)
        try:
            if checked.backend == SPARK:
                lines, record = self._load_on_spark(job, request, checked, layout)
            else:
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
                          existing: StoredTable | None) -> tuple[int, TableRecord]:
        """Load the file into a staging table, then, holding the table's lock, publish it or a copy of the
        table to add to (read again under the lock) with its rows added. Returns (data lines, what was
        published); on any failure nothing is left of what was built and the existing table is as it was."""
        staged = self._store.staging(existing.partitions if existing else checked.partition, layout.schema())
        try:
            lines = load_csv(self._store, staged, layout)
            stored = staged.count()
            with self._store.table_lock(request.namespace, request.table_name):
                if checked.drop == DROP_APPEND:
                    existing = self._table_to_add_to(request, layout.schema(), LMDB)
                if existing is None:
                    return lines, self._publish(job, staged, request, stored, checked.drop == DROP_REPLACE)
                assert isinstance(existing, Table)
                merged = self._store.staging_copy(existing)
                try:
                    staged.copy_into(merged)
                    merged.sync()
                    return lines, self._publish(job, merged, request, stored, True)
                finally:
                    self._store.discard(merged)  # nothing is left of it once published
        finally:
            self._store.discard(staged)

    def _load_on_spark(self, job: LocalJob, request: UploadRequest, checked: _Checked,
                       layout: CsvLayout) -> tuple[int, TableRecord]:
        """Build the table on Spark (its rows added to the existing table's with drop 0, under the table's lock from
        the read to the publish), then publish it here. Returns (data lines, what was published)."""
        assert self._spark is not None
        spark, namespace, name = self._spark, request.namespace, request.table_name
        with self._store.table_lock(namespace, name) if checked.drop == DROP_APPEND else nullcontext():
            existing = self._table_to_add_to(request, layout.schema(), SPARK) \
                if checked.drop == DROP_APPEND else None
            partitions = existing.partitions if existing else checked.partition
            build = CsvImport(layout, partitions, spark.directory.table_dir(namespace, name) if existing else "")
            built = spark.run("import_csv", build.to_json(), os.path.join(job.logs_directory, "spark.log"))
            try:
                schema = existing.schema if existing else layout.schema()
                record = TableRecord(namespace, name, partitions, built["stored"], built["actual"], schema)
                self._jobs.note_table(job, record)
                spark.directory.publish(built["staged_dir"], TableMeta(namespace, name, partitions, schema,
                                                                       written_by=job.job_id),
                                        replace=checked.drop != DROP_REFUSE)
            except BaseException:
                shutil.rmtree(built["staged_dir"], ignore_errors=True)
                raise
        return built["lines"], record

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

    def _table_to_add_to(self, request: UploadRequest, schema: dict[str, Any], backend: str) -> StoredTable | None:
        """The table on `backend` the rows are to be added to, if it exists; it must have the file's columns."""
        existing = self._tables.table_on(backend, request.namespace, request.table_name)
        if existing is None:
            return None
        for key in ("sid", "header"):
            if existing.schema.get(key) != schema.get(key):
                raise BadRequest(f"the file's columns do not match those of table "
                                 f"{request.namespace}.{request.table_name}, so its rows cannot be added")
        return existing
