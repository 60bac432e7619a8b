"""What the flow API reads about jobs - rows, config, DAG, data view, logs - and cleaning a job up."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Iterator

from fate_runtime.dsl import JobPlan
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.jobs.archive_stream import directory_members, tar_gz
from fate_runtime.jobs.predict import predict_parameters
from fate_runtime.state.data_views import DataViewRecord, DataViews
from fate_runtime.state.job_store import JobRecord, JobStore, TaskRecord
from fate_runtime.state.model_versions import ModelVersions, VersionKey
from fate_runtime.state.tracking import TrackingQueries
from federation import Receiver
from fate_runtime.data.node_tables import NodeTables
from storage import Store
from storage.spark.directory import SparkDirectory


@dataclasses.dataclass(frozen=True)
class JobConfig:
    dsl: dict[str, Any]
    runtime_conf: dict[str, Any]
    train_runtime_conf: dict[str, Any]
    model_id: str
    model_version: str


@dataclasses.dataclass(frozen=True)
class DagNode:
    name: str
    module: str
    upstream: tuple[str, ...]
    need_run: bool


@dataclasses.dataclass(frozen=True)
class InputTableRef:
    role: str
    party_id: str
    name: str
    namespace: str
    table_name: str


@dataclasses.dataclass(frozen=True)
class DataView:
    job: JobRecord
    roles: dict[str, list[str]]  # the job's parties by role (party ids as text)
    inputs: list[InputTableRef]


class JobQueries:
    def __init__(self, jobs: JobStore, tracking: TrackingQueries, views: DataViews, store: Store,
                 received: Receiver, versions: ModelVersions, spark: SparkDirectory | None = None) -> None:
        self._versions = versions
        self._jobs = jobs
        self._tracking = tracking
        self._views = views
        self._tables = NodeTables(store, spark)
        self._received = received

    def jobs(self, filters: dict[str, str], limit: int | None = None) -> list[JobRecord]:
        rows = self._jobs.jobs(filters, limit)
        if not rows and filters.get("job_id"):  # (a job whose rows the other filters exclude: "find job failed")
            self._exists(filters["job_id"])
        return rows

    def tasks(self, filters: dict[str, str]) -> list[TaskRecord]:
        rows = self._jobs.tasks(filters)
        if not rows and filters.get("job_id"):
            self._exists(filters["job_id"])
        return rows

    def data_views(self, filters: dict[str, str]) -> list[DataViewRecord]:
        """The tables jobs wrote, matching every filter (none without a filter)."""
        rows = self._views.rows(filters)
        if not rows and filters.get("job_id"):
            self._exists(filters["job_id"])
        return rows

    def _exists(self, job_id: str) -> None:
        if not self._jobs.jobs({"job_id": job_id}):
            raise NotFound(f"job {job_id} does not exist")

    def job_row(self, job_id: str, role: str, party_id: str) -> JobRecord:
        if not job_id:
            raise BadRequest("the following arguments are required: job_id")
        rows = self._jobs.jobs({"job_id": job_id, "role": role, "party_id": party_id})
        if not rows:
            raise NotFound(f"job {job_id} of {role or 'any role'} {party_id or ''} does not exist".replace("  ", " "))
        return rows[0]

    def plan(self, job_id: str) -> JobPlan:
        return self._jobs.plan(job_id)

    def update_notes(self, job_id: str, role: str, party_id: str, notes: str) -> None:
        if not (job_id and role and party_id):
            raise BadRequest("the following arguments are required: job_id, role, party_id")
        if not self._jobs.update_notes(job_id, role, party_id, notes):
            raise NotFound(f"job {job_id} of {role} {party_id} does not exist")

    def train_conf(self, job: JobRecord) -> dict[str, Any]:
        """A predict job's training runtime conf on the job's party (the one its model version keeps, else its
        training job's here); {} for any other job."""
        trained = predict_parameters(job.runtime_conf)
        if trained is None:
            return {}
        key = VersionKey(*trained, job.role, job.party_id)
        if self._versions.exists(key):
            return self._versions.pipeline(key).runtime_conf
        training = self._jobs.job(key.model_version, job.role, job.party_id)
        return training.runtime_conf if training is not None else {}

    def config(self, job_id: str, role: str, party_id: str) -> JobConfig:
        """The job's DSL and confs; model_info names the model a predict job predicts with, as FATE's does."""
        row = self.job_row(job_id, role, party_id)
        model_id, model_version = predict_parameters(row.runtime_conf) or (self._jobs.plan(job_id).model_id(), job_id)
        return JobConfig(row.dsl, row.runtime_conf, self.train_conf(row), model_id, model_version)

    def dag_dependency(self, job_id: str, role: str, party_id: str) -> list[DagNode]:
        row = self.job_row(job_id, role, party_id)
        plan = self._jobs.plan(job_id)
        return [DagNode(name, c.module, c.upstream, plan.runs_on(name, row.role, row.party_id))
                for name, c in plan.components.items()]

    def data_view(self, job_id: str, role: str, party_id: str) -> DataView:
        row = self.job_row(job_id, role, party_id)
        plan = self._jobs.plan(job_id)
        inputs = [InputTableRef(row.role, row.party_id, name, str(t.get("namespace")), str(t.get("name")))
                  for name, t in plan.input_tables(row.role, row.party_id).items()]
        return DataView(row, plan.roles, inputs)

    def log_archive(self, job_id: str) -> Iterator[bytes]:
        """The job's log folder as a tar.gz, made while it is sent (FATE's client extracts it into
        job_<id>_log itself, so members are named relative to the folder)."""
        directory = self._jobs.logs_dir(job_id)
        if not os.path.isdir(directory):
            raise NotFound(f"job {job_id} has no logs on this node")
        return tar_gz(directory_members(directory))

    def clean(self, job_id: str, role: str, party_id: str, component: str) -> list[tuple[str, str]]:
        """Delete the tables a job made (outputs, temporaries, on either backend) and its metrics; for the whole job,
        also what it received (tables, objects and their records: the job takes no more transfers)."""
        self._exists(job_id)
        outputs = self._tracking.output_data(job_id, component, role, party_id)
        deleted = [(o.namespace, o.table_name) for o in outputs if self._tables.destroy(o.namespace, o.table_name)]
        if not (role or party_id or component):  # the whole job: what it received and its leftovers too
            deleted += self._received.forget_job(job_id)
            deleted += [(m.namespace, m.name) for m in self._tables.list_tables(f"output.{job_id}")]
            self._tables.destroy_namespace(f"output.{job_id}")
        self._tracking.forget(job_id, component, role, party_id)
        return deleted
