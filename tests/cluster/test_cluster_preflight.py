"""Submit-time checks across the parties of a cluster: a refused job leaves nothing on any node.

After each refusal no node has a job row, a task row or a job directory it did not have before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import assert_refused, breast_rows, upload_conf, write_conf, write_csv
from integration_helpers import NodeProcess
from jobs_helpers import ARBITER, GUEST, HOST, parties_conf, running_cluster, submit, toy_conf, toy_dsl, wait_dsl

pytestmark = pytest.mark.integration

NAMESPACE = "cluster_preflight"
TABLE = "partner_rows"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProcess]]:
    with running_cluster(tmp_path_factory.mktemp("cluster")) as nodes:
        yield nodes


def snapshot(nodes: dict[str, NodeProcess]) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Per node: its job ids, task ids and job directories."""
    seen = {}
    for party, node in nodes.items():
        jobs = node.post("/v1/job/query", json={}).json()
        tasks = node.post("/v1/job/task/query", json={}).json()
        assert jobs["retcode"] in (0, 101) and tasks["retcode"] in (0, 101), (jobs, tasks)
        jobs_dir = node.data_dir / "jobs"
        seen[party] = (sorted(r["f_job_id"] for r in jobs.get("data") or []),
                       sorted(r["f_task_id"] for r in tasks.get("data") or []),
                       sorted(p.name for p in jobs_dir.iterdir()) if jobs_dir.exists() else [])
    return seen


def refused(nodes: dict[str, NodeProcess], tmp_path: Path, dsl: dict[str, Any], conf: dict[str, Any],
            *words: str) -> str:
    """Submit on the guest: refused with retcode 100 and a sentence naming `words`, and nothing new anywhere."""
    before = snapshot(nodes)
    code, reply = submit(nodes[GUEST].node, tmp_path, dsl, conf)
    assert code != 0, reply
    assert_refused(reply, 100, *words)
    assert not reply.get("jobId"), reply
    assert snapshot(nodes) == before
    return reply["retmsg"]


def test_input_table_missing_on_the_host(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    guest, host = cluster[GUEST], cluster[HOST]
    csv = write_csv(guest.files / "partner_rows.csv", "id,y," + ",".join(f"x{i}" for i in range(10)),
                    breast_rows(range(20)))
    upload = write_conf(tmp_path / "upload.json", upload_conf(csv, NAMESPACE, TABLE, work_mode=1))
    code, reply = guest.cli("-f", "upload", "-c", str(upload))
    assert code == 0 and reply["retcode"] == 0, reply
    assert guest.node.table_count(NAMESPACE, TABLE) == 20
    assert host.node.table_count(NAMESPACE, TABLE) is None

    dsl = {"components": {"wait_0": {"module": "Wait", "input": {"data": {"data": ["args.train_data"]}},
                                     "output": {"data": ["data"]}}}}
    conf = parties_conf(GUEST, HOST, work_mode=1)
    conf["role_parameters"] = {role: {"args": {"data": {"train_data": [{"namespace": NAMESPACE, "name": TABLE}]}}}
                               for role in ("guest", "host")}
    message = refused(cluster, tmp_path, dsl, conf, "host", HOST, NAMESPACE, TABLE, "does not exist")
    assert "guest" not in message  # the guest has the table


def test_party_without_a_route(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    refused(cluster, tmp_path, toy_dsl(), toy_conf(GUEST, "10002", work_mode=1), "host", "10002")


def test_standalone_work_mode_on_a_cluster_node(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    conf = parties_conf(GUEST, HOST, ARBITER, work_mode=0, algorithm={"wait_0": {"seconds": 0}})
    refused(cluster, tmp_path, wait_dsl(("wait_0", [])), conf, "work_mode 0")


def test_host_node_down_before_submit(tmp_path: Path) -> None:
    with running_cluster(tmp_path / "nodes", (GUEST, HOST)) as nodes:
        host = nodes[HOST]
        host.stop()
        guest_only = {GUEST: nodes[GUEST]}
        refused(guest_only, tmp_path, toy_dsl(), toy_conf(GUEST, HOST, work_mode=1), "host", HOST, "not reachable")
        host.start()  # nothing was left for it either
        assert snapshot(nodes) == {GUEST: ([], [], []), HOST: ([], [], [])}
