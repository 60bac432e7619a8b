"""Table information, table deletion and the upload history, as the flow API asks for them."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.state.db import Database
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.request_checks import check_table_name
from storage import InvalidTableArgument, Store, TableNotFound


@dataclasses.dataclass
class TableInfo:
    namespace: str
    table_name: str
    partition: int
    count: int
    schema: dict[str, Any]
    create_time: float
    created: bool = False


class Tables:
    def __init__(self, store: Store, db: Database) -> None:
        self._store = store
        self._db = db

    def info(self, namespace: str, name: str, create: bool = False, partition: int | None = None) -> TableInfo:
        if not namespace or not name:
            raise BadRequest("table_info needs both namespace and table_name")
        check_table_name(namespace, name)
        created = False
        try:
            table = self._store.table(namespace, name)
        except TableNotFound as exc:
            if not create:
                raise NotFound(str(exc)) from None
            try:
                table = self._store.create_table(namespace, name, partition or 1)
            except InvalidTableArgument as bad:
                raise BadRequest(str(bad)) from None
            created = True
        return TableInfo(namespace, name, table.partitions, table.count(), table.schema,
                         table.meta.create_time, created)

    def delete(self, namespace: str = "", name: str = "", job_id: str = "", component_name: str = "",
               role: str = "", party_id: str = "") -> list[tuple[str, str]]:
        """Delete one table by name, or the tables a job wrote; NotFound when nothing matched."""
        if namespace or name:
            if not (namespace and name):
                raise BadRequest("table_delete needs both namespace and table_name")
            check_table_name(namespace, name)
            targets = [(namespace, name)]
        elif job_id:
            targets = self._tables_of_job(job_id, component_name, role, party_id)
        else:
            raise BadRequest("table_delete needs namespace and table_name, or job_id")
        deleted = [(ns, n) for ns, n in targets if self._store.destroy(ns, n)]
        if not deleted:
            if namespace:
                raise NotFound(f"table {namespace}.{name} does not exist")
            raise NotFound(f"job {job_id} has no tables left to delete")
        return deleted

    def _tables_of_job(self, job_id: str, component_name: str, role: str, party_id: str) -> list[tuple[str, str]]:
        where = {"f_job_id": job_id, "f_component_name": component_name, "f_role": role,
                 "f_party_id": party_id}
        given = {k: v for k, v in where.items() if v}
        sql = "SELECT DISTINCT f_table_namespace, f_table_name FROM t_data_view WHERE " + " AND ".join(
            f"{k} = ?" for k in given)
        rows = self._db.query(sql, tuple(given.values()))
        return [(row["f_table_namespace"], row["f_table_name"]) for row in rows]

    def upload_history(self, job_id: str = "", limit: int | None = None) -> list[dict[str, Any]]:
        """Successful uploads, newest first: job id, table, partitions, stored rows, notes, schema."""
        if limit is not None and limit < 1:
            raise BadRequest(f"limit must be a positive integer, got {limit}")
        sql = ("SELECT v.f_job_id, v.f_table_namespace, v.f_table_name, v.f_partition, v.f_table_count_upload,"
               " v.f_table_count_actual,"
               " v.f_schema, j.f_description, j.f_create_time FROM t_data_view v JOIN t_job j"
               " ON v.f_job_id = j.f_job_id AND v.f_role = j.f_role AND v.f_party_id = j.f_party_id"
               " WHERE v.f_component_name = 'upload_0' AND j.f_status = 'success'")
        params: tuple[Any, ...] = ()
        if job_id:
            sql += " AND v.f_job_id = ?"
            params = (job_id,)
        sql += " ORDER BY j.f_create_time DESC, v.f_job_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._db.query(sql, params)
