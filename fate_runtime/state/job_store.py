"""A node's record of the jobs and tasks of its parties: rows, statuses, stored plans and the job's files."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sqlite3
from typing import Any, Iterable

from fate_runtime import dsl, identifiers
from fate_runtime.components import BUILTIN, Components
from fate_runtime.dsl import JobPlan
from fate_runtime.errors import Conflict, NotFound
from fate_runtime.state import query_filters
from fate_runtime.state.db import Database, now_ms
from fate_runtime.state.tables import JOB_PLANS, JOBS, TASKS

WAITING, RUNNING, SUCCESS, FAILED, CANCELED, TIMEOUT = "waiting", "running", "success", "failed", "canceled", "timeout"
STATUSES = (WAITING, RUNNING, SUCCESS, FAILED, CANCELED, TIMEOUT)
ENDED = frozenset({SUCCESS, FAILED, CANCELED, TIMEOUT})
RESTARTED = "the node restarted while the job ran"  # the end of a job or task a restarted node found unfinished



def task_id(job_id: str, component: str) -> str:
    return f"{job_id}_{component}"


@dataclasses.dataclass(frozen=True)
class JobRecord:
    """One party's row of a job (FATE's t_job, without the f_ prefixes)."""

    job_id: str
    role: str
    party_id: str
    name: str
    description: str
    tag: str
    roles: dict[str, list[Any]]
    work_mode: int
    initiator_party_id: str
    is_initiator: bool
    dsl: dict[str, Any]
    runtime_conf: dict[str, Any]
    run_ip: str
    status: str
    progress: int
    current_steps: list[str]
    current_tasks: list[str]
    create_time: int
    update_time: int
    start_time: int | None
    end_time: int | None
    elapsed: int | None
    retmsg: str


@dataclasses.dataclass(frozen=True)
class TaskRecord:
    """One party's task of one component of a job."""

    job_id: str
    component_name: str
    task_id: str
    role: str
    party_id: str
    status: str
    run_ip: str
    run_pid: int | None
    run_pid_start: str | None  # tasks/process_identity.py
    retmsg: str
    create_time: int
    update_time: int
    start_time: int | None
    end_time: int | None
    elapsed: int | None


def _fields(row: dict[str, Any], record: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(record)}
    return {name[2:]: value for name, value in row.items() if name[2:] in names}


def job_record(row: dict[str, Any]) -> JobRecord:
    values = _fields(row, JobRecord)
    values["is_initiator"] = bool(values["is_initiator"])
    for text in ("name", "description", "tag", "run_ip", "retmsg", "initiator_party_id"):
        values[text] = values[text] or ""
    return JobRecord(**values)


def task_record(row: dict[str, Any]) -> TaskRecord:
    values = _fields(row, TaskRecord)
    values["run_ip"], values["retmsg"] = values["run_ip"] or "", values["retmsg"] or ""
    return TaskRecord(**values)


JOB_COLUMNS = query_filters.Columns("jobs", JobRecord)
TASK_COLUMNS = query_filters.Columns("tasks", TaskRecord, hidden=("run_pid_start",))


