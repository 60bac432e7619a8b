"""Which tables jobs wrote (FATE's data views) and the upload history read from them."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.state.db import Database
from fate_runtime.state.tables import DATA_VIEWS


@dataclasses.dataclass(frozen=True)
class UploadRecord:
    """A successful upload: its job, the table, the rows stored and in the table after it, notes and schema."""

    job_id: str
    namespace: str
    table_name: str
    partition: int
    count: int
    table_count: int
    notes: str
    schema: dict[str, Any]
    create_time_ms: int


class DataViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    def tables_of_job(self, job_id: str, component_name: str = "", role: str = "",
                      party_id: str = "") -> list[tuple[str, str]]:
        """(namespace, name) of the tables a job wrote, narrowed by whichever of component, role, party are given."""
        where = {k: v for k, v in {"f_job_id": job_id, "f_component_name": component_name, "f_role": role,
                                   "f_party_id": party_id}.items() if v}
        rows = DATA_VIEWS.select(self._db, where, columns="DISTINCT f_table_namespace, f_table_name")
        return [(row["f_table_namespace"], row["f_table_name"]) for row in rows]

    def upload_history(self, job_id: str = "", limit: int | None = None) -> list[UploadRecord]:
        """Successful uploads, newest first."""
        sql = ("SELECT v.f_job_id, v.f_table_namespace, v.f_table_name, v.f_partition, v.f_table_count_upload,"
               " v.f_table_count_actual, v.f_schema, j.f_description, j.f_create_time FROM t_data_view v JOIN t_job j"
               " ON v.f_job_id = j.f_job_id AND v.f_role = j.f_role AND v.f_party_id = j.f_party_id"
               " WHERE v.f_component_name = 'upload_0' AND j.f_status = 'success'")
        params: tuple[Any, ...] = ()
        if job_id:
            sql += " AND v.f_job_id = ?"
            params = (job_id,)
        sql += " ORDER BY j.f_create_time DESC, v.f_job_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [UploadRecord(r["f_job_id"], r["f_table_namespace"], r["f_table_name"], r["f_partition"],
                             r["f_table_count_upload"], r["f_table_count_actual"], r["f_description"] or "",
                             DATA_VIEWS.decode(r)["f_schema"], r["f_create_time"]) for r in self._db.query(sql, params)]
