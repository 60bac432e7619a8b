"""Checks the cluster tests share: a job's rows on each party's own node, task pids, metrics.

Every party's node keeps only its own rows, so each check reads a node's database through that
node's REST API (/v1/job/query, /v1/job/task/query, /v1/tracking/...).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from integration_helpers import NodeProcess
from jobs_helpers import ARBITER, ENDED, GUEST, HOST, task_rows, wait_job

ROLE_OF = {GUEST: "guest", HOST: "host", ARBITER: "arbiter"}
ENDED_WAIT = 30.0  # generous: only there to turn a hang into a failure


def role_of(node: NodeProcess) -> str:
    """The role the cluster tests give a party's node."""
    assert node.party is not None, "a standalone node has no single party"
    return ROLE_OF[node.party]


def own_row(node: NodeProcess, job_id: str, statuses: Sequence[str] = ENDED,
            timeout: float = ENDED_WAIT) -> dict[str, Any]:
    """The job's single row on a party's node (its own role and party) once its status is in `statuses`."""
    rows = wait_job(node.node, job_id, statuses, timeout)
    assert [(r["f_role"], r["f_party_id"]) for r in rows] == [(role_of(node), node.party)], rows
    return rows[0]


def ended_rows(nodes: dict[str, NodeProcess], job_id: str, parties: Iterable[str],
               timeout: float = ENDED_WAIT) -> dict[str, dict[str, Any]]:
    """Each party's own job row, read on its own node, once it has ended."""
    return {party: own_row(nodes[party], job_id, ENDED, timeout) for party in parties}


def statuses(rows: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {party: row["f_status"] for party, row in rows.items()}


def own_tasks(node: NodeProcess, job_id: str) -> list[dict[str, Any]]:
    """The job's task rows on a party's node: every one of them is that party's."""
    rows = task_rows(node.node, job_id)
    assert {(r["f_role"], r["f_party_id"]) for r in rows} <= {(role_of(node), node.party)}, rows
    return rows


def no_job(node: NodeProcess, job_id: str) -> None:
    """The node has no row and no files of the job."""
    reply = node.post("/v1/job/query", json={"job_id": job_id}).json()
    assert reply["retcode"] == 101 and not reply.get("data"), reply
    reply = node.post("/v1/job/task/query", json={"job_id": job_id}).json()
    assert reply["retcode"] == 101 and not reply.get("data"), reply
    assert not (node.data_dir / "jobs" / job_id).exists()


def metric(node: NodeProcess, job_id: str, component: str, namespace: str, name: str) -> dict[str, Any]:
    """A metric of the node's own party through /v1/tracking/component/metric_data: {key: value}."""
    reply = node.post("/v1/tracking/component/metric_data", json={
        "job_id": job_id, "component_name": component, "role": role_of(node), "party_id": node.party,
        "metric_namespace": namespace, "metric_name": name}).json()
    assert reply["retcode"] == 0 and reply.get("data"), reply
    return dict(reply["data"])
