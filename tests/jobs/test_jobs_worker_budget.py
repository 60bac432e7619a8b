"""A node started with `--workers 2` never runs more than 2 storage worker processes, however many tasks want them.

Two parallel branches b and c of MapWait (a slow map_values over 8 partitions in the task's storage workers)
each want a pool of 2 workers. While the job runs, the node's process tree is sampled: its forkservers'
children (the storage workers of the node and of every task) must never be more than 2. The job succeeds and
both maps are right, whether a branch got workers or ran inline.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest

from integration_helpers import Node, node_args, running_node
from jobs_helpers import ENDED, GUEST, NODE_ENV, cli_ok, job_rows, parties_conf, submitted, task_rows
from process_sessions import forkservers_and_workers

pytestmark = pytest.mark.integration

WORKERS = 2
ROWS = 20_000  # not fewer than the store's inline_rows: the map runs in workers when there are slots
BRANCHES = ("b", "c")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    base = tmp_path_factory.mktemp("worker_budget")
    with running_node(base, [*node_args(base / "data", base / "files"), "--workers", str(WORKERS)],
                      env=NODE_ENV) as started:
        yield started


def run_sampling_workers(node: Node, tmp: Path, timeout: float = 120.0) -> tuple[str, list[int]]:
    """Submit the two-branch job and sample the node's storage workers until it has ended: (job id, counts)."""
    dsl = {"components": {name: {"module": "MapWait", "output": {"data": ["data"]}} for name in BRANCHES}}
    conf = parties_conf(GUEST, algorithm={name: {"seconds": 0.5, "partitions": 8, "rows": ROWS}
                                          for name in BRANCHES})
    job = submitted(node, tmp, dsl, conf)
    counts: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts.append(len(forkservers_and_workers(node.server.proc.pid)[1]))
        if all(row["f_status"] in ENDED for row in job_rows(node, job)):
            return job, counts
        time.sleep(0.02)
    pytest.fail(f"job {job} did not end within {timeout:.0f} s")


def test_parallel_branches_share_the_node_workers(node: Node, tmp_path: Path) -> None:
    job, counts = run_sampling_workers(node, tmp_path)
    assert [row["f_status"] for row in job_rows(node, job)] == ["success"]
    assert 1 <= max(counts) <= WORKERS, counts

    tasks = {task["f_component_name"]: task for task in task_rows(node, job)}
    b, c = tasks["b"], tasks["c"]
    assert b["f_start_time"] < c["f_end_time"] and c["f_start_time"] < b["f_end_time"], tasks  # they overlapped
    for name in BRANCHES:
        reply = cli_ok(node, "-f", "component_metric_all", "-j", job, "-r", "guest", "-p", GUEST, "-cpn", name)
        assert reply["data"]["map"]["sum"]["data"] == [["sum", ROWS * (ROWS + 1) // 2]], reply