class JobStore:
    def __init__(self, db: Database, data_dir: str, components: Components = BUILTIN) -> None:
        """`components`: the modules to plan a job made before plans were stored with."""
        self._db = db
        self._data_dir = data_dir
        self._components = components

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
        """The plan stored when the job was created; a job made before plans were stored is planned once from
        its files (with the modules this node has now; an upload or download job as such) and its plan stored."""
        rows = JOB_PLANS.select(self._db, {"f_job_id": job_id})
        if rows:
            return JobPlan.from_json(rows[0]["f_plan"])
        files = self.files(job_id)
        try:
            with open(files["job_dsl_path"]) as dsl_file, open(files["job_runtime_conf_path"]) as conf_file:
                job_dsl, conf = json.load(dsl_file), json.load(conf_file)
        except FileNotFoundError:
            raise NotFound(f"job {job_id} has no plan on this node") from None
        plan = dsl.local_plan(job_dsl, conf) or dsl.parse(job_dsl, conf, self._components)
        try:
            JOB_PLANS.insert(self._db, {"f_job_id": job_id, "f_plan": plan.to_json()})
        except sqlite3.IntegrityError:
            pass  # stored by another reader at the same moment
        return plan

    def create(self, job_id: str, plan: JobPlan, local_parties: Iterable[tuple[str, str]]) -> None:
        """Write the job's files, its plan and one waiting job row (and task rows) per local party: all of it
        or, when anything fails (a full disk), none of it. A job id that exists already is a Conflict."""
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
                JOB_PLANS.insert(conn, {"f_job_id": job_id, "f_plan": plan.to_json()})
                self._insert_rows(conn, job_id, plan, local_parties)
        except BaseException:
            for directory in made:
                shutil.rmtree(directory, ignore_errors=True)
            raise

    def has_plan(self, job_id: str, plan: JobPlan) -> bool:
        """Whether the job was created here with this DSL and conf."""
        rows = self.jobs({"job_id": job_id})
        return bool(rows) and rows[0].dsl == plan.dsl and rows[0].runtime_conf == plan.conf

    @staticmethod
    def _job_row(job_id: str, role: str, party: str, plan: JobPlan, now: int) -> dict[str, Any]:
        return {
            "f_job_id": job_id, "f_role": role, "f_party_id": party, "f_roles": plan.conf["role"],
            "f_work_mode": plan.work_mode, "f_initiator_party_id": plan.initiator_party,
            "f_is_initiator": int((role, party) == (plan.initiator_role, plan.initiator_party)),
            "f_dsl": plan.dsl, "f_runtime_conf": plan.conf, "f_status": WAITING, "f_progress": 0,
            "f_current_steps": [], "f_current_tasks": [], "f_create_time": now, "f_update_time": now,
            "f_name": str(plan.job_parameters.get("job_name", "") or ""),
            "f_description": str(plan.job_parameters.get("description", "") or "")}

    def _insert_rows(self, conn: sqlite3.Connection, job_id: str, plan: JobPlan,
                     local_parties: Iterable[tuple[str, str]]) -> None:
        now = now_ms()
        for role, party in local_parties:
            JOBS.insert(conn, self._job_row(job_id, role, party, plan, now))
            for component in plan.components:
                if plan.runs_on(component, role, party):
                    TASKS.insert(conn, {
                        "f_job_id": job_id, "f_component_name": component, "f_task_id": task_id(job_id, component),
                        "f_role": role, "f_party_id": party, "f_status": WAITING, "f_create_time": now,
                        "f_update_time": now})

    def _stamp(self, conn: sqlite3.Connection, table: str, where: dict[str, Any], status: str, now: int) -> None:
        """The start time at the first `running`, the end time and elapsed time at an end."""
        condition = " AND ".join(f"{column} = ?" for column in where)
        if status == RUNNING:
            conn.execute(f"UPDATE {table} SET f_start_time = ? WHERE {condition} AND f_start_time IS NULL",
                         (now, *where.values()))
        if status in ENDED:
            conn.execute(f"UPDATE {table} SET f_end_time = ?, f_elapsed = ? - COALESCE(f_start_time, "
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
        with self._db.transaction() as conn:
            JOBS.update(conn, where, changes)
            self._stamp(conn, JOBS.name, where, status, now)

    def set_task_status(self, job_id: str, component: str, role: str, party_id: str, status: str,
                        retmsg: str = "") -> None:
        now = now_ms()
        where = {"f_job_id": job_id, "f_component_name": component, "f_role": role, "f_party_id": party_id}
        with self._db.transaction() as conn:
            TASKS.update(conn, where, {"f_status": status, "f_update_time": now, "f_retmsg": retmsg})
            self._stamp(conn, TASKS.name, where, status, now)

    def set_task_process(self, job_id: str, component: str, role: str, party_id: str, pid: int, pid_start: str | None,
                         run_ip: str) -> None:
        """Record where a task's process runs and when it started (its status is left as it is)."""
        TASKS.update(self._db, {"f_job_id": job_id, "f_component_name": component, "f_role": role,
                                "f_party_id": party_id}, {"f_run_pid": pid, "f_run_pid_start": pid_start,
                                                          "f_run_ip": run_ip})

    def jobs(self, filters: dict[str, Any], limit: int | None = None) -> list[JobRecord]:
        """Job rows matching every filter (a column of JobRecord: BadRequest for any other), newest first."""
        parsed = JOB_COLUMNS.parse(filters)
        where = query_filters.where(parsed)
        in_sql = len(where) == len(parsed)
        rows = [job_record(row) for row in JOBS.select(self._db, where, "f_create_time DESC, f_role",
                                                         limit if in_sql else None)]
        return query_filters.matching(rows, parsed)[:limit]

    def search(self, status: str, job_id_part: str, limit: int) -> list[JobRecord]:
        """At most `limit` job rows, newest first, in `status` (any when empty) whose id contains `job_id_part`."""
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", job_id_part) + "%"
        status_clause = "AND f_status = ? " if status else ""
        rows = self._db.query(f"SELECT * FROM t_job WHERE f_job_id LIKE ? ESCAPE '\\' {status_clause}"
                              "ORDER BY f_create_time DESC, f_role LIMIT ?",
                              (pattern, *([status] if status else []), limit))
        return [job_record(JOBS.decode(row)) for row in rows]

    def job(self, job_id: str, role: str, party_id: str) -> JobRecord | None:
        found = self.jobs({"job_id": job_id, "role": role, "party_id": party_id})
        return found[0] if found else None

    def tasks(self, filters: dict[str, Any]) -> list[TaskRecord]:
        """Task rows matching every filter (a column of TaskRecord: BadRequest for any other), in creation order."""
        parsed = TASK_COLUMNS.parse(filters)
        rows = TASKS.select(self._db, query_filters.where(parsed), "f_create_time, f_component_name")
        return [task_record(row) for row in rows]

    def unfinished_tasks(self) -> list[TaskRecord]:
        return [task_record(TASKS.decode(row)) for row in
                self._db.query("SELECT * FROM t_task WHERE f_status IN (?, ?)", (WAITING, RUNNING))]

    def unfinished_jobs(self) -> list[JobRecord]:
        return [job_record(JOBS.decode(row)) for row in
                self._db.query("SELECT * FROM t_job WHERE f_status IN (?, ?)", (WAITING, RUNNING))]

    def update_notes(self, job_id: str, role: str, party_id: str, notes: str) -> int:
        return JOBS.update(self._db, {"f_job_id": job_id, "f_role": role, "f_party_id": party_id},
                           {"f_description": notes, "f_update_time": now_ms()})
