"""A diamond DAG a -> (b, c) -> d of Wait components: parallel branches, the DAG endpoint, models.

b and c each wait 1.5 s. Their recorded run windows (metric timing/window, written by the
components) must overlap, and d must start after both ended - compared between recorded
times, never against the wall clock. d does not run on the host (need_run false there).
"""

from __future__ import annotations


import pytest

from integration_helpers import Node, assert_refused
from jobs_helpers import GUEST, HOST, cli_ok, parties_conf, submitted, task_rows, wait_dsl, wait_job

pytestmark = pytest.mark.integration

BRANCH_SECONDS = 1.5
PARTY = {"guest": GUEST, "host": HOST}


@pytest.fixture(scope="module")
def job_id(node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    dsl = wait_dsl(("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"]))
    conf = parties_conf(GUEST, HOST, algorithm={"b": {"seconds": BRANCH_SECONDS}, "c": {"seconds": BRANCH_SECONDS}})
    conf["role_parameters"] = {"host": {"d": {"need_run": [False]}}}
    job = submitted(node, tmp_path_factory.mktemp("dag_job"), dsl, conf)
    rows = wait_job(node, job)
    assert [(row["f_status"], row["f_progress"]) for row in rows] == [("success", 100)] * 2, rows
    return job


def window(node: Node, job_id: str, component: str, role: str) -> tuple[float, float]:
    reply = cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", role, "-p", PARTY[role],
                   "-cpn", component)
    timing = reply["data"]["timing"]["window"]
    assert timing["meta"] == {"metric_type": "TIMING", "name": "window"}
    points = dict(timing["data"])
    assert set(points) == {"start", "end"} and points["end"] - points["start"] >= (
        BRANCH_SECONDS if component in "bc" else 0.0)
    return points["start"], points["end"]


def test_tasks(node: Node, job_id: str) -> None:
    assert sorted((t["f_component_name"], t["f_role"], t["f_party_id"], t["f_status"])
                  for t in task_rows(node, job_id)) == [
        ("a", "guest", GUEST, "success"), ("a", "host", HOST, "success"),
        ("b", "guest", GUEST, "success"), ("b", "host", HOST, "success"),
        ("c", "guest", GUEST, "success"), ("c", "host", HOST, "success"),
        ("d", "guest", GUEST, "success")]


def test_branches_run_in_parallel(node: Node, job_id: str) -> None:
    windows = {(component, role): window(node, job_id, component, role)
               for component in "bc" for role in ("guest", "host")}
    for role in ("guest", "host"):
        (b_start, b_end), (c_start, c_end) = windows[("b", role)], windows[("c", role)]
        assert b_start < c_end and c_start < b_end, (role, windows)  # the two windows overlap
    d_start, _ = window(node, job_id, "d", "guest")
    assert d_start >= max(end for _, end in windows.values()), (d_start, windows)

    # the task rows say the same: d started after b and c ended on every party
    tasks = {(t["f_component_name"], t["f_role"]): t for t in task_rows(node, job_id)}
    d_task = tasks[("d", "guest")]
    for key in windows:
        assert d_task["f_start_time"] >= tasks[key]["f_end_time"], (key, tasks[key], d_task)
    for component in "bc":
        assert tasks[(component, "guest")]["f_start_time"] >= tasks[("a", "host")]["f_end_time"]


def test_dag_dependency(node: Node, job_id: str) -> None:
    expected = {"component_list": ["a", "b", "c", "d"],
                "dependencies": {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]},
                "component_module": {"a": "Wait", "b": "Wait", "c": "Wait", "d": "Wait"}}
    for role, need_run_d in (("guest", True), ("host", False)):
        reply = node.post("/v1/pipeline/dag/dependency", json={"job_id": job_id, "role": role,
                                                                "party_id": PARTY[role]}).json()
        assert reply["retcode"] == 0, reply
        assert reply["data"] == {**expected,
                                 "component_need_run": {"a": True, "b": True, "c": True, "d": need_run_d}}
    reply = node.post("/v1/pipeline/dag/dependency", json={"job_id": job_id}).json()
    assert_refused(reply, 100, "role", "party_id")
    reply = node.post("/v1/pipeline/dag/dependency", json={"job_id": job_id, "role": "arbiter",
                                                            "party_id": "10001"}).json()
    assert_refused(reply, 101, job_id)


def test_output_model(node: Node, job_id: str) -> None:
    reply = cli_ok(node, "-f", "component_output_model", "-j", job_id, "-r", "host", "-p", HOST, "-cpn", "b")
    assert reply["data"] == {"seconds": BRANCH_SECONDS, "rows": 1}  # FATE's shape: the Param message's fields
    assert reply["meta"] == {"module_name": "Wait", "model_alias": "model", "model_id": "guest-9999#host-10000#model",
                             "model_version": job_id, "buffers": {"WaitParam": "google.protobuf.Struct"}}
    # d did not run on the host: nothing to show, and FATE answers that with retcode 0
    code, reply = node.cli("-f", "component_output_model", "-j", job_id, "-r", "host", "-p", HOST, "-cpn", "d")
    assert (code, reply) == (0, {"retcode": 0, "retmsg": "no data"})
    code, reply = node.cli("-f", "component_parameters", "-j", job_id, "-r", "host", "-p", HOST, "-cpn", "d")
    assert code == 1
    assert_refused(reply, 101, "d", "host", HOST)


def test_a_component_switched_off_for_a_party_passes_its_input_on(node: Node, tmp_path_factory) -> None:
    """As FATE: with need_run false on the host, b's host task does not run and c reads a's output there."""
    conf = parties_conf(GUEST, HOST)
    conf["role_parameters"] = {"host": {"b": {"need_run": [False]}}}
    job = submitted(node, tmp_path_factory.mktemp("switched_off"), wait_dsl(("a", []), ("b", ["a"]), ("c", ["b"])),
                    conf)
    assert [row["f_status"] for row in wait_job(node, job)] == ["success"] * 2
    assert sorted((t["f_component_name"], t["f_role"]) for t in task_rows(node, job)) == [
        ("a", "guest"), ("a", "host"), ("b", "guest"), ("c", "guest"), ("c", "host")]

    def output_table(component: str, role: str) -> tuple[str, str]:
        reply = cli_ok(node, "-f", "component_output_data_table", "-j", job, "-r", role, "-p", PARTY[role],
                       "-cpn", component)
        return reply["data"]["table_namespace"], reply["data"]["table_name"]

    assert output_table("c", "host") == output_table("a", "host")  # Wait hands its input table on
    assert output_table("c", "guest") == output_table("b", "guest") == output_table("a", "guest")
