"""What components record while they run - metrics, parameters, output data - and reading it back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Sequence

from fate_runtime.state.db import Database, now_ms
from fate_runtime.state.job_store import task_id
from fate_runtime.state.tables import DATA_VIEWS, METRICS, OUTPUT_DATA, PARAMETERS
from storage.computing import ComputingTable

METRIC_DATA = 1
METRIC_META = 0


@dataclasses.dataclass(frozen=True)
class OutputTable:
    """An output of a task: the DSL's name for it and the table it is."""

    data_name: str
    namespace: str
    table_name: str


def _task(job_id: str, component: str, role: str, party_id: str) -> dict[str, str]:
    return {"f_job_id": job_id, "f_component_name": component, "f_role": role, "f_party_id": str(party_id)}


class TaskTracker:
    """The tracker of one task (job, component, role, party): what the component's context offers."""

    def __init__(self, db: Database, job_id: str, component: str, role: str, party_id: str,
                 declared_outputs: Sequence[str] = ()) -> None:
        self._db = db
        self._where = _task(job_id, component, role, party_id)
        self._task_id = task_id(job_id, component)
        self._declared = list(declared_outputs)
        self._saved: list[str] = []

    def _output_name(self, name: str) -> str:
        """The DSL's name for an output: as FATE, outputs take the declared names in order."""
        if not self._declared or name in self._declared:
            return name
        free = [declared for declared in self._declared if declared not in self._saved]
        return free[0] if free else name

    def log_metric_data(self, namespace: str, name: str, data: list[tuple[Any, Any]]) -> None:
        """The points of a metric, written in one transaction."""
        now = now_ms()
        METRICS.insert_many(self._db, [{**self._where, "f_metric_namespace": namespace, "f_metric_name": name,
                                        "f_type": METRIC_DATA, "f_key": json.dumps(key), "f_value": value,
                                        "f_create_time": now} for key, value in data])

    def set_metric_meta(self, namespace: str, name: str, meta: dict[str, Any]) -> None:
        METRICS.insert(self._db, {**self._where, "f_metric_namespace": namespace, "f_metric_name": name,
                                  "f_type": METRIC_META, "f_key": "", "f_value": meta, "f_create_time": now_ms()})

    def save_parameters(self, module: str, parameters: dict[str, Any]) -> None:
        PARAMETERS.insert(self._db, {**self._where, "f_module": module, "f_parameters": parameters}, replace=True)

    def save_output_data(self, name: str, table: ComputingTable) -> None:
        """Record `table` as the output `name` of the task, and as a table the job wrote (its data view)."""
        name = self._output_name(name)
        self._saved.append(name)
        now = now_ms()
        written = {"f_table_namespace": table.namespace, "f_table_name": table.name}
        view = {**self._where, **written, "f_task_id": self._task_id, "f_partition": table.partitions,
                "f_table_count_actual": table.count(), "f_create_time": now, "f_update_time": now}
        with self._db.transaction() as conn:
            OUTPUT_DATA.insert(conn, {**self._where, **written, "f_data_name": name, "f_create_time": now},
                               replace=True)
            DATA_VIEWS.insert(conn, view, replace=True)


class TrackingQueries:
    """Reading what tasks recorded."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def metrics(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, list[str]]:
        """Metric names by namespace."""
        rows = METRICS.select(self._db, _task(job_id, component, role, party_id), "f_metric_namespace, f_metric_name",
                              columns="DISTINCT f_metric_namespace, f_metric_name")
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["f_metric_namespace"], []).append(row["f_metric_name"])
        return found

    def metric(self, job_id: str, component: str, role: str, party_id: str, namespace: str,
               name: str) -> tuple[list[list[Any]], dict[str, Any]]:
        """(data points [[key, value], ...], meta) of one metric."""
        where = {**_task(job_id, component, role, party_id), "f_metric_namespace": namespace, "f_metric_name": name}
        rows = METRICS.select(self._db, where, "f_id", columns="f_type, f_key, f_value")
        data = [[json.loads(r["f_key"]), r["f_value"]] for r in rows if r["f_type"] == METRIC_DATA]
        meta: dict[str, Any] = {}
        for row in rows:
            if row["f_type"] == METRIC_META:
                meta.update(row["f_value"])
        return data, meta

    def parameters(self, job_id: str, component: str, role: str, party_id: str) -> tuple[str, dict[str, Any]] | None:
        rows = PARAMETERS.select(self._db, _task(job_id, component, role, party_id), columns="f_module, f_parameters")
        return (rows[0]["f_module"], rows[0]["f_parameters"]) if rows else None

    def output_data(self, job_id: str, component: str = "", role: str = "", party_id: str = "",
                    data_name: str = "") -> list[OutputTable]:
        """Output tables of a job's tasks, narrowed by whichever of component, role, party and name are given."""
        where = {k: v for k, v in {**_task(job_id, component, role, party_id), "f_data_name": data_name}.items() if v}
        rows = OUTPUT_DATA.select(self._db, where, "f_data_name",
                                  columns="f_data_name, f_table_namespace, f_table_name")
        return [OutputTable(r["f_data_name"], r["f_table_namespace"], r["f_table_name"]) for r in rows]

    def forget(self, job_id: str, component: str = "", role: str = "", party_id: str = "") -> None:
        """Drop the output-data records, their data views and the metrics of a job (narrowed by component, role,
        party)."""
        where = {k: v for k, v in _task(job_id, component, role, party_id).items() if v}
        outputs = " AND ".join(f"o.{column} = ?" for column in where)
        same_table = " AND ".join(f"o.{column} = t_data_view.{column}" for column in (
            "f_job_id", "f_component_name", "f_role", "f_party_id", "f_table_namespace", "f_table_name"))
        with self._db.transaction() as conn:
            conn.execute(f"DELETE FROM t_data_view WHERE EXISTS (SELECT 1 FROM t_output_data o WHERE {outputs}"
                         f" AND {same_table})", list(where.values()))
            for table in (OUTPUT_DATA, METRICS):
                table.delete(conn, where)
