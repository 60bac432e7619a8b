"""The node's job database: one SQLite file (WAL mode) under the data dir.

Rows keep FATE-Flow's column names (`f_job_id`, `f_status`, ...) because the REST API
returns them as they are.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS t_job (
    f_job_id TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_name TEXT DEFAULT '',
    f_description TEXT DEFAULT '',
    f_tag TEXT DEFAULT '',
    f_roles TEXT DEFAULT '{}',
    f_work_mode INTEGER DEFAULT 0,
    f_initiator_party_id TEXT DEFAULT '',
    f_is_initiator INTEGER DEFAULT 0,
    f_dsl TEXT DEFAULT '{}',
    f_runtime_conf TEXT DEFAULT '{}',
    f_run_ip TEXT DEFAULT '',
    f_status TEXT NOT NULL,
    f_progress INTEGER DEFAULT 0,
    f_current_steps TEXT DEFAULT '[]',
    f_current_tasks TEXT DEFAULT '[]',
    f_create_time INTEGER,
    f_update_time INTEGER,
    f_start_time INTEGER,
    f_end_time INTEGER,
    f_elapsed INTEGER,
    f_retmsg TEXT DEFAULT '',
    PRIMARY KEY (f_job_id, f_role, f_party_id)
);
CREATE TABLE IF NOT EXISTS t_data_view (
    f_job_id TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_table_namespace TEXT NOT NULL,
    f_table_name TEXT NOT NULL,
    f_partition INTEGER,
    f_table_count_upload INTEGER,
    f_table_count_actual INTEGER,
    f_schema TEXT DEFAULT '{}',
    f_create_time INTEGER,
    PRIMARY KEY (f_job_id, f_role, f_party_id, f_component_name)
);
CREATE TABLE IF NOT EXISTS t_task (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_task_id TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_status TEXT NOT NULL,
    f_run_ip TEXT DEFAULT '',
    f_run_pid INTEGER,
    f_retmsg TEXT DEFAULT '',
    f_create_time INTEGER,
    f_update_time INTEGER,
    f_start_time INTEGER,
    f_end_time INTEGER,
    f_elapsed INTEGER,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id)
);
CREATE TABLE IF NOT EXISTS t_tracking_metric (
    f_id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_metric_namespace TEXT NOT NULL,
    f_metric_name TEXT NOT NULL,
    f_type INTEGER NOT NULL,
    f_key TEXT,
    f_value TEXT,
    f_create_time INTEGER
);
CREATE INDEX IF NOT EXISTS i_tracking_metric ON t_tracking_metric (f_job_id, f_component_name, f_role, f_party_id);
CREATE TABLE IF NOT EXISTS t_component_parameters (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_module TEXT NOT NULL,
    f_parameters TEXT NOT NULL,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id)
);
CREATE TABLE IF NOT EXISTS t_output_data (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_data_name TEXT NOT NULL,
    f_table_namespace TEXT NOT NULL,
    f_table_name TEXT NOT NULL,
    f_create_time INTEGER,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id, f_data_name)
);
CREATE TABLE IF NOT EXISTS t_output_model (
    f_job_id TEXT NOT NULL,
    f_component_name TEXT NOT NULL,
    f_role TEXT NOT NULL,
    f_party_id TEXT NOT NULL,
    f_name TEXT NOT NULL,
    f_model TEXT NOT NULL,
    f_create_time INTEGER,
    PRIMARY KEY (f_job_id, f_component_name, f_role, f_party_id, f_name)
);
"""

_JSON_COLUMNS = {"f_roles", "f_dsl", "f_runtime_conf", "f_current_steps", "f_current_tasks", "f_schema",
                 "f_parameters", "f_model", "f_value"}


def now_ms() -> int:
    return int(time.time() * 1000)


def _row_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    fields = {}
    for column, value in zip((c[0] for c in cursor.description), row):
        fields[column] = json.loads(value) if column in _JSON_COLUMNS and value else value
    return fields


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any], verb: str = "INSERT") -> None:
    """One row, JSON columns encoded; with the plain INSERT an existing key is an IntegrityError."""
    values = [json.dumps(v) if k in _JSON_COLUMNS else v for k, v in row.items()]
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"{verb} INTO {table} ({columns}) VALUES ({marks})", values)


class Database:
    """Thread-safe access to the node's SQLite file (one connection per thread)."""

    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = _row_dict
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def execute_script(self, script: str) -> None:
        """Run DDL (CREATE TABLE IF NOT EXISTS ...) of a module that keeps its own tables here."""
        self._connection().executescript(script)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """One statement in its own transaction; returns the rows it changed."""
        with self.transaction() as conn:
            return conn.execute(sql, params).rowcount

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self._connection().execute(sql, params).fetchall()

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """Insert a row, replacing one with the same key (tracking records that a task writes again)."""
        with self.transaction() as conn:
            insert_row(conn, table, row, "INSERT OR REPLACE")

    def update(self, table: str, where: dict[str, Any], changes: dict[str, Any]) -> int:
        values = [json.dumps(v) if k in _JSON_COLUMNS else v for k, v in changes.items()]
        assignments = ", ".join(f"{k} = ?" for k in changes)
        condition = " AND ".join(f"{k} = ?" for k in where)
        with self.transaction() as conn:
            cursor = conn.execute(f"UPDATE {table} SET {assignments} WHERE {condition}",
                                  values + list(where.values()))
            return cursor.rowcount
