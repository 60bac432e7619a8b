"""A node killed with SIGKILL: nothing it started outlives it, and an append it was running is all or nothing."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import lmdb
import pytest
import requests

from integration_helpers import Node, ServerProcess, node_args, running_node, upload_conf
from process_sessions import GONE_WITHIN, forkservers_and_workers, kill_session, session_processes, wait_until_gone

pytestmark = pytest.mark.integration

NS = "killed"
BASE_ROWS = 600_000
ADDED_ROWS = 400_000
PARTITIONS = 8
POLL_SECONDS = 0.005


@contextmanager
def killable_node(base: Path) -> Iterator[Node]:
    """A node that the test may SIGKILL; whatever is left of its session is killed at the end."""
    files, outside = base / "files", base / "outside"
    files.mkdir(exist_ok=True)
    outside.mkdir(exist_ok=True)
    server = ServerProcess(node_args(base / "data", files))
    try:
        server.wait_ready()
        yield Node(server, files, outside)
    finally:
        server.kill()
        kill_session(server.proc.pid)


def sigkill(node: Node) -> None:
    os.kill(node.server.proc.pid, signal.SIGKILL)
    node.server.proc.wait(10)


def write_rows(path: Path, ids: range) -> Path:
    with path.open("w") as out:
        out.write("id,x,y\n")
        out.writelines(f"{i},{i % 7},{i * 0.5}\n" for i in ids)
    return path


def upload(node: Node, path: Path, table: str, drop: int | None) -> dict[str, Any]:
    reply = node.post("/v1/data/upload", json=upload_conf(path, NS, table, partition=PARTITIONS, drop=drop)).json()
    assert reply["retcode"] == 0, reply
    return reply


def post_file(node: Node, path: Path, table: str, drop: int) -> None:
    """A multipart upload (the file is spooled in the node's incoming folder while it is loaded)."""
    conf = {"file": path.name, "head": 1, "partition": PARTITIONS, "work_mode": 0, "namespace": NS,
            "table_name": table, "drop": drop}
    with path.open("rb") as content:
        node.post("/v1/data/upload", params=json.dumps(conf), files={"file": (path.name, content)})


def test_a_killed_node_leaves_no_process_behind(tmp_path: Path) -> None:
    with killable_node(tmp_path) as node:
        rows = write_rows(node.files / "rows.csv", range(BASE_ROWS))
        sender = threading.Thread(target=_ignore_connection_errors, args=(post_file, node, rows, "workers", 1))
        sender.start()
        session = node.server.proc.pid
        deadline = time.monotonic() + 120
        while not forkservers_and_workers(session)[1]:  # killed while its storage workers load the file
            assert time.monotonic() < deadline and sender.is_alive(), "no storage worker ever started"
            time.sleep(POLL_SECONDS)
        started = session_processes(session)
        sigkill(node)
        sender.join(30)
        left = wait_until_gone(session)
        assert not left, f"still running {GONE_WITHIN:.0f} s after the node was killed: {left}\nwere: {started}"


def _entries(table_dir: Path) -> int | None:
    """The rows of a table directory (live or staged) as LMDB says now; None if it cannot be read."""
    total = 0
    for partition in range(PARTITIONS):
        try:
            env = lmdb.open(str(table_dir / str(partition)), readonly=True, create=False, max_readers=8)
        except lmdb.Error:
            return None
        try:
            total += env.stat()["entries"]
        finally:
            env.close()
    return total


def _mid_append(data_dir: Path, table: str) -> bool:
    """Whether the append is under way: the table's rows have changed in place, or its next version
    (a copy of it, at least as large) is being built in staging."""
    storage = data_dir / "storage"
    if _entries(storage / "tables" / NS / table) not in (BASE_ROWS, None):
        return True
    staged = [_entries(path) for path in (storage / "staging").iterdir()]
    return any(count is not None and count >= BASE_ROWS for count in staged)


def test_a_node_killed_during_an_append_keeps_the_old_table_and_fails_the_job(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with killable_node(tmp_path) as node:
        upload(node, write_rows(node.files / "base.csv", range(BASE_ROWS)), "t", None)
        added = write_rows(node.files / "added.csv", range(BASE_ROWS, BASE_ROWS + ADDED_ROWS))
        sender = threading.Thread(target=_ignore_connection_errors, args=(post_file, node, added, "t", 0))
        sender.start()
        deadline = time.monotonic() + 120
        while not _mid_append(data_dir, "t"):
            assert time.monotonic() < deadline and sender.is_alive(), "the append never got under way"
            time.sleep(POLL_SECONDS)
        sigkill(node)
        sender.join(30)
        assert not wait_until_gone(node.server.proc.pid)
        assert os.listdir(data_dir / "incoming"), "the killed upload's spool file should be left"

    with running_node(tmp_path, node_args(data_dir, tmp_path / "files")) as restarted:
        assert restarted.table_count(NS, "t") == BASE_ROWS
        assert restarted.staging_entries() == []
        assert restarted.incoming_entries() == []
        jobs = restarted.post("/v1/job/query", json={}).json()["data"]
        upload_jobs = {job["f_job_id"]: job for job in jobs if job["f_role"] == "local"}
        assert sorted(job["f_status"] for job in upload_jobs.values()) == ["failed", "success"]
        failed = next(job for job in upload_jobs.values() if job["f_status"] == "failed")
        assert "restarted" in failed["f_retmsg"]
        history = {next(iter(row)) for row in restarted.history()}
        assert failed["f_job_id"] not in history


def _ignore_connection_errors(send: Any, *args: Any) -> None:
    try:
        send(*args)
    except requests.ConnectionError:
        pass  # the node was killed while this request ran
