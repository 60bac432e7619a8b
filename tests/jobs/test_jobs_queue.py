"""The job queue of a node started with `--conf FILE` holding {"max_jobs": 1}.

While one job runs, the next ones wait (rows and tasks `waiting`, no process); they run when
it ends. A waiting job that is stopped is canceled and never runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import Node, node_args, running_node
from jobs_helpers import (GUEST, HOST, NODE_ENV, job_rows, parties_conf, submitted, task_rows, wait_dsl, wait_gone,
                          wait_job, wait_tasks_running)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    base = tmp_path_factory.mktemp("jobs_queue")
    conf = base / "node_conf.json"
    conf.write_text(json.dumps({"max_jobs": 1}))
    with running_node(base, [*node_args(base / "data", base / "files"), "--conf", str(conf)],
                      env=NODE_ENV) as started:
        yield started


def wait_job_conf(seconds: float) -> tuple[dict[str, Any], dict[str, Any]]:
    return wait_dsl(("wait_0", [])), parties_conf(GUEST, HOST, algorithm={"wait_0": {"seconds": seconds}})


def assert_waiting(node: Node, job_id: str) -> None:
    assert [row["f_status"] for row in job_rows(node, job_id)] == ["waiting", "waiting"]
    tasks = task_rows(node, job_id)
    assert [(t["f_status"], t["f_run_pid"], t["f_start_time"]) for t in tasks] == [("waiting", None, None)] * 2


def test_one_job_at_a_time_and_a_stopped_waiting_job_never_runs(node: Node, tmp_path: Path) -> None:
    first = submitted(node, tmp_path, *wait_job_conf(30))
    pids = [t["f_run_pid"] for t in wait_tasks_running(node, first, 2)]
    second = submitted(node, tmp_path, *wait_job_conf(0))
    third = submitted(node, tmp_path, *wait_job_conf(0))
    for _ in range(5):  # they stay waiting while the first runs
        assert_waiting(node, second)
        assert_waiting(node, third)
        assert [row["f_status"] for row in job_rows(node, first)] == ["running", "running"]
        time.sleep(0.2)

    code, reply = node.cli("-f", "stop_job", "-j", third)
    assert (code, reply) == (0, {"retcode": 0, "retmsg": "cancel job success", "jobId": third})
    rows = wait_job(node, third, timeout=20)
    assert [row["f_status"] for row in rows] == ["canceled", "canceled"]
    assert [(t["f_status"], t["f_run_pid"]) for t in task_rows(node, third)] == [("canceled", None)] * 2
    assert_waiting(node, second)

    code, reply = node.cli("-f", "stop_job", "-j", first)
    assert (code, reply["retcode"]) == (0, 0), reply
    wait_gone(pids)
    rows = wait_job(node, second)  # the second runs once the first has ended
    assert [row["f_status"] for row in rows] == ["success", "success"], rows
    first_end = max(row["f_end_time"] for row in job_rows(node, first))
    assert all(t["f_start_time"] >= first_end for t in task_rows(node, second))

    # the stopped waiting job stayed canceled and never started a task
    assert [row["f_status"] for row in job_rows(node, third)] == ["canceled", "canceled"]
    assert [(t["f_status"], t["f_run_pid"], t["f_start_time"]) for t in task_rows(node, third)] == [
        ("canceled", None, None)] * 2
    code, reply = node.cli("-f", "stop_job", "-j", third)
    assert (code, reply["retcode"]) == (1, 100), reply
