"""The jobs a node takes part in, as federation needs them: parties by role, declared variables, the job's token.

Jobs are registered when a node creates them (or over the node's local socket, by tools and
tests). The token is the secret the job's initiator made: control calls and pushes about the
job must carry it.
"""

from __future__ import annotations

import hmac
import sqlite3
from typing import Iterable

from fate_runtime.state.db import Database, now_ms
from fate_runtime.state.tables import JOB_FEDERATION, JOB_TOKENS
from fate_runtime.errors import BadRequest, Conflict
from federation import Declarations, JobView, TransferVariable

class JobRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, job_id: str, roles: dict[str, list[str]], variables: Iterable[TransferVariable],
                 token: str) -> None:
        if not job_id:
            raise BadRequest("a job registration needs a job_id")
        if not token:
            raise BadRequest(f"job {job_id} needs its token")
        if not roles or not all(roles.values()):
            raise BadRequest(f"job {job_id} must name at least one party for each of its roles")
        declared = [{"name": v.name, "src": v.src, "dst": list(v.dst)} for v in variables]
        known = JOB_FEDERATION.select(self._db, {"f_job_id": job_id}, columns="f_roles, f_variables")
        if known:
            same = (known[0]["f_roles"] == roles and known[0]["f_variables"] == declared
                    and hmac.compare_digest((self.token(job_id) or "").encode(), token.encode()))
            if same:
                return  # registered again as it was: nothing to do
            raise Conflict(f"job {job_id} is registered already with other parties, variables or token")
        try:
            with self._db.transaction() as conn:
                JOB_FEDERATION.insert(conn, {"f_job_id": job_id, "f_roles": roles, "f_variables": declared,
                                             "f_create_time": now_ms()})
                JOB_TOKENS.insert(conn, {"f_job_id": job_id, "f_token": token})
        except sqlite3.IntegrityError:  # registered by another call at the same moment
            raise Conflict(f"job {job_id} is registered already") from None

    def forget(self, job_id: str) -> None:
        """Undo a registration (the job could not be created after all)."""
        with self._db.transaction() as conn:
            for table in (JOB_FEDERATION, JOB_TOKENS):
                table.delete(conn, {"f_job_id": job_id})

    def token(self, job_id: str) -> str | None:
        """The job's token; None for a job this node does not know (or one registered before tokens existed)."""
        rows = JOB_TOKENS.select(self._db, {"f_job_id": job_id}, columns="f_token")
        return rows[0]["f_token"] if rows and rows[0]["f_token"] else None

    def lookup(self, job_id: str) -> JobView | None:
        rows = JOB_FEDERATION.select(self._db, {"f_job_id": job_id}, columns="f_roles, f_variables")
        token = self.token(job_id)
        if not rows or token is None:
            return None
        roles = {role: tuple(str(p) for p in parties) for role, parties in rows[0]["f_roles"].items()}
        variables = [TransferVariable(v["name"], v["src"], tuple(v["dst"])) for v in rows[0]["f_variables"]]
        return JobView(roles, Declarations(variables), token)
