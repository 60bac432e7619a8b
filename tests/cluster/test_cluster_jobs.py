"""Jobs across three cluster-mode nodes on loopback (guest 9999, host 10000, arbiter 10001).

The nodes are shared by the tests of this module (every job has its own id); each check reads
a party's rows on that party's own node.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from cluster_helpers import ROLE_OF, ended_rows, metric, no_job, own_row, own_tasks, statuses
from integration_helpers import NodeProcess
from jobs_helpers import (ARBITER, GUEST, HOST, job_rows, parties_conf, pid_alive, running_cluster, submitted, toy_conf,
                          toy_dsl, wait_dsl, wait_gone, wait_tasks_running)

pytestmark = pytest.mark.integration

ALL = (GUEST, HOST, ARBITER)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProcess]]:
    with running_cluster(tmp_path_factory.mktemp("cluster")) as nodes:
        yield nodes


def submit_on_guest(cluster: dict[str, NodeProcess], tmp_path: Path, dsl: dict[str, Any],
                    conf: dict[str, Any]) -> str:
    return submitted(cluster[GUEST].node, tmp_path, dsl, conf)


def test_toy_example_runs_on_guest_and_host_nodes(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    guest, host = cluster[GUEST], cluster[HOST]
    job_id = submit_on_guest(cluster, tmp_path, toy_dsl(), toy_conf(GUEST, HOST, work_mode=1))

    rows = ended_rows(cluster, job_id, (GUEST, HOST))
    assert statuses(rows) == {GUEST: "success", HOST: "success"}, rows
    assert rows[GUEST]["f_is_initiator"] == 1 and rows[HOST]["f_is_initiator"] == 0
    for party in (GUEST, HOST):
        assert rows[party]["f_initiator_party_id"] == GUEST
        assert rows[party]["f_work_mode"] == 1
        assert rows[party]["f_roles"] == {"guest": [int(GUEST)], "host": [int(HOST)]}
        assert rows[party]["f_progress"] == 100
        tasks = own_tasks(cluster[party], job_id)
        assert [(t["f_component_name"], t["f_status"]) for t in tasks] == [("secure_add_example_0", "success")]

    # guest = host = 1000 ones, secret-shared: the guest's sum is 2000
    assert metric(guest, job_id, "secure_add_example_0", "secure_add", "result") == {
        "secure_sum": 2000.0, "expected": 2000.0}
    code, reply = guest.cli("-f", "component_metrics", "-j", job_id, "-cpn", "secure_add_example_0",
                            "-r", "guest", "-p", GUEST)
    assert code == 0 and reply["data"] == {"secure_add": ["result"]}, reply

    # the host's node answers with the host's row only (through its own CLI too)
    code, reply = host.cli("-f", "query_job", "-j", job_id)
    assert code == 0 and reply["retcode"] == 0, reply
    assert [(r["f_role"], r["f_party_id"], r["f_status"]) for r in reply["data"]] == [("host", HOST, "success")]
    code, reply = host.cli("-f", "query_job", "-j", job_id, "-r", "guest")
    assert reply["retcode"] == 101 and not reply.get("data"), reply

    no_job(cluster[ARBITER], job_id)  # a two-party job leaves the arbiter alone


def test_wait_job_runs_a_task_on_every_party(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    conf = parties_conf(GUEST, HOST, ARBITER, work_mode=1, algorithm={"wait_0": {"seconds": 0.2}})
    job_id = submit_on_guest(cluster, tmp_path, wait_dsl(("wait_0", [])), conf)

    rows = ended_rows(cluster, job_id, ALL)
    assert statuses(rows) == {GUEST: "success", HOST: "success", ARBITER: "success"}, rows
    pids = {}
    for party in ALL:
        tasks = own_tasks(cluster[party], job_id)
        assert [(t["f_component_name"], t["f_status"]) for t in tasks] == [("wait_0", "success")], tasks
        assert tasks[0]["f_run_pid"], tasks
        pids[party] = tasks[0]["f_run_pid"]
        window = metric(cluster[party], job_id, "wait_0", "timing", "window")  # the task really ran there
        assert sorted(window) == ["end", "start"] and window["end"] - window["start"] >= 0.2, window
    assert len(set(pids.values())) == 3, pids


@pytest.mark.parametrize("fail_party", [ARBITER, HOST])
def test_a_failing_party_fails_the_job_on_every_node(cluster: dict[str, NodeProcess], tmp_path: Path,
                                                     fail_party: str) -> None:
    role = ROLE_OF[fail_party]
    message = f"planned failure of the {role}"
    conf = parties_conf(GUEST, HOST, ARBITER, work_mode=1,
                        algorithm={"fail_0": {"fail_role": role, "message": message}})
    job_id = submit_on_guest(cluster, tmp_path, {"components": {"fail_0": {"module": "Fail"}}}, conf)

    rows = ended_rows(cluster, job_id, ALL)
    assert statuses(rows) == {GUEST: "failed", HOST: "failed", ARBITER: "failed"}, rows
    for party in ALL:
        assert rows[party]["f_retmsg"] == f"{role} {fail_party}: fail_0 failed: {message}", rows[party]
    failing = own_tasks(cluster[fail_party], job_id)
    assert [(t["f_status"], t["f_retmsg"]) for t in failing] == [("failed", f"fail_0 failed: {message}")]
    pids = []
    for party in ALL:
        tasks = own_tasks(cluster[party], job_id)
        assert len(tasks) == 1 and tasks[0]["f_status"] in ("success", "failed"), tasks
        pids.append(tasks[0]["f_run_pid"])
    wait_gone(pids)


def test_stop_job_cancels_every_party(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    conf = parties_conf(GUEST, HOST, ARBITER, work_mode=1, algorithm={"wait_0": {"seconds": 30}})
    job_id = submit_on_guest(cluster, tmp_path, wait_dsl(("wait_0", [])), conf)
    pids = {party: wait_tasks_running(cluster[party].node, job_id, 1, timeout=30)[0]["f_run_pid"] for party in ALL}
    assert all(pid_alive(pid) for pid in pids.values()), pids
    for party in ALL:
        assert own_row(cluster[party], job_id, ("running",))["f_status"] == "running"

    code, reply = cluster[GUEST].cli("-f", "stop_job", "-j", job_id)
    assert code == 0 and reply["retcode"] == 0, reply

    rows = ended_rows(cluster, job_id, ALL)
    assert statuses(rows) == {GUEST: "canceled", HOST: "canceled", ARBITER: "canceled"}, rows
    for party in ALL:
        tasks = own_tasks(cluster[party], job_id)
        assert [t["f_status"] for t in tasks] == ["canceled"], tasks
        assert tasks[0]["f_run_pid"] == pids[party]
    wait_gone(list(pids.values()))


def test_independent_branches_run_at_once_on_each_party(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    dsl = wait_dsl(("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"]))
    conf = parties_conf(GUEST, HOST, work_mode=1, algorithm={"b": {"seconds": 1.5}, "c": {"seconds": 1.5}})
    job_id = submit_on_guest(cluster, tmp_path, dsl, conf)

    rows = ended_rows(cluster, job_id, (GUEST, HOST), timeout=60)
    assert statuses(rows) == {GUEST: "success", HOST: "success"}, rows
    for party in (GUEST, HOST):
        node = cluster[party]
        tasks = own_tasks(node, job_id)
        assert sorted((t["f_component_name"], t["f_status"]) for t in tasks) == [
            (name, "success") for name in "abcd"], tasks
        window = {name: metric(node, job_id, name, "timing", "window") for name in "abcd"}
        b, c = window["b"], window["c"]
        assert max(b["start"], c["start"]) < min(b["end"], c["end"]), (party, window)  # b and c overlap
        assert window["a"]["end"] <= min(b["start"], c["start"]), (party, window)
        assert window["d"]["start"] >= max(b["end"], c["end"]), (party, window)
        code, reply = node.cli("-f", "component_metrics", "-j", job_id, "-cpn", "b", "-r", ROLE_OF[party],
                               "-p", party)
        assert code == 0 and reply["data"]["timing"] == ["window"], reply
    no_job(cluster[ARBITER], job_id)


def test_job_rows_follow_progress_and_current_tasks(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    dsl = wait_dsl(("first", []), ("second", ["first"]))
    conf = parties_conf(GUEST, HOST, work_mode=1, algorithm={"first": {"seconds": 2}, "second": {"seconds": 2}})
    job_id = submit_on_guest(cluster, tmp_path, dsl, conf)

    seen: dict[str, set[tuple[str, int, tuple[str, ...], tuple[str, ...]]]] = {GUEST: set(), HOST: set()}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ended = True
        for party in (GUEST, HOST):
            rows = job_rows(cluster[party].node, job_id)
            assert len(rows) == 1, rows
            row = rows[0]
            seen[party].add((row["f_status"], row["f_progress"], tuple(row["f_current_steps"]),
                             tuple(row["f_current_tasks"])))
            ended = ended and row["f_status"] not in ("waiting", "running")
        if ended:
            break
        time.sleep(0.05)
    for party in (GUEST, HOST):
        states = seen[party]
        assert ("running", 0, ("first",), (f"{job_id}_first",)) in states, (party, states)
        assert ("running", 50, ("second",), (f"{job_id}_second",)) in states, (party, states)
        assert ("success", 100, (), ()) in states, (party, states)
        running = [s for s in states if s[0] == "running"]
        assert {s[1] for s in running} <= {0, 50}, (party, states)
    final = ended_rows(cluster, job_id, (GUEST, HOST))
    assert {p: (r["f_status"], r["f_progress"]) for p, r in final.items()} == {
        GUEST: ("success", 100), HOST: ("success", 100)}


def test_each_node_has_the_data_views_of_its_partys_outputs(cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    job_id = submit_on_guest(cluster, tmp_path, wait_dsl(("wait_0", [])), parties_conf(GUEST, HOST, work_mode=1))
    assert statuses(ended_rows(cluster, job_id, (GUEST, HOST))) == {GUEST: "success", HOST: "success"}
    outputs = {party: (f"output.{job_id}", f"wait_0.{ROLE_OF[party]}.{party}.data") for party in (GUEST, HOST)}
    for party in (GUEST, HOST):
        code, reply = cluster[party].cli("-f", "data_view_query", "-j", job_id)
        assert code == 0, reply
        assert [(r["f_component_name"], r["f_role"], r["f_party_id"], r["f_table_namespace"], r["f_table_name"])
                for r in reply["data"]] == [("wait_0", ROLE_OF[party], party, *outputs[party])]

    code, reply = cluster[HOST].cli("-f", "table_delete", "-j", job_id, "-cpn", "wait_0")
    assert code == 0 and reply["data"] == [{"namespace": outputs[HOST][0], "table_name": outputs[HOST][1]}], reply
    assert cluster[HOST].node.table_count(*outputs[HOST]) is None
    assert cluster[GUEST].node.table_count(*outputs[GUEST]) == 1  # the guest's output, on its own node, stays
