"""The receiver's record of transfers: exactly once per key, and waiting for completion.

A transfer is identified by (job, variable name, tag, source role and party, destination
role and party). Its row appears only when the transfer is complete, so a half-received
transfer is never visible, and a second push of a complete one is recognised.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS t_transfer (
    f_job_id TEXT NOT NULL, f_name TEXT NOT NULL, f_tag TEXT NOT NULL,
    f_src_role TEXT NOT NULL, f_src_party TEXT NOT NULL,
    f_dst_role TEXT NOT NULL, f_dst_party TEXT NOT NULL,
    f_kind TEXT NOT NULL, f_object_path TEXT, f_namespace TEXT, f_table_name TEXT,
    f_bytes INTEGER, f_rows INTEGER, f_complete_time REAL,
    PRIMARY KEY (f_job_id, f_name, f_tag, f_src_role, f_src_party, f_dst_role, f_dst_party)
);
"""


@dataclasses.dataclass(frozen=True)
class TransferKey:
    job_id: str
    name: str
    tag: str
    src_role: str
    src_party: str
    dst_role: str
    dst_party: str

    def describe(self) -> str:
        return (f"variable {self.name!r} (tag {self.tag!r}) from {self.src_role} {self.src_party} "
                f"to {self.dst_role} {self.dst_party} in job {self.job_id}")


@dataclasses.dataclass(frozen=True)
class Received:
    """Where a complete transfer is: an object file, or a table."""

    kind: str
    object_path: str
    namespace: str
    table_name: str
    bytes: int
    rows: int


class TransferLog:
    """Complete transfers of one node, persisted in SQLite, with waiting on completion."""

    def __init__(self, path: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._path = path
        self._local = threading.local()
        self._connection().executescript(_SCHEMA)
        self._changed = threading.Condition()
        self._key_locks: dict[TransferKey, tuple[threading.Lock, int]] = {}
        self._key_locks_guard = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            # Received data is flushed by the OS, not fsynced: it survives a crash of this node's
            # processes, not a power loss. The record is kept no more durable than the data.
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def find(self, key: TransferKey) -> Received | None:
        row = self._connection().execute(
            "SELECT f_kind, f_object_path, f_namespace, f_table_name, f_bytes, f_rows FROM t_transfer"
            " WHERE f_job_id=? AND f_name=? AND f_tag=? AND f_src_role=? AND f_src_party=?"
            " AND f_dst_role=? AND f_dst_party=?", dataclasses.astuple(key)).fetchone()
        return None if row is None else Received(*row)

    def complete(self, key: TransferKey, received: Received) -> None:
        """Record a transfer as complete and wake everyone waiting for it."""
        self._connection().execute(
            "INSERT INTO t_transfer VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*dataclasses.astuple(key), *dataclasses.astuple(received), time.time()))
        with self._changed:
            self._changed.notify_all()

    def wait(self, key: TransferKey, timeout: float) -> Received | None:
        """The transfer once complete; None if it is not complete within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.find(key)
                remaining = deadline - time.monotonic()
                if found is not None or remaining <= 0:
                    return found
                self._changed.wait(remaining)

    @contextmanager
    def receiving(self, key: TransferKey) -> Iterator[None]:
        """Hold the key while one push of it is received (a retry waits for the first)."""
        with self._key_locks_guard:
            lock, users = self._key_locks.get(key, (threading.Lock(), 0))
            self._key_locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._key_locks_guard:
                lock, users = self._key_locks[key]
                if users == 1:
                    del self._key_locks[key]
                else:
                    self._key_locks[key] = (lock, users - 1)
