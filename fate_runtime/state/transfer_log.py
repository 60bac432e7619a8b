"""The transfer log: the node's records of complete federation transfers and of jobs that take no more.

Its tables (t_transfer, t_transfer_job_end) are made by the schema's migrations (state/schema.py).

It lives in the node's database (fate_flow.db) beside the jobs it belongs to, so that the one state
package owns every SQLite table of a node and a job's records go with the job. Waiting for a
transfer is served from memory: completing one, or forgetting its job, wakes the waiters.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from fate_runtime.state.db import Database, now_ms
from federation.transfers import Received, TransferKey

_KEY = "f_job_id = ? AND f_name = ? AND f_tag = ? AND f_src_role = ? AND f_src_party = ? AND f_dst_role = ? " \
       "AND f_dst_party = ?"
_RECEIVED = "f_kind, f_object_path, f_namespace, f_table_name, f_bytes, f_rows"


def _received(row: Any) -> Received:
    return Received(row["f_kind"], row["f_object_path"], row["f_namespace"], row["f_table_name"], row["f_bytes"],
                    row["f_rows"])


class TransferLog:
    """TransferRecords (federation/transfers.py) on the node's database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._changed = threading.Condition()
        self._key_locks: dict[TransferKey, tuple[threading.Lock, int]] = {}
        self._key_locks_guard = threading.Lock()

    def find(self, key: TransferKey) -> Received | None:
        rows = self._db.query(f"SELECT {_RECEIVED} FROM t_transfer WHERE {_KEY}", dataclasses.astuple(key))
        return _received(rows[0]) if rows else None

    def complete(self, key: TransferKey, received: Received) -> bool:
        added = self._db.execute(
            f"INSERT INTO t_transfer (f_job_id, f_name, f_tag, f_src_role, f_src_party, f_dst_role, f_dst_party, "
            f"{_RECEIVED}, f_complete_time) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM t_transfer_job_end WHERE f_job_id = ?)",
            (*dataclasses.astuple(key), *dataclasses.astuple(received), now_ms(), key.job_id))
        self._wake()
        return added == 1

    def wait(self, key: TransferKey, timeout: float) -> Received | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.find(key)
                remaining = deadline - time.monotonic()
                if found is not None or remaining <= 0 or self.ended(key.job_id):
                    return found
                self._changed.wait(remaining)

    @contextmanager
    def receiving(self, key: TransferKey) -> Iterator[None]:
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

    def ended(self, job_id: str) -> bool:
        return bool(self._db.query("SELECT 1 FROM t_transfer_job_end WHERE f_job_id = ?", (job_id,)))

    def forget_job(self, job_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO t_transfer_job_end (f_job_id, f_end_time) VALUES (?, ?)",
                         (job_id, now_ms()))
            conn.execute("DELETE FROM t_transfer WHERE f_job_id = ?", (job_id,))
        self._wake()

    def _wake(self) -> None:
        with self._changed:
            self._changed.notify_all()
