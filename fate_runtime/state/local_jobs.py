"""Jobs a node runs by itself for one request (upload, download): ids, conf files, log, status row."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
from typing import Any

from fate_runtime.dsl import LOCAL_PARTY, LOCAL_ROLE, local_plan
from fate_runtime.state.db import Database, now_ms
from fate_runtime.state.job_store import task_id
from fate_runtime.state.tables import DATA_VIEWS, JOB_PLANS, JOBS, PARAMETERS, TASKS
from fate_runtime.identifiers import new_job_id

_RUNNING = "running"
_TABLE_NOTE = "table_record.json"


@dataclasses.dataclass
class LocalJob:
    job_id: str
    component: str
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str
    log: logging.Logger
    started_ms: int
    parameters: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class TableRecord:
    """The table a job wrote and its counts (FATE's data view row)."""

    namespace: str
    name: str
    partition: int
    uploaded: int
    actual: int
    schema: dict[str, Any]


def _parameters(runtime_conf: dict[str, Any], component: str) -> dict[str, Any]:
    """The parameters `LocalJobs.start` wrote into a job's runtime conf."""
    return {k: v[0] for k, v in runtime_conf["role_parameters"][LOCAL_ROLE][component].items()}


class LocalJobs:
    """Creates and finishes local jobs in the database, with their files on disk."""

    def __init__(self, db: Database, data_dir: str) -> None:
        self._db = db
        self._data_dir = data_dir

    def start(self, module: str, parameters: dict[str, Any], notes: str = "") -> LocalJob:
        """Record a running job of one component of `module` (e.g. Upload -> upload_0): its files, its plan, its
        job and task rows and the component's parameters (a job like any other), all or (when anything fails,
        such as a full disk) none of them."""
        job_id = new_job_id()
        component = f"{module.lower()}_0"
        dsl = {"components": {component: {"module": module}}}
        runtime_conf = {
            "initiator": {"role": LOCAL_ROLE, "party_id": int(LOCAL_PARTY)},
            "job_parameters": {"work_mode": parameters.get("work_mode", 0)},
            "role": {LOCAL_ROLE: [int(LOCAL_PARTY)]},
            "role_parameters": {LOCAL_ROLE: {component: {k: [v] for k, v in parameters.items()}}},
        }
        job_dir, logs_dir = self._job_dir(job_id), self._logs_dir(job_id)
        try:
            os.makedirs(job_dir)
            os.makedirs(logs_dir)
            for name, content in (("job_dsl.json", dsl), ("job_runtime_conf.json", runtime_conf)):
                with open(os.path.join(job_dir, name), "w") as out:
                    json.dump(content, out, indent=4)
            plan = local_plan(dsl, runtime_conf)
            if plan is None:
                raise ValueError(f"{module} is not a module of the jobs a node runs by itself")
            now = now_ms()
            party = {"f_job_id": job_id, "f_role": LOCAL_ROLE, "f_party_id": LOCAL_PARTY}
            times = {"f_status": _RUNNING, "f_create_time": now, "f_update_time": now, "f_start_time": now}
            with self._db.transaction() as conn:
                JOB_PLANS.insert(conn, {"f_job_id": job_id, "f_plan": plan.to_json()})
                JOBS.insert(conn, {
                    **party, **times, "f_description": notes, "f_roles": runtime_conf["role"],
                    "f_initiator_party_id": LOCAL_PARTY, "f_is_initiator": 1, "f_dsl": dsl,
                    "f_runtime_conf": runtime_conf, "f_work_mode": parameters.get("work_mode", 0),
                    "f_current_steps": [component], "f_current_tasks": [task_id(job_id, component)]})
                TASKS.insert(conn, {**party, **times, "f_component_name": component,
                                    "f_task_id": task_id(job_id, component)})
                PARAMETERS.insert(conn, {**party, "f_component_name": component, "f_module": module,
                                         "f_parameters": parameters})
        except BaseException:
            shutil.rmtree(job_dir, ignore_errors=True)
            shutil.rmtree(logs_dir, ignore_errors=True)
            raise
        return self._open(job_id, component, now, parameters)

    def unfinished(self, module: str) -> list[LocalJob]:
        """The jobs of `module` still marked running (left so by a previous run of the node), to finish now."""
        component = f"{module.lower()}_0"
        rows = JOBS.select(self._db, {"f_role": LOCAL_ROLE, "f_status": _RUNNING},
                           columns="f_job_id, f_dsl, f_runtime_conf, f_start_time")
        return [self._open(row["f_job_id"], component, row["f_start_time"],
                           _parameters(row["f_runtime_conf"], component))
                for row in rows if component in row["f_dsl"]["components"]]

    def _job_dir(self, job_id: str) -> str:
        return os.path.join(self._data_dir, "jobs", job_id)

    def _logs_dir(self, job_id: str) -> str:
        return os.path.join(self._data_dir, "logs", job_id)

    def _open(self, job_id: str, component: str, started_ms: int, parameters: dict[str, Any]) -> LocalJob:
        """The handle of a recorded job, its log open for appending."""
        logs_dir = self._logs_dir(job_id)
        os.makedirs(logs_dir, exist_ok=True)
        log = logging.getLogger(f"fate_flow.job.{job_id}")
        handler = logging.FileHandler(os.path.join(logs_dir, "fate_flow_schedule.log"))
        handler.setFormatter(logging.Formatter("[%(levelname)s] [%(asctime)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        job_dir = self._job_dir(job_id)
        return LocalJob(job_id, component, os.path.join(job_dir, "job_dsl.json"),
                        os.path.join(job_dir, "job_runtime_conf.json"), logs_dir, log, started_ms, parameters)

    def finish(self, job: LocalJob, error: str = "") -> None:
        """Mark the job and its task success (or failed with `error`) and close its log."""
        now = now_ms()
        end = {"f_status": "failed" if error else "success", "f_retmsg": error, "f_update_time": now,
               "f_end_time": now, "f_elapsed": now - job.started_ms}
        with self._db.transaction() as conn:
            JOBS.update(conn, {"f_job_id": job.job_id}, {**end, "f_progress": 100 if not error else 0})
            TASKS.update(conn, {"f_job_id": job.job_id}, end)
        if error:
            job.log.error("job failed: %s", error)
        else:
            job.log.info("job finished successfully")
        for handler in list(job.log.handlers):
            handler.close()
            job.log.removeHandler(handler)

    def note_table(self, job: LocalJob, record: TableRecord) -> None:
        """Keep on disk, before the job publishes its table, what `record_table` will record, so that the
        record can still be made if the node dies between the publish and the end of the job."""
        with open(os.path.join(self._job_dir(job.job_id), _TABLE_NOTE), "w") as out:
            json.dump(dataclasses.asdict(record), out)
            out.flush()
            os.fsync(out.fileno())

    def noted_table(self, job_id: str) -> TableRecord | None:
        """What `note_table` kept for the job; None if it kept nothing."""
        try:
            with open(os.path.join(self._job_dir(job_id), _TABLE_NOTE)) as src:
                return TableRecord(**json.load(src))
        except FileNotFoundError:
            return None

    def record_table(self, job: LocalJob, record: TableRecord) -> None:
        """Link the job to the table it wrote (FATE's data view)."""
        now = now_ms()
        DATA_VIEWS.insert(self._db, {
            "f_job_id": job.job_id, "f_role": LOCAL_ROLE, "f_party_id": LOCAL_PARTY,
            "f_component_name": job.component, "f_task_id": task_id(job.job_id, job.component),
            "f_table_namespace": record.namespace, "f_table_name": record.name, "f_partition": record.partition,
            "f_table_count_upload": record.uploaded, "f_table_count_actual": record.actual,
            "f_schema": record.schema, "f_create_time": now, "f_update_time": now,
        })
