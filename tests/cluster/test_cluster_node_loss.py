"""A node of a running three-party job dies (SIGKILL of the node process alone) and comes back.

Each test has its own three nodes. Every party's rows are read on its own node; task pids are
the f_run_pid of each node's task rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_helpers import own_row, own_tasks
from integration_helpers import NodeProcess
from jobs_helpers import (ARBITER, GUEST, HOST, parties_conf, pid_alive, running_cluster, submitted, wait_dsl,
                          wait_gone, wait_tasks_running)

pytestmark = pytest.mark.integration

ALL = (GUEST, HOST, ARBITER)
RESTARTED = "the node restarted while the job ran"  # fate_runtime.recovery
UNREACHABLE = "the job's initiator became unreachable"  # fate_runtime.party


def start_long_job(nodes: dict[str, NodeProcess], tmp_path: Path) -> tuple[str, dict[str, int]]:
    """A Wait(30) job on all three parties, once each party's task process runs: (job id, pid per party)."""
    conf = parties_conf(GUEST, HOST, ARBITER, work_mode=1, algorithm={"wait_0": {"seconds": 30}})
    job_id = submitted(nodes[GUEST].node, tmp_path, wait_dsl(("wait_0", [])), conf)
    pids = {party: wait_tasks_running(nodes[party].node, job_id, 1, timeout=30)[0]["f_run_pid"] for party in ALL}
    assert len(set(pids.values())) == 3 and all(pid_alive(pid) for pid in pids.values()), pids
    return job_id, pids


def assert_tasks_ended(node: NodeProcess, job_id: str, statuses: tuple[str, ...],
                       retmsg: str | None = None) -> None:
    tasks = own_tasks(node, job_id)
    assert len(tasks) == 1 and tasks[0]["f_status"] in statuses, tasks
    if retmsg is not None:
        assert tasks[0]["f_retmsg"] == retmsg, tasks


def test_host_node_killed_during_a_job(tmp_path: Path) -> None:
    with running_cluster(tmp_path / "nodes") as nodes:
        guest, host, arbiter = nodes[GUEST], nodes[HOST], nodes[ARBITER]
        job_id, pids = start_long_job(nodes, tmp_path)

        host.kill()
        guest_row = own_row(guest, job_id, timeout=10)
        assert guest_row["f_status"] == "failed", guest_row
        assert "host 10000" in guest_row["f_retmsg"], guest_row
        assert f"job {job_id}: the watch stream of host 10000" in guest.log()  # with gRPC's code, for who reads logs
        arbiter_row = own_row(arbiter, job_id)
        assert arbiter_row["f_status"] in ("failed", "canceled"), arbiter_row
        assert arbiter_row["f_retmsg"] == guest_row["f_retmsg"], arbiter_row  # the initiator's word
        for party in (GUEST, ARBITER):
            assert_tasks_ended(nodes[party], job_id, ("failed", "canceled"))
        wait_gone(list(pids.values()))  # the host's task died with its node

        host.start()
        host_row = own_row(host, job_id)  # at once: the restarted node settled its rows before serving
        assert (host_row["f_status"], host_row["f_retmsg"]) == ("failed", RESTARTED), host_row
        assert_tasks_ended(host, job_id, ("failed",), RESTARTED)
        # the others keep the end they had
        assert own_row(guest, job_id)["f_retmsg"] == guest_row["f_retmsg"]
        assert own_row(arbiter, job_id)["f_status"] == arbiter_row["f_status"]


@pytest.mark.parametrize("restart", ["at once", "after the others ended"])
def test_initiator_killed_and_restarted_during_a_job(tmp_path: Path, restart: str) -> None:
    with running_cluster(tmp_path / "nodes") as nodes:
        guest = nodes[GUEST]
        job_id, pids = start_long_job(nodes, tmp_path)

        guest.kill()
        if restart == "after the others ended":  # the parties stop a job whose initiator is gone
            for party in (HOST, ARBITER):
                row = own_row(nodes[party], job_id)
                assert (row["f_status"], row["f_retmsg"]) == ("failed", UNREACHABLE), row
                assert_tasks_ended(nodes[party], job_id, ("failed",), UNREACHABLE)
            wait_gone(list(pids.values()))  # the guest's task died with its node
        guest.start()

        guest_row = own_row(guest, job_id)
        assert (guest_row["f_status"], guest_row["f_retmsg"]) == ("failed", RESTARTED), guest_row
        assert_tasks_ended(guest, job_id, ("failed",), RESTARTED)
        for party in (HOST, ARBITER):
            row = own_row(nodes[party], job_id)
            assert row["f_status"] in ("failed", "canceled"), row
            assert "initiator" in row["f_retmsg"], row
            assert_tasks_ended(nodes[party], job_id, ("failed", "canceled"))
        wait_gone(list(pids.values()))
