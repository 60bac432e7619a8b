"""Many jobs through one node: all succeed, and threads, open files and memory settle instead of growing.

Rounds of FATE's toy example submitted all at once (the queue runs 4 at a time); after the
first round the node's thread and file-descriptor counts must stay where they were, and the
memory the jobs freed must go back to the system (a node that has run 45 jobs stays far
below the 180-330 MB it kept before it trimmed its heap after each job).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from integration_helpers import Node
from jobs_helpers import submitted, toy_conf, toy_dsl, wait_job

pytestmark = pytest.mark.integration  # every test here starts real nodes

ROUNDS, JOBS_PER_ROUND = 3, 15
ANON_MEMORY_LIMIT_KB = 120 * 1024  # measured: 60-80 MB with the trim, 180-330 MB without


def _usage(pid: int) -> tuple[int, int, int]:
    """(threads, open file descriptors, anonymous resident KiB) of a process."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(status["Threads"]), len(os.listdir(f"/proc/{pid}/fd")), int(status["RssAnon"].split()[0])


def test_rounds_of_jobs_leave_no_growth_behind(node: Node, tmp_path: Path) -> None:
    pid = node.server.proc.pid
    usage = []
    for _ in range(ROUNDS):
        jobs = [submitted(node, tmp_path, toy_dsl(), toy_conf()) for _ in range(JOBS_PER_ROUND)]
        for job in jobs:
            assert [row["f_status"] for row in wait_job(node, job, timeout=120)] == ["success", "success"], job
        usage.append(_usage(pid))
    threads_first, fds_first, _ = usage[0]
    deadline = time.monotonic() + 10  # the trim follows the job's end by a moment, as do the last jobs' threads' ends
    while (usage[-1][2] >= ANON_MEMORY_LIMIT_KB or usage[-1][0] > threads_first + 4) and time.monotonic() < deadline:
        time.sleep(0.2)
        usage[-1] = _usage(pid)
    threads_last, fds_last, anon_last = usage[-1]
    assert threads_last <= threads_first + 4, usage  # one leaked per job would add 30
    assert fds_last <= fds_first + 16, usage
    assert anon_last < ANON_MEMORY_LIMIT_KB, usage
