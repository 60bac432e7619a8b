"""What the flow API reads about jobs: rows, config, DAG, data view, logs, outputs - and cleaning up."""

from __future__ import annotations

import csv
import io
import json
import os
from itertools import chain, islice
from typing import Any, Iterator

import numpy as np

from fate_runtime.jobs.archive_stream import directory_members, file_member, tar_gz
from fate_runtime.components import REGISTRY
from fate_runtime.state.db import Database
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.state.job_store import JobStore
from fate_runtime.state.tracking import TrackingQueries
from federation import Receiver
from storage import Store, Table, TableNotFound

DEFAULT_PREVIEW_ROWS = 100
MAX_PREVIEW_ROWS = 10_000
_CSV_BATCH = 10_000


def _row_values(value: Any, delimiter: str) -> list[Any]:
    if isinstance(value, str):
        return value.split(delimiter) if value else []
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return [json.dumps(value, default=str)]
    return [value]


class JobQueries:
    def __init__(self, jobs: JobStore, db: Database, store: Store, received: Receiver) -> None:
        self._jobs = jobs
        self._db = db
        self._store = store
        self._received = received
        self._tracking = TrackingQueries(db)

    # ---- jobs ---------------------------------------------------------------------------

    def jobs(self, filters: dict[str, str], limit: int | None = None) -> list[dict[str, Any]]:
        rows = self._jobs.jobs({f"f_{k}": v for k, v in filters.items()}, limit)
        if not rows and filters.get("job_id"):  # (a job whose rows the other filters exclude: "find job failed")
            if not self._jobs.jobs({"f_job_id": filters["job_id"]}):
                raise NotFound(f"job {filters['job_id']} does not exist")
        return rows

    def tasks(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        renamed = {("f_component_name" if k == "component_name" else f"f_{k}"): v for k, v in filters.items()}
        rows = self._jobs.tasks(renamed)
        if not rows and filters.get("job_id"):
            if not self._jobs.jobs({"f_job_id": filters["job_id"]}):
                raise NotFound(f"job {filters['job_id']} does not exist")
        return rows

    def _job_row(self, job_id: str, role: str, party_id: str) -> dict[str, Any]:
        rows = self._jobs.jobs({"f_job_id": job_id, "f_role": role, "f_party_id": party_id})
        if not rows:
            raise NotFound(f"job {job_id} of {role or 'any role'} {party_id or ''} does not exist".replace("  ", " "))
        return rows[0]

    def update_notes(self, job_id: str, role: str, party_id: str, notes: str) -> None:
        if not (job_id and role and party_id):
            raise BadRequest("the following arguments are required: job_id, role, party_id")
        if not self._jobs.update_notes(job_id, role, party_id, notes):
            raise NotFound(f"job {job_id} of {role} {party_id} does not exist")

    def config(self, job_id: str, role: str, party_id: str) -> dict[str, Any]:
        row = self._job_row(job_id, role, party_id)
        plan = self._jobs.plan(job_id)
        return {"job_id": job_id, "dsl": row["f_dsl"], "runtime_conf": row["f_runtime_conf"],
                "train_runtime_conf": {}, "model_info": {"model_id": plan.model_id(), "model_version": job_id}}

    def dag_dependency(self, job_id: str, role: str, party_id: str) -> dict[str, Any]:
        row = self._job_row(job_id, role, party_id)
        plan = self._jobs.plan(job_id)
        return {"component_list": list(plan.components),
                "dependencies": plan.dependencies(),
                "component_module": {name: c.module for name, c in plan.components.items()},
                "component_need_run": {name: plan.runs_on(name, row["f_role"], row["f_party_id"])
                                       for name in plan.components}}

    def data_view(self, job_id: str, role: str, party_id: str) -> dict[str, Any]:
        row = self._job_row(job_id, role, party_id)
        plan = self._jobs.plan(job_id)
        dataset = {r: {p: {name: f"{t.get('namespace')}.{t.get('name')}" for name, t in
                           plan.input_tables(r, p).items()}} for r, p in [(row["f_role"], row["f_party_id"])]}
        partners = {r: parties for r, parties in plan.roles.items() if r != row["f_role"]}
        return {"job_id": job_id, "role": row["f_role"], "party_id": row["f_party_id"], "roles": plan.roles,
                "dataset": dataset, "partner": partners, "status": row["f_status"],
                "model_summary": {}}

    def log_archive(self, job_id: str) -> Iterator[bytes]:
        """The job's log folder as a tar.gz, made while it is sent (FATE's client extracts it into
        job_<id>_log itself, so members are named relative to the folder)."""
        directory = self._jobs.logs_dir(job_id)
        if not os.path.isdir(directory):
            raise NotFound(f"job {job_id} has no logs on this node")
        return tar_gz(directory_members(directory))

    def clean(self, job_id: str, role: str, party_id: str, component: str) -> list[tuple[str, str]]:
        """Delete the tables a job made (outputs, temporaries) and its metrics; for the whole job, also what it
        received (tables, objects and their records: the job takes no more transfers)."""
        if not self._jobs.jobs({"f_job_id": job_id}):
            raise NotFound(f"job {job_id} does not exist")
        where = {"f_job_id": job_id, "f_role": role, "f_party_id": party_id, "f_component_name": component}
        given = {k: v for k, v in where.items() if v}
        condition = " AND ".join(f"{k} = ?" for k in given)
        outputs = self._db.query(f"SELECT f_table_namespace, f_table_name FROM t_output_data WHERE {condition}",
                                 tuple(given.values()))
        deleted = [(r["f_table_namespace"], r["f_table_name"]) for r in outputs
                   if self._store.destroy(r["f_table_namespace"], r["f_table_name"])]
        if len(given) == 1:  # the whole job: what it received and its leftovers too
            deleted += self._received.forget_job(job_id)
            deleted += [(m.namespace, m.name) for m in self._store.list_tables(f"output.{job_id}")]
            self._store.destroy_namespace(f"output.{job_id}")
        for table in ("t_output_data", "t_tracking_metric"):
            self._db.execute(f"DELETE FROM {table} WHERE {condition}", tuple(given.values()))
        return deleted

    # ---- components -----------------------------------------------------------------------

    def _component(self, job_id: str, component: str, role: str, party_id: str) -> None:
        if not (job_id and component and role and party_id):
            raise BadRequest("the following arguments are required: job_id, component_name, role, party_id")
        self._job_row(job_id, role, party_id)
        if component not in self._jobs.plan(job_id).components:
            raise NotFound(f"job {job_id} has no component {component}")

    def metrics(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, list[str]]:
        self._component(job_id, component, role, party_id)
        return self._tracking.metrics(job_id, component, role, party_id)

    def metric_all(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, Any]:
        self._component(job_id, component, role, party_id)
        return self._tracking.all_metrics(job_id, component, role, party_id)

    def metric(self, job_id: str, component: str, role: str, party_id: str, namespace: str,
               name: str) -> tuple[list[list[Any]], dict[str, Any]]:
        self._component(job_id, component, role, party_id)
        if not namespace or not name:
            raise BadRequest("the following arguments are required: metric_namespace, metric_name")
        data, meta = self._tracking.metric(job_id, component, role, party_id, namespace, name)
        if not data and not meta:
            raise NotFound(f"component {component} has no metric {namespace}.{name}")
        return data, meta

    def parameters(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, Any]:
        self._component(job_id, component, role, party_id)
        found = self._tracking.parameters(job_id, component, role, party_id)
        if found is None:
            raise NotFound(f"component {component} of {role} {party_id} has not run")
        module, params = found
        return {"module": module, "ComponentParam": params, "job_id": job_id, "role": role,
                "party_id": party_id, "component_name": component,
                "module_roles": list(REGISTRY[module].roles) if module in REGISTRY else []}

    def output_model(self, job_id: str, component: str, role: str, party_id: str) -> tuple[dict, dict]:
        self._component(job_id, component, role, party_id)
        model = self._tracking.output_model(job_id, component, role, party_id)
        meta = {"component_module_name": self._jobs.plan(job_id).components[component].module,
                "model_alias": next(iter(model), ""), "model_version": job_id}
        return model, meta

    def output_tables(self, job_id: str, component: str, role: str, party_id: str) -> list[tuple[str, str]]:
        self._component(job_id, component, role, party_id)
        rows = self._tracking.output_data(job_id, component, role, party_id)
        if not rows:
            raise NotFound(f"component {component} of {role} {party_id} has no output data")
        return [(r["f_table_namespace"], r["f_table_name"]) for r in rows]

    def _output_table(self, job_id: str, component: str, role: str, party_id: str) -> Table:
        namespace, name = self.output_tables(job_id, component, role, party_id)[0]
        try:
            return self._store.table(namespace, name)
        except TableNotFound:
            raise NotFound(f"the output table {namespace}.{name} of {component} was deleted") from None

    @staticmethod
    def _header(table: Table) -> list[str]:
        schema = table.schema
        header = schema.get("header", "")
        names = header.split(schema.get("delimiter", ",")) if isinstance(header, str) and header else list(header or [])
        return [schema.get("sid", "id"), *names]

    def output_preview(self, job_id: str, component: str, role: str, party_id: str,
                       limit: int) -> tuple[list[list[Any]], list[str], int]:
        table = self._output_table(job_id, component, role, party_id)
        count = min(MAX_PREVIEW_ROWS, limit if limit > 0 else DEFAULT_PREVIEW_ROWS)
        delimiter = table.schema.get("delimiter", ",")
        rows = [[key, *_row_values(value, delimiter)] for key, value in table.take(count)]
        return rows, self._header(table), table.count()

    def output_archive(self, job_id: str, component: str, role: str, party_id: str, limit: int) -> Iterator[bytes]:
        """A tar.gz with output_data.csv (header line first) and output_data_meta.json, made while it is sent:
        the CSV is rendered twice, once to learn its size (a tar header comes first), once to send it."""
        table = self._output_table(job_id, component, role, party_id)
        header = self._header(table)
        delimiter = table.schema.get("delimiter", ",")

        def csv_pieces() -> Iterator[bytes]:
            pairs = table.collect() if limit <= 0 else islice(table.collect(), limit)
            rows = chain([header], ([key, *_row_values(value, delimiter)] for key, value in pairs))
            while batch := list(islice(rows, _CSV_BATCH)):
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(batch)
                yield text.getvalue().encode()

        size = sum(len(piece) for piece in csv_pieces())
        meta = json.dumps({"header": header}).encode()
        return tar_gz([(file_member("output_data.csv", size), csv_pieces),
                       (file_member("output_data_meta.json", len(meta)), lambda: [meta])])
