"""The node's database: one SQLite file (WAL mode) under the data dir, its schema versioned and migrated.

The schema's version is SQLite's `PRAGMA user_version`; opening a database applies, in order and
each in its own transaction, the migrations it has not had (state/schema.py). A database made by a
newer version of this program (a higher version than any migration here) is refused with one
sentence. Rows keep FATE-Flow's column names (`f_job_id`, `f_status`, ...); which columns of a
table hold JSON is declared with the table (`Table`), and the stores turn rows into dataclasses.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

from fate_runtime.errors import ConfigError
from fate_runtime.state.schema import MIGRATIONS

Migration = Callable[[sqlite3.Connection], None]


def now_ms() -> int:
    return int(time.time() * 1000)


class Database:
    """Thread-safe access to one SQLite file (one connection per thread), migrated when opened."""

    def __init__(self, path: str, migrations: Sequence[Migration] | None = None) -> None:
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._local = threading.local()
        self._migrate(MIGRATIONS if migrations is None else migrations)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Bring the schema to the newest version this program knows, one migration per transaction (a process
        that opens the database at the same moment waits, then finds the work done), or refuse a newer one."""
        while True:
            with self.transaction() as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > len(migrations):
                    raise ConfigError(f"the database {self.path} was made by a newer version of this program (schema "
                                      f"{version}; this one knows up to {len(migrations)}): run that version, or use "
                                      "another data dir")
                if version == len(migrations):
                    return
                migrations[version](conn)
                conn.execute(f"PRAGMA user_version = {version + 1}")

    @property
    def version(self) -> int:
        return int(self._connection().execute("PRAGMA user_version").fetchone()[0])

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

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement in its own transaction; returns the rows it changed."""
        with self.transaction() as conn:
            return conn.execute(sql, params).rowcount

    def execute_script(self, script: str) -> None:
        """DDL of a store that keeps its table here outside the migrations (CREATE TABLE IF NOT EXISTS)."""
        self._connection().executescript(script)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, params).fetchall()


Executor = Database | sqlite3.Connection


def _run(target: Executor, sql: str, params: Sequence[Any]) -> int:
    if isinstance(target, Database):
        return target.execute(sql, params)
    return target.execute(sql, params).rowcount


class Table:
    """One table: its name and its JSON columns; inserts, updates and selects that encode and decode them."""

    def __init__(self, name: str, json_columns: Iterable[str] = ()) -> None:
        self.name = name
        self.json_columns = frozenset(json_columns)

    def _encoded(self, row: dict[str, Any]) -> list[Any]:
        return [json.dumps(v) if k in self.json_columns else v for k, v in row.items()]

    @staticmethod
    def encode_value(value: Any) -> bytes:
        """A JSON column's value as the UTF-8 JSON text it is stored as."""
        return json.dumps(value).encode()

    def decode(self, row: sqlite3.Row) -> dict[str, Any]:
        return {key: json.loads(row[key]) if key in self.json_columns and row[key] is not None else row[key]
                for key in row.keys()}

    def insert(self, target: Executor, row: dict[str, Any], replace: bool = False) -> None:
        """Insert a row; with `replace`, one with the same key is replaced (else an existing key raises)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        sql = f"{verb} INTO {self.name} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})"
        _run(target, sql, self._encoded(row))

    def insert_many(self, target: Executor, rows: Sequence[dict[str, Any]]) -> None:
        """Rows with the same columns, in one statement's batch (inside one transaction)."""
        if not rows:
            return
        columns = list(rows[0])
        sql = f"INSERT INTO {self.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        values = [self._encoded(row) for row in rows]
        if isinstance(target, Database):
            with target.transaction() as conn:
                conn.executemany(sql, values)
        else:
            target.executemany(sql, values)

    def update(self, target: Executor, where: dict[str, Any], changes: dict[str, Any]) -> int:
        assignments = ", ".join(f"{k} = ?" for k in changes)
        sql = f"UPDATE {self.name} SET {assignments} WHERE {_condition(where)}"
        return _run(target, sql, [*self._encoded(changes), *where.values()])

    def delete(self, target: Executor, where: dict[str, Any]) -> int:
        return _run(target, f"DELETE FROM {self.name} WHERE {_condition(where)}", list(where.values()))

    def select(self, db: Executor, where: dict[str, Any] | None = None, order: str = "", limit: int | None = None,
               columns: str = "*") -> list[dict[str, Any]]:
        """Decoded rows matching every (column, value) of `where` (an empty one matches all); `db` may be a
        connection inside a transaction."""
        sql = f"SELECT {columns} FROM {self.name}"
        if where:
            sql += f" WHERE {_condition(where)}"
        if order:
            sql += f" ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        params = list((where or {}).values())
        rows = db.query(sql, params) if isinstance(db, Database) else db.execute(sql, params).fetchall()
        return [self.decode(row) for row in rows]


def _condition(where: dict[str, Any]) -> str:
    return " AND ".join(f"{column} = ?" for column in where) or "1"
