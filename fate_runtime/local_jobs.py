"""Jobs a node runs by itself for one request (upload, download): ids, conf files, log, status row."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from typing import Any

from fate_runtime.db import Database, now_ms
from fate_runtime.job_ids import new_job_id

LOCAL_ROLE = "local"
LOCAL_PARTY = "0"


@dataclasses.dataclass
class LocalJob:
    job_id: str
    component: str
    job_dsl_path: str
    job_runtime_conf_path: str
    logs_directory: str
    log: logging.Logger
    started_ms: int


class LocalJobs:
    """Creates and finishes local jobs in the database, with their files on disk."""

    def __init__(self, db: Database, data_dir: str) -> None:
        self._db = db
        self._data_dir = data_dir

    def start(self, module: str, parameters: dict[str, Any], notes: str = "") -> LocalJob:
        """Record a running job of one component of `module` (e.g. Upload -> upload_0)."""
        job_id = new_job_id()
        component = f"{module.lower()}_0"
        dsl = {"components": {component: {"module": module}}}
        runtime_conf = {
            "initiator": {"role": LOCAL_ROLE, "party_id": int(LOCAL_PARTY)},
            "job_parameters": {"work_mode": parameters.get("work_mode", 0)},
            "role": {LOCAL_ROLE: [int(LOCAL_PARTY)]},
            "role_parameters": {LOCAL_ROLE: {component: {k: [v] for k, v in parameters.items()}}},
        }
        job_dir = os.path.join(self._data_dir, "jobs", job_id)
        logs_dir = os.path.join(self._data_dir, "logs", job_id)
        os.makedirs(job_dir)
        os.makedirs(logs_dir)
        dsl_path = os.path.join(job_dir, "job_dsl.json")
        conf_path = os.path.join(job_dir, "job_runtime_conf.json")
        for path, content in ((dsl_path, dsl), (conf_path, runtime_conf)):
            with open(path, "w") as out:
                json.dump(content, out, indent=4)
        now = now_ms()
        self._db.insert("t_job", {
            "f_job_id": job_id, "f_role": LOCAL_ROLE, "f_party_id": LOCAL_PARTY,
            "f_description": notes, "f_roles": runtime_conf["role"], "f_initiator_party_id": LOCAL_PARTY,
            "f_is_initiator": 1, "f_dsl": dsl, "f_runtime_conf": runtime_conf, "f_status": "running",
            "f_work_mode": parameters.get("work_mode", 0), "f_current_steps": [component],
            "f_current_tasks": [f"{job_id}_{component}"], "f_create_time": now, "f_update_time": now,
            "f_start_time": now,
        })
        log = logging.getLogger(f"fate_flow.job.{job_id}")
        handler = logging.FileHandler(os.path.join(logs_dir, "fate_flow_schedule.log"))
        handler.setFormatter(logging.Formatter("[%(levelname)s] [%(asctime)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        return LocalJob(job_id, component, dsl_path, conf_path, logs_dir, log, now)

    def finish(self, job: LocalJob, error: str = "") -> None:
        """Mark the job success (or failed with `error`) and close its log."""
        now = now_ms()
        status = "failed" if error else "success"
        self._db.update("t_job", {"f_job_id": job.job_id}, {
            "f_status": status, "f_progress": 100 if not error else 0, "f_retmsg": error,
            "f_update_time": now, "f_end_time": now, "f_elapsed": now - job.started_ms,
        })
        if error:
            job.log.error("job failed: %s", error)
        else:
            job.log.info("job finished successfully")
        for handler in list(job.log.handlers):
            handler.close()
            job.log.removeHandler(handler)

    def record_table(self, job: LocalJob, namespace: str, name: str, partition: int,
                     uploaded: int, actual: int, schema: dict[str, Any]) -> None:
        """Link the job to the table it wrote (FATE's data view)."""
        self._db.insert("t_data_view", {
            "f_job_id": job.job_id, "f_role": LOCAL_ROLE, "f_party_id": LOCAL_PARTY,
            "f_component_name": job.component, "f_table_namespace": namespace, "f_table_name": name,
            "f_partition": partition, "f_table_count_upload": uploaded, "f_table_count_actual": actual,
            "f_schema": schema, "f_create_time": now_ms(),
        })
