"""Table information, table deletion and the upload history, as the flow API asks for them (tables on either
backend: the LMDB store's, then Spark's)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.data.node_tables import NodeTables
from fate_runtime.state.data_views import DataViews, UploadRecord
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.request_checks import check_table_name
from storage import InvalidTableArgument, Store, TableNotFound
from storage.spark.directory import SparkDirectory


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
    def __init__(self, store: Store, views: DataViews, spark: SparkDirectory | None = None) -> None:
        self._store = store
        self._tables = NodeTables(store, spark)
        self._views = views

    def info(self, namespace: str, name: str, create: bool = False, partition: int | None = None) -> TableInfo:
        if not namespace or not name:
            raise BadRequest("table_info needs both namespace and table_name")
        check_table_name(namespace, name)
        created = False
        try:
            table = self._tables.table(namespace, name)
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
            targets = self._views.tables_of_job(job_id, component_name, role, party_id)
        else:
            raise BadRequest("table_delete needs namespace and table_name, or job_id")
        deleted = [(ns, n) for ns, n in targets if self._tables.destroy(ns, n)]
        if not deleted:
            if namespace:
                raise NotFound(f"table {namespace}.{name} does not exist")
            raise NotFound(f"job {job_id} has no tables left to delete")
        return deleted

    def upload_history(self, job_id: str = "", limit: int | None = None) -> list[UploadRecord]:
        """Successful uploads, newest first: job id, table, partitions, stored rows, notes, schema."""
        if limit is not None and limit < 1:
            raise BadRequest(f"limit must be a positive integer, got {limit}")
        return self._views.upload_history(job_id, limit)
