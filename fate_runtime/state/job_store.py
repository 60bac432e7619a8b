"""A node's record of the jobs and tasks of its parties: rows, statuses and the job's files."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any, Iterable, Iterator

from fate_runtime import dsl, identifiers
from fate_runtime.state.db import Database, insert_row, now_ms
from fate_runtime.dsl import JobPlan
from fate_runtime.errors import Conflict

WAITING, RUNNING, SUCCESS, FAILED, CANCELED, TIMEOUT = "waiting", "running", "success", "failed", "canceled", "timeout"
STATUSES = (WAITING, RUNNING, SUCCESS, FAILED, CANCELED, TIMEOUT)
ENDED = frozenset({SUCCESS, FAILED, CANCELED, TIMEOUT})
RESTARTED = "the node restarted while the job ran"  # the end of a job or task a restarted node found unfinished

JOB_FILTERS = ("f_job_id", "f_role", "f_party_id", "f_status", "f_name", "f_description", "f_tag",
               "f_initiator_party_id", "f_is_initiator")
TASK_FILTERS = ("f_job_id", "f_component_name", "f_role", "f_party_id", "f_status", "f_task_id")


def task_id(job_id: str, component: str) -> str:
    return f"{job_id}_{component}"


class JobStore:
    def __init__(self, db: Database, data_dir: str) -> None:
        self._db = db
        self._data_dir = data_dir

    def job_dir(self, job_id: str) -> str:
        return os.path.join(self._data_dir, "jobs", identifiers.job_id(job_id))

    def logs_dir(self, job_id: str) -> str:
        return os.path.join(self._data_dir, "logs", identifiers.job_id(job_id))

    def files(self, job_id: str) -> dict[str, str]:
        directory = self.job_dir(job_id)
        return {"job_dsl_path": os.path.join(directory, "job_dsl.json"),
                "job_runtime_conf_path": os.path.join(directory, "job_runtime_conf.json"),
                "logs_directory": self.logs_dir(job_id)}

    def plan(self, job_id: str) -> JobPlan:
        files = self.files(job_id)
        with open(files["job_dsl_path"]) as dsl_file, open(files["job_runtime_conf_path"]) as conf_file:
            return dsl.parse(json.load(dsl_file), json.load(conf_file))

    def create(self, job_id: str, plan: JobPlan, local_parties: Iterable[tuple[str, str]]) -> None:
        """Write the job's files and one waiting job row (and task rows) per local party: all of it or,
        when anything fails (a full disk), none of it. A job id that exists already is a Conflict."""
        made: list[str] = []
        try:
            for directory in (self.job_dir(job_id), self.logs_dir(job_id)):
                try:
                    os.makedirs(directory)
                except FileExistsError:
                    raise Conflict(f"job {job_id} exists already on this node") from None
                made.append(directory)
            files = self.files(job_id)
            for path, content in ((files["job_dsl_path"], plan.dsl), (files["job_runtime_conf_path"], plan.conf)):
                with open(path, "w") as out:
                    json.dump(content, out, indent=4)
            with self._db.transaction() as conn:
                for table, row in self._rows(job_id, plan, local_parties):
                    insert_row(conn, table, row)
        except BaseException:
            for directory in made:
                shutil.rmtree(directory, ignore_errors=True)
            raise

    def has_plan(self, job_id: str, plan: JobPlan) -> bool:
        """Whether the job was created here with this DSL and conf."""
        rows = self.jobs({"f_job_id": job_id})
        return bool(rows) and rows[0]["f_dsl"] == plan.dsl and rows[0]["f_runtime_conf"] == plan.conf

    @staticmethod
    def _rows(job_id: str, plan: JobPlan, local_parties: Iterable[tuple[str, str]]) -> Iterator[tuple[str, dict]]:
        now = now_ms()
        for role, party in local_parties:
            yield ("t_job", {
                "f_job_id": job_id, "f_role": role, "f_party_id": party, "f_roles": plan.conf["role"],
                "f_work_mode": plan.work_mode, "f_initiator_party_id": plan.initiator_party,
                "f_is_initiator": int((role, party) == (plan.initiator_role, plan.initiator_party)),
                "f_dsl": plan.dsl, "f_runtime_conf": plan.conf, "f_status": WAITING, "f_progress": 0,
                "f_current_steps": [], "f_current_tasks": [], "f_create_time": now, "f_update_time": now,
                "f_name": str(plan.job_parameters.get("job_name", "") or ""),
                "f_description": str(plan.job_parameters.get("description", "") or "")})
            for component in plan.components:
                if plan.runs_on(component, role, party):
                    yield ("t_task", {
                        "f_job_id": job_id, "f_component_name": component, "f_task_id": task_id(job_id, component),
                        "f_role": role, "f_party_id": party, "f_status": WAITING, "f_create_time": now,
                        "f_update_time": now})

    def _stamp(self, table: str, where: dict[str, Any], status: str, now: int) -> None:
        """The start time at the first `running`, the end time and elapsed time at an end."""
        condition = " AND ".join(f"{column} = ?" for column in where)
        if status == RUNNING:
            self._db.execute(f"UPDATE {table} SET f_start_time = ? WHERE {condition} AND f_start_time IS NULL",
                             (now, *where.values()))
        if status in ENDED:
            self._db.execute(f"UPDATE {table} SET f_end_time = ?, f_elapsed = ? - COALESCE(f_start_time, "
                             f"f_create_time) WHERE {condition}", (now, now, *where.values()))

    def set_job_status(self, job_id: str, status: str, progress: int | None = None,
                       current_steps: list[str] | None = None, retmsg: str | None = None) -> None:
        now = now_ms()
        changes: dict[str, Any] = {"f_status": status, "f_update_time": now}
        if progress is not None:
            changes["f_progress"] = progress
        if current_steps is not None:
            changes["f_current_steps"] = current_steps
            changes["f_current_tasks"] = [task_id(job_id, c) for c in current_steps]
        if retmsg is not None:
            changes["f_retmsg"] = retmsg
        where = {"f_job_id": job_id}
        self._db.update("t_job", where, changes)
        self._stamp("t_job", where, status, now)

    def set_task_status(self, job_id: str, component: str, role: str, party_id: str, status: str,
                        retmsg: str = "") -> None:
        now = now_ms()
        where = {"f_job_id": job_id, "f_component_name": component, "f_role": role, "f_party_id": party_id}
        self._db.update("t_task", where, {"f_status": status, "f_update_time": now, "f_retmsg": retmsg})
        self._stamp("t_task", where, status, now)

    def set_task_process(self, job_id: str, component: str, role: str, party_id: str, pid: int, run_ip: str) -> None:
        """Record where a task's process runs (its status is left as it is)."""
        self._db.update("t_task", {"f_job_id": job_id, "f_component_name": component, "f_role": role,
                                   "f_party_id": party_id}, {"f_run_pid": pid, "f_run_ip": run_ip})

    @staticmethod
    def _select(table: str, allowed: tuple[str, ...], filters: dict[str, Any], order: str,
                limit: int | None = None) -> tuple[str, tuple[Any, ...]]:
        given = {k: v for k, v in filters.items() if k in allowed and v not in (None, "")}
        sql = f"SELECT * FROM {table}"
        if given:
            sql += " WHERE " + " AND ".join(f"{k} = ?" for k in given)
        sql += f" ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return sql, tuple(str(v) for v in given.values())

    def jobs(self, filters: dict[str, Any], limit: int | None = None) -> list[dict[str, Any]]:
        return self._db.query(*self._select("t_job", JOB_FILTERS, filters, "f_create_time DESC, f_role", limit))

    def tasks(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return self._db.query(*self._select("t_task", TASK_FILTERS, filters, "f_create_time, f_component_name"))

    def unfinished_tasks(self) -> list[dict[str, Any]]:
        return self._db.query("SELECT * FROM t_task WHERE f_status IN (?, ?)", (WAITING, RUNNING))

    def unfinished_jobs(self) -> list[dict[str, Any]]:
        return self._db.query("SELECT * FROM t_job WHERE f_status IN (?, ?)", (WAITING, RUNNING))

    def update_notes(self, job_id: str, role: str, party_id: str, notes: str) -> int:
        return self._db.update("t_job", {"f_job_id": job_id, "f_role": role, "f_party_id": party_id},
                               {"f_description": notes, "f_update_time": now_ms()})
