"""The transfer log (state/transfer_log.py), the TransferRecords federation's receiver keeps: records on the node's
database that outlive the process, waits woken by a completion or by the job's end, one push of a key at a time."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from fate_runtime.state.db import Database
from fate_runtime.state.transfer_log import TransferLog
from federation.transfers import OBJECT, TABLE, Received, TransferKey

JOB, OTHER = "20261201000000000001", "20261201000000000002"
KEY = TransferKey(JOB, "x", "0", "guest", "9999", "host", "10000")
TABLE_KEY = TransferKey(JOB, "x", "1", "guest", "9999", "host", "10000")
OBJECT_RECEIVED = Received(OBJECT, "/objects/a.obj", "", "", 12, 0)
TABLE_RECEIVED = Received(TABLE, "", f"federation.{JOB}", "x.1.guest.9999.host.10000", 300, 10)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "db" / "fate_flow.db")


@pytest.fixture
def log(db_path: str) -> TransferLog:
    return TransferLog(Database(db_path))


def _later(seconds: float, action) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()), daemon=True)
    thread.start()
    return thread


def test_a_completed_transfer_is_found_also_after_a_restart(log: TransferLog, db_path: str) -> None:
    assert log.find(KEY) is None
    assert log.complete(KEY, OBJECT_RECEIVED) and log.complete(TABLE_KEY, TABLE_RECEIVED)
    again = TransferLog(Database(db_path))
    assert (again.find(KEY), again.find(TABLE_KEY)) == (OBJECT_RECEIVED, TABLE_RECEIVED)


def test_a_forgotten_job_keeps_no_record_and_takes_none(log: TransferLog, db_path: str) -> None:
    log.complete(KEY, OBJECT_RECEIVED)
    other = dataclasses.replace(KEY, job_id=OTHER)
    log.complete(other, OBJECT_RECEIVED)
    log.forget_job(JOB)
    assert log.ended(JOB) and not log.ended(OTHER)
    assert log.find(KEY) is None and log.find(other) == OBJECT_RECEIVED
    assert not log.complete(TABLE_KEY, TABLE_RECEIVED) and log.find(TABLE_KEY) is None
    assert TransferLog(Database(db_path)).ended(JOB)  # (after a restart too)
    log.forget_job(JOB)  # again: nothing changes


def test_a_wait_ends_when_the_transfer_completes_or_its_job_ends_or_time_is_up(log: TransferLog) -> None:
    completer = _later(0.3, lambda: log.complete(KEY, OBJECT_RECEIVED))
    started = time.monotonic()
    assert log.wait(KEY, 30) == OBJECT_RECEIVED
    assert time.monotonic() - started < 10
    completer.join()
    forgetter = _later(0.3, lambda: log.forget_job(JOB))
    started = time.monotonic()
    assert log.wait(TABLE_KEY, 30) is None
    assert time.monotonic() - started < 10
    forgetter.join()
    started = time.monotonic()
    assert log.wait(dataclasses.replace(KEY, job_id=OTHER), 0.3) is None
    assert 0.3 <= time.monotonic() - started < 10


def test_one_push_of_a_key_is_received_at_a_time(log: TransferLog) -> None:
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with log.receiving(KEY):
            order.append("first in")
            inside.set()
            time.sleep(0.3)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(10)
    with log.receiving(TABLE_KEY):
        order.append("other key")  # another key does not wait
    with log.receiving(KEY):
        order.append("second in")
    thread.join()
    assert order == ["first in", "other key", "first out", "second in"]
