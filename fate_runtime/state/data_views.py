"""Which tables jobs wrote (FATE's data views) and the upload history read from them."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.state import query_filters
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


@dataclasses.dataclass(frozen=True)
class DataViewRecord:
    """A table a job wrote: an upload's table or a component's output (FATE's t_data_view row)."""

    job_id: str
    role: str
    party_id: str
    component_name: str
    task_id: str
    table_namespace: str
    table_name: str
    partition: int | None
    table_count_upload: int | None  # the rows the job stored (an upload's distinct file rows)
    table_count_actual: int | None  # the rows in the table when the job wrote it
    create_time: int
    update_time: int | None
    job_status: str  # the status of the job's row of this party (filter `status`)
    party_model_id: str | None = None  # FATE's, when the task also saved a model
    model_version: str | None = None
    # FATE's columns that FATE-Flow itself leaves at their defaults
    type: str | None = None
    ttl: int = 0
    size: int = 0
    description: str = ""
    tag: str = ""
    table_now_count: int | None = None


COLUMNS = query_filters.Columns("data views", DataViewRecord, hidden=("job_status",),
                                aliases={"status": "job_status", "table_create_count": "table_count_actual"})
_STORED = frozenset({"job_id", "role", "party_id", "component_name", "task_id", "table_namespace", "table_name",
                     "partition", "table_count_upload", "table_count_actual", "create_time", "update_time"})
_ROWS = """
    SELECT v.f_job_id, v.f_role, v.f_party_id, v.f_component_name, v.f_task_id, v.f_table_namespace, v.f_table_name,
           v.f_partition, v.f_table_count_upload, v.f_table_count_actual, v.f_create_time, v.f_update_time,
           COALESCE(j.f_status, '') AS f_job_status,
           (SELECT m.f_model_id FROM t_model m WHERE m.f_model_version = v.f_job_id AND m.f_role = v.f_role
              AND m.f_party_id = v.f_party_id AND m.f_component_name = v.f_component_name LIMIT 1) AS f_model_id
    FROM t_data_view v LEFT JOIN t_job j
      ON j.f_job_id = v.f_job_id AND j.f_role = v.f_role AND j.f_party_id = v.f_party_id"""


def _record(row: Any) -> DataViewRecord:
    values = {key[2:]: row[key] for key in row.keys() if key != "f_model_id"}
    model_id = row["f_model_id"]
    if model_id:  # FATE's party model id: role#party#model id
        values.update(party_model_id=f"{row['f_role']}#{row['f_party_id']}#{model_id}", model_version=row["f_job_id"])
    return DataViewRecord(**values)


class DataViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    def rows(self, filters: dict[str, Any]) -> list[DataViewRecord]:
        """The data views matching every filter (a column of DataViewRecord, `status` the job's, FATE 1.2's
        `table_create_count` the table's count when written: BadRequest for any other), oldest first; none
        without a filter (as FATE-Flow)."""
        parsed = COLUMNS.parse(filters)
        if not parsed:
            return []
        where = query_filters.where(parsed, _STORED)
        sql = _ROWS + "".join(f" {'WHERE' if i == 0 else 'AND'} v.{column} = ?" for i, column in enumerate(where))
        rows = self._db.query(sql + " ORDER BY v.f_create_time, v.rowid", list(where.values()))
        return query_filters.matching([_record(row) for row in rows], parsed)

    def tables_of_job(self, job_id: str, component_name: str = "", role: str = "",
                      party_id: str = "") -> list[tuple[str, str]]:
        """(namespace, name) of the tables a job wrote, narrowed by whichever of component, role, party are given."""
        found = self.rows({"job_id": job_id, "component_name": component_name, "role": role, "party_id": party_id})
        return list(dict.fromkeys((view.table_namespace, view.table_name) for view in found))

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
