"""What components record while they run - metrics, parameters, output data and models - and reading it back."""

from __future__ import annotations

import json
from typing import Any, Sequence

from fate_runtime.state.db import Database, now_ms
from storage import Table

METRIC_DATA = 1
METRIC_META = 0


class TaskTracker:
    """The tracker of one task (job, component, role, party): what the component's context offers."""

    def __init__(self, db: Database, job_id: str, component: str, role: str, party_id: str,
                 declared_outputs: Sequence[str] = ()) -> None:
        self._db = db
        self._where = {"f_job_id": job_id, "f_component_name": component, "f_role": role, "f_party_id": party_id}
        self._declared = list(declared_outputs)
        self._saved: list[str] = []

    def _output_name(self, name: str) -> str:
        """The DSL's name for an output: as FATE, outputs take the declared names in order."""
        if not self._declared or name in self._declared:
            return name
        free = [declared for declared in self._declared if declared not in self._saved]
        return free[0] if free else name

    def log_metric_data(self, namespace: str, name: str, data: list[tuple[Any, Any]]) -> None:
        now = now_ms()
        for key, value in data:
            self._db.insert("t_tracking_metric", {**self._where, "f_metric_namespace": namespace,
                                                  "f_metric_name": name, "f_type": METRIC_DATA,
                                                  "f_key": json.dumps(key), "f_value": value, "f_create_time": now})

    def set_metric_meta(self, namespace: str, name: str, meta: dict[str, Any]) -> None:
        self._db.insert("t_tracking_metric", {**self._where, "f_metric_namespace": namespace, "f_metric_name": name,
                                              "f_type": METRIC_META, "f_key": "", "f_value": meta,
                                              "f_create_time": now_ms()})

    def save_parameters(self, module: str, parameters: dict[str, Any]) -> None:
        self._db.insert("t_component_parameters", {**self._where, "f_module": module, "f_parameters": parameters})

    def save_output_data(self, name: str, table: Table) -> None:
        name = self._output_name(name)
        self._saved.append(name)
        self._db.insert("t_output_data", {**self._where, "f_data_name": name, "f_table_namespace": table.namespace,
                                          "f_table_name": table.name, "f_create_time": now_ms()})

    def save_output_model(self, name: str, model: dict[str, Any]) -> None:
        self._db.insert("t_output_model", {**self._where, "f_name": name, "f_model": model, "f_create_time": now_ms()})


class TrackingQueries:
    """Reading what tasks recorded, in the shapes the flow API returns."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _task(job_id: str, component: str, role: str, party_id: str) -> tuple[str, tuple[str, ...]]:
        return ("f_job_id = ? AND f_component_name = ? AND f_role = ? AND f_party_id = ?",
                (job_id, component, role, str(party_id)))

    def metrics(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, list[str]]:
        where, params = self._task(job_id, component, role, party_id)
        rows = self._db.query(f"SELECT DISTINCT f_metric_namespace, f_metric_name FROM t_tracking_metric WHERE {where}"
                              " ORDER BY f_metric_namespace, f_metric_name", params)
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["f_metric_namespace"], []).append(row["f_metric_name"])
        return found

    def metric(self, job_id: str, component: str, role: str, party_id: str, namespace: str,
               name: str) -> tuple[list[list[Any]], dict[str, Any]]:
        """(data points [[key, value], ...], meta) of one metric."""
        where, params = self._task(job_id, component, role, party_id)
        rows = self._db.query(f"SELECT f_type, f_key, f_value FROM t_tracking_metric WHERE {where}"
                              " AND f_metric_namespace = ? AND f_metric_name = ? ORDER BY f_id",
                              (*params, namespace, name))
        data = [[json.loads(r["f_key"]), r["f_value"]] for r in rows if r["f_type"] == METRIC_DATA]
        meta: dict[str, Any] = {}
        for row in rows:
            if row["f_type"] == METRIC_META:
                meta.update(row["f_value"])
        return data, meta

    def all_metrics(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, Any]:
        return {namespace: {name: dict(zip(("data", "meta"), self.metric(job_id, component, role, party_id,
                                                                        namespace, name)))
                            for name in names}
                for namespace, names in self.metrics(job_id, component, role, party_id).items()}

    def parameters(self, job_id: str, component: str, role: str, party_id: str) -> tuple[str, dict[str, Any]] | None:
        where, params = self._task(job_id, component, role, party_id)
        rows = self._db.query(f"SELECT f_module, f_parameters FROM t_component_parameters WHERE {where}", params)
        return (rows[0]["f_module"], rows[0]["f_parameters"]) if rows else None

    def output_data(self, job_id: str, component: str, role: str, party_id: str) -> list[dict[str, Any]]:
        where, params = self._task(job_id, component, role, party_id)
        return self._db.query(f"SELECT f_data_name, f_table_namespace, f_table_name FROM t_output_data WHERE {where}"
                              " ORDER BY f_data_name", params)

    def output_model(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, Any]:
        where, params = self._task(job_id, component, role, party_id)
        rows = self._db.query(f"SELECT f_name, f_model FROM t_output_model WHERE {where} ORDER BY f_name", params)
        return {row["f_name"]: row["f_model"] for row in rows}
