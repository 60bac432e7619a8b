"""Jobs that end badly on a standalone node: a failing component, a killed task, stop_job, a timeout.

Every ending reaches every party's job row, names who and what failed, and leaves no task
process behind; components downstream of a failure never run.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import grpc
import pytest

from integration_helpers import Node, assert_readable, assert_refused
from jobs_helpers import (GUEST, HOST, job_rows, job_token, parties_conf, submitted, task_rows, wait_dsl, wait_gone, wait_job,
                          wait_tasks_running)
from protos import scheduler_pb2, scheduler_pb2_grpc

pytestmark = pytest.mark.integration

LONG = 30.0  # seconds a Wait runs when the test ends it first


def long_conf(**job_parameters: Any) -> dict[str, Any]:
    return parties_conf(GUEST, HOST, algorithm={"wait_0": {"seconds": LONG}}, **job_parameters)


def long_job(node: Node, tmp: Path) -> tuple[str, list[int]]:
    """A running job of one long Wait on guest and host: (job id, the two task pids)."""
    job_id = submitted(node, tmp, wait_dsl(("wait_0", [])), long_conf())
    running = wait_tasks_running(node, job_id, 2)
    return job_id, [row["f_run_pid"] for row in running]


def test_component_failing_on_the_host(node: Node, tmp_path: Path) -> None:
    dsl = wait_dsl(("fail_0", []), ("wait_1", ["fail_0"]), ("wait_2", ["wait_1"]))
    dsl["components"]["fail_0"]["module"] = "Fail"
    conf = parties_conf(GUEST, HOST, algorithm={"fail_0": {"fail_role": "host", "message": "host data is corrupt"}})
    job_id = submitted(node, tmp_path, dsl, conf)
    rows = wait_job(node, job_id)
    assert sorted((row["f_role"], row["f_status"]) for row in rows) == [("guest", "failed"), ("host", "failed")]
    for row in rows:
        message = row["f_retmsg"]
        assert message.startswith(f"host {HOST}:") and "fail_0" in message and "host data is corrupt" in message, row
        assert_readable(message)
    tasks = {(t["f_component_name"], t["f_role"]): t for t in task_rows(node, job_id)}
    assert tasks[("fail_0", "host")]["f_status"] == "failed"
    assert tasks[("fail_0", "guest")]["f_status"] in ("success", "failed")  # it may be stopped before it ends
    assert "host data is corrupt" in tasks[("fail_0", "host")]["f_retmsg"]
    for component in ("wait_1", "wait_2"):  # never started: no row, or one that never ran
        for role in ("guest", "host"):
            task = tasks.get((component, role))
            if task is not None:
                assert task["f_status"] != "success" and (task["f_run_pid"], task["f_start_time"]) == (None, None), task
    code, reply = node.cli("-f", "component_parameters", "-j", job_id, "-r", "guest", "-p", GUEST, "-cpn", "wait_1")
    assert code == 1
    assert_refused(reply, 101, "wait_1")


def test_killed_task_fails_the_job(node: Node, tmp_path: Path) -> None:
    job_id, pids = long_job(node, tmp_path)
    host_pid = next(t["f_run_pid"] for t in task_rows(node, job_id, role="host"))
    os.kill(host_pid, signal.SIGKILL)
    rows = wait_job(node, job_id, timeout=20)
    assert sorted((row["f_role"], row["f_status"]) for row in rows) == [("guest", "failed"), ("host", "failed")], rows
    for row in rows:
        assert row["f_retmsg"].startswith(f"host {HOST}:") and "wait_0" in row["f_retmsg"], row
        assert "signal 9" in row["f_retmsg"], row
        assert_readable(row["f_retmsg"])
    wait_gone(pids)
    host_task = task_rows(node, job_id, role="host")[0]
    assert host_task["f_status"] == "failed" and "signal 9" in host_task["f_retmsg"]


def test_stop_job_cancels_it_everywhere(node: Node, tmp_path: Path) -> None:
    job_id, pids = long_job(node, tmp_path)
    code, reply = node.cli("-f", "stop_job", "-j", job_id)
    assert (code, reply) == (0, {"retcode": 0, "retmsg": "kill job success", "jobId": job_id})
    rows = wait_job(node, job_id, timeout=20)
    assert [row["f_status"] for row in rows] == ["canceled", "canceled"], rows
    wait_gone(pids)
    assert sorted((t["f_role"], t["f_status"]) for t in task_rows(node, job_id)) == [
        ("guest", "canceled"), ("host", "canceled")]
    code, reply = node.cli("-f", "stop_job", "-j", job_id)
    assert code == 1
    assert_refused(reply, 100, job_id, "ended")


def test_timeout(node: Node, tmp_path: Path) -> None:
    job_id = submitted(node, tmp_path, wait_dsl(("wait_0", [])), long_conf(timeout=2))
    rows = wait_job(node, job_id, timeout=25)
    assert [row["f_status"] for row in rows] == ["timeout", "timeout"], rows
    for row in rows:
        assert "timeout" in row["f_retmsg"], row
    wait_gone([t["f_run_pid"] for t in task_rows(node, job_id) if t["f_run_pid"]])
    assert sorted((t["f_role"], t["f_status"]) for t in task_rows(node, job_id)) == [
        ("guest", "timeout"), ("host", "timeout")]


def test_a_late_stop_does_not_change_how_a_job_ended(node: Node, tmp_path: Path) -> None:
    """A stop reaching a party after its job ended there (e.g. from a restarted initiator) changes nothing."""
    job = submitted(node, tmp_path, wait_dsl(("wait_0", [])), parties_conf(GUEST, HOST))
    assert [row["f_status"] for row in wait_job(node, job)] == ["success", "success"]
    with grpc.insecure_channel(node.grpc_address) as channel:
        scheduler_pb2_grpc.SchedulerStub(channel).StopJob(
            scheduler_pb2.StopRequest(job_id=job, status="failed", retmsg="the job's initiator restarted"), timeout=30,
            metadata=(("job-token", job_token(node, job)),))
    assert [(row["f_status"], row["f_retmsg"]) for row in job_rows(node, job)] == [("success", "")] * 2
    assert [task["f_status"] for task in task_rows(node, job)] == ["success", "success"]
