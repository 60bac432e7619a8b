"""The jobs a node takes part in, as federation needs them: parties by role and declared variables.

A simple registry for now (jobs are registered over the scheduler service); the scheduler
fills it when it creates jobs.
"""

from __future__ import annotations

import json
from typing import Iterable

from fate_runtime.db import Database, now_ms
from fate_runtime.errors import BadRequest, Conflict
from federation import Declarations, JobView, TransferVariable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS t_job_federation (
    f_job_id TEXT PRIMARY KEY,
    f_roles TEXT NOT NULL,
    f_variables TEXT NOT NULL,
    f_create_time INTEGER
);
"""


class JobRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.execute_script(_SCHEMA)

    def register(self, job_id: str, roles: dict[str, list[str]], variables: Iterable[TransferVariable]) -> None:
        if not job_id:
            raise BadRequest("a job registration needs a job_id")
        if not roles or not all(roles.values()):
            raise BadRequest(f"job {job_id} must name at least one party for each of its roles")
        declared = [{"name": v.name, "src": v.src, "dst": list(v.dst)} for v in variables]
        known = self._db.query("SELECT f_roles, f_variables FROM t_job_federation WHERE f_job_id = ?", (job_id,))
        if known:
            if json.loads(known[0]["f_roles"]) == roles and json.loads(known[0]["f_variables"]) == declared:
                return  # registered again as it was: nothing to do
            raise Conflict(f"job {job_id} is registered already with other parties or variables")
        self._db.insert("t_job_federation", {"f_job_id": job_id, "f_roles": json.dumps(roles),
                                             "f_variables": json.dumps(declared), "f_create_time": now_ms()})

    def lookup(self, job_id: str) -> JobView | None:
        rows = self._db.query("SELECT f_roles, f_variables FROM t_job_federation WHERE f_job_id = ?", (job_id,))
        if not rows:
            return None
        roles = {role: tuple(str(p) for p in parties) for role, parties in json.loads(rows[0]["f_roles"]).items()}
        variables = [TransferVariable(v["name"], v["src"], tuple(v["dst"])) for v in json.loads(rows[0]["f_variables"])]
        return JobView(roles, Declarations(variables))
