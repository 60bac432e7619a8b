"""The jobs a node takes part in, as federation needs them: parties by role, declared variables, the job's token.

Jobs are registered when a node creates them (or over the node's local socket, by tools and
tests). The token is the secret the job's initiator made: control calls and pushes about the
job must carry it.
"""

from __future__ import annotations

import hmac
import json
import sqlite3
from typing import Any, Iterable

from fate_runtime.state.db import Database, insert_row, now_ms
from fate_runtime.errors import BadRequest, Conflict
from federation import Declarations, JobView, TransferVariable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS t_job_federation (
    f_job_id TEXT PRIMARY KEY,
    f_roles TEXT NOT NULL,
    f_variables TEXT NOT NULL,
    f_create_time INTEGER
);
CREATE TABLE IF NOT EXISTS t_job_token (
    f_job_id TEXT PRIMARY KEY,
    f_token TEXT NOT NULL
);
"""


def _decoded(roles: Any) -> Any:
    """f_roles as stored (data dirs of earlier versions hold it JSON-encoded twice)."""
    return json.loads(roles) if isinstance(roles, str) else roles


class JobRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.execute_script(_SCHEMA)

    def register(self, job_id: str, roles: dict[str, list[str]], variables: Iterable[TransferVariable],
                 token: str) -> None:
        if not job_id:
            raise BadRequest("a job registration needs a job_id")
        if not token:
            raise BadRequest(f"job {job_id} needs its token")
        if not roles or not all(roles.values()):
            raise BadRequest(f"job {job_id} must name at least one party for each of its roles")
        declared = [{"name": v.name, "src": v.src, "dst": list(v.dst)} for v in variables]
        known = self._db.query("SELECT f_roles, f_variables FROM t_job_federation WHERE f_job_id = ?", (job_id,))
        if known:
            same = (_decoded(known[0]["f_roles"]) == roles and json.loads(known[0]["f_variables"]) == declared
                    and hmac.compare_digest((self.token(job_id) or "").encode(), token.encode()))
            if same:
                return  # registered again as it was: nothing to do
            raise Conflict(f"job {job_id} is registered already with other parties, variables or token")
        try:
            with self._db.transaction() as conn:
                insert_row(conn, "t_job_federation", {"f_job_id": job_id, "f_roles": roles,
                                                      "f_variables": json.dumps(declared), "f_create_time": now_ms()})
                insert_row(conn, "t_job_token", {"f_job_id": job_id, "f_token": token})
        except sqlite3.IntegrityError:  # registered by another call at the same moment
            raise Conflict(f"job {job_id} is registered already") from None

    def forget(self, job_id: str) -> None:
        """Undo a registration (the job could not be created after all)."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM t_job_federation WHERE f_job_id = ?", (job_id,))
            conn.execute("DELETE FROM t_job_token WHERE f_job_id = ?", (job_id,))

    def token(self, job_id: str) -> str | None:
        """The job's token; None for a job this node does not know (or one registered before tokens existed)."""
        rows = self._db.query("SELECT f_token FROM t_job_token WHERE f_job_id = ?", (job_id,))
        return rows[0]["f_token"] if rows and rows[0]["f_token"] else None

    def lookup(self, job_id: str) -> JobView | None:
        rows = self._db.query("SELECT f_roles, f_variables FROM t_job_federation WHERE f_job_id = ?", (job_id,))
        token = self.token(job_id)
        if not rows or token is None:
            return None
        roles = {role: tuple(str(p) for p in parties) for role, parties in _decoded(rows[0]["f_roles"]).items()}
        variables = [TransferVariable(v["name"], v["src"], tuple(v["dst"])) for v in json.loads(rows[0]["f_variables"])]
        return JobView(roles, Declarations(variables), token)
