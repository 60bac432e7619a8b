"""Bad job requests through the CLI and raw REST on a standalone node.

Each refusal has FATE's retcode (100 a bad request, 101 nothing found), a one-sentence
retmsg naming what is wrong, CLI exit code 1 - and changes nothing: no job row, no job files.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest

from integration_helpers import Node, assert_refused, upload_conf, write_conf, write_csv
from jobs_helpers import (GUEST, HOST, parties_conf, standalone_node, submit, submitted, toy_conf, toy_dsl, wait_dsl,
                          wait_job)

pytestmark = pytest.mark.integration

NS = "jobs_bad_input"
PRESENT = "present"  # the guest's input table; the host's is missing
UNKNOWN_JOB = "20200101000000000000"
TOY = "secure_add_example_0"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with standalone_node(tmp_path_factory.mktemp("jobs_bad_input")) as started:
        csv = write_csv(started.files / "present.csv", "id,a", ["1,1", "2,2"])
        code, reply = started.cli("-f", "upload", "-c", str(write_conf(started.files / "present.json",
                                                                         upload_conf(csv, NS, PRESENT))))
        assert code == 0 and reply["retcode"] == 0, reply
        yield started


def job_state(node: Node) -> tuple[int, list[str], list[str]]:
    """(job rows, job directories, log directories) on the node."""
    reply = node.post("/v1/job/query", json={}).json()
    rows = 0 if reply["retcode"] == 101 else len(reply["data"])
    listed = [sorted(p.name for p in (node.data_dir / sub).iterdir()) if (node.data_dir / sub).exists() else []
              for sub in ("jobs", "logs")]
    return rows, listed[0], listed[1]


@contextmanager
def nothing_created(node: Node) -> Iterator[None]:
    before = job_state(node)
    yield
    assert job_state(node) == before


def refused_cli(node: Node, args: tuple[str, ...], retcode: int, *words: str) -> None:
    code, reply = node.cli(*args)
    assert code == 1, reply
    assert_refused(reply, retcode, *words)


# ---- submit: each case is (DSL, conf, words the retmsg must hold) ---------------------------------


def _unknown_module() -> tuple[dict, dict]:
    return {"components": {"x_0": {"module": "NoSuchModule"}}}, parties_conf(GUEST, HOST)


def _missing_component() -> tuple[dict, dict]:
    return wait_dsl(("a", ["ghost"])), parties_conf(GUEST, HOST)


def _missing_output() -> tuple[dict, dict]:
    dsl = wait_dsl(("a", []), ("b", ["a"]))
    dsl["components"]["b"]["input"]["data"]["data"] = ["a.nope"]
    return dsl, parties_conf(GUEST, HOST)


def _cycle() -> tuple[dict, dict]:
    return wait_dsl(("a", ["c"]), ("b", ["a"]), ("c", ["b"])), parties_conf(GUEST, HOST)


def _wrong_type() -> tuple[dict, dict]:
    return toy_dsl(), toy_conf(data_num="abc")


def _out_of_range() -> tuple[dict, dict]:
    return toy_dsl(), toy_conf(partition=0)


def _negative_wait() -> tuple[dict, dict]:
    conf = parties_conf(GUEST, HOST)
    conf["role_parameters"] = {"host": {"a": {"seconds": [-1]}}}
    return wait_dsl(("a", [])), conf


def _bad_choice() -> tuple[dict, dict]:
    dsl = wait_dsl(("f", []))
    dsl["components"]["f"]["module"] = "Fail"
    return dsl, parties_conf(GUEST, HOST, algorithm={"f": {"fail_role": "nobody"}})


def _cluster_mode() -> tuple[dict, dict]:
    return toy_dsl(), toy_conf(work_mode=1)


def _missing_host_table() -> tuple[dict, dict]:
    conf = parties_conf(GUEST, HOST)
    conf["role_parameters"] = {
        "guest": {"args": {"data": {"train_data": [{"name": PRESENT, "namespace": NS}]}}},
        "host": {"args": {"data": {"train_data": [{"name": "absent_table", "namespace": "absent_ns"}]}}}}
    dsl = wait_dsl(("a", []))
    dsl["components"]["a"]["input"] = {"data": {"data": ["args.train_data"]}}
    return dsl, conf


def _initiator_not_a_party() -> tuple[dict, dict]:
    conf = toy_conf()
    conf["initiator"]["party_id"] = 4242
    return toy_dsl(), conf


def _toy_without_host() -> tuple[dict, dict]:
    conf = toy_conf()
    del conf["role"]["host"]
    del conf["role_parameters"]["host"]
    return toy_dsl(), conf


SUBMIT_CASES: dict[str, tuple[Callable[[], tuple[dict, dict]], tuple[str, ...]]] = {
    "unknown module": (_unknown_module, ("x_0", "unknown module NoSuchModule")),
    "input from a missing component": (_missing_component, ("ghost.data", "missing component ghost")),
    "input from an undeclared output": (_missing_output, ("a.nope",)),
    "cycle": (_cycle, ("cycle", "a", "b", "c")),
    "wrong parameter type": (_wrong_type, ("data_num", "integer", "abc")),
    "value out of range": (_out_of_range, ("partition", "at least 1")),
    "negative wait on the host only": (_negative_wait, ("seconds", "host", HOST, "at least 0")),
    "value not among the choices": (_bad_choice, ("fail_role", "nobody")),
    "cluster job on a standalone node": (_cluster_mode, ("work_mode 1", "standalone")),
    "missing host input table": (_missing_host_table, ("host", HOST, "absent_ns", "absent_table", "does not exist")),
    "initiator not among the parties": (_initiator_not_a_party, ("initiator", "4242")),
    "module needing a host without one": (_toy_without_host, (TOY, "host")),
}


@pytest.mark.parametrize("case", sorted(SUBMIT_CASES))
def test_submit_refused(node: Node, tmp_path: Path, case: str) -> None:
    build, words = SUBMIT_CASES[case]
    dsl, conf = build()
    with nothing_created(node):
        code, reply = submit(node, tmp_path, dsl, conf)
        assert code == 1, reply
        assert_refused(reply, 100, *words)
        assert "jobId" not in reply


def test_the_missing_table_is_the_only_fault(node: Node, tmp_path: Path) -> None:
    """The same job with the host reading the table that exists runs: the refusal above was about the table."""
    dsl, conf = _missing_host_table()
    conf["role_parameters"]["host"]["args"]["data"]["train_data"] = [{"name": PRESENT, "namespace": NS}]
    rows = wait_job(node, submitted(node, tmp_path, dsl, conf))
    assert [row["f_status"] for row in rows] == ["success", "success"], rows


def test_malformed_bodies_over_rest(node: Node) -> None:
    good = {"job_dsl": toy_dsl(), "job_runtime_conf": toy_conf()}
    with nothing_created(node):
        reply = node.post("/v1/job/submit", data=b'{"job_dsl": {', headers={"Content-Type": "application/json"})
        assert reply.status_code == 200
        assert_refused(reply.json(), 100, "not valid JSON")
        assert_refused(node.post("/v1/job/submit", json={"job_dsl": toy_dsl()}).json(), 100, "job_runtime_conf")
        assert_refused(node.post("/v1/job/submit", json={**good, "job_dsl": ["a"]}).json(), 100, "job_dsl",
                       "JSON object")
        assert_refused(node.post("/v1/job/submit", json={**good, "job_runtime_conf": "conf"}).json(), 100,
                       "job_runtime_conf", "JSON object")
        no_components = copy.deepcopy(good)
        no_components["job_dsl"] = {"components": {}}
        assert_refused(node.post("/v1/job/submit", json=no_components).json(), 100, "components")


def test_bad_files_through_the_cli(node: Node, tmp_path: Path) -> None:
    not_json = tmp_path / "not_json.json"
    not_json.write_text('{"initiator": {"role": "guest",\n "party_id": }')
    dsl = write_conf(tmp_path / "dsl.json", toy_dsl())
    conf = write_conf(tmp_path / "conf.json", toy_conf())
    with nothing_created(node):
        refused_cli(node, ("-f", "submit_job", "-d", str(dsl), "-c", str(not_json)), 100,
                    "conf file", str(not_json), "not valid JSON", "line 2")
        refused_cli(node, ("-f", "submit_job", "-d", str(not_json), "-c", str(conf)), 100,
                    "dsl file", str(not_json), "not valid JSON")
        refused_cli(node, ("-f", "submit_job", "-d", str(dsl), "-c", str(tmp_path / "absent.json")), 100,
                    "conf file", "does not exist")
        refused_cli(node, ("-f", "submit_job", "-c", str(conf)), 100, "dsl")
        list_conf = tmp_path / "list.json"
        list_conf.write_text("[1, 2]")
        refused_cli(node, ("-f", "submit_job", "-d", str(dsl), "-c", str(list_conf)), 100, "JSON object")


COMPONENT = ("-j", UNKNOWN_JOB, "-r", "guest", "-p", GUEST, "-cpn", "a")
UNKNOWN_JOB_CLI = {
    "query_job": ("-j", UNKNOWN_JOB),
    "query_task": ("-j", UNKNOWN_JOB),
    "job_config": ("-j", UNKNOWN_JOB, "-r", "guest", "-p", GUEST, "-o", "OUT"),
    "job_log": ("-j", UNKNOWN_JOB, "-o", "OUT"),
    "data_view_query": ("-j", UNKNOWN_JOB, "-r", "guest", "-p", GUEST),
    "clean_job": ("-j", UNKNOWN_JOB),
    "stop_job": ("-j", UNKNOWN_JOB),
    "component_parameters": COMPONENT,
    "component_metric_all": COMPONENT,
    "component_metrics": COMPONENT,
    "component_output_model": COMPONENT,
    "component_output_data_table": COMPONENT,
    "component_output_data": (*COMPONENT, "-o", "OUT"),
}


@pytest.mark.parametrize("function", sorted(UNKNOWN_JOB_CLI))
def test_unknown_job_through_the_cli(node: Node, tmp_path: Path, function: str) -> None:
    args = tuple(str(tmp_path) if arg == "OUT" else arg for arg in UNKNOWN_JOB_CLI[function])
    with nothing_created(node):
        refused_cli(node, ("-f", function, *args), 101, UNKNOWN_JOB)
    assert list(tmp_path.iterdir()) == []  # nothing written either


@pytest.mark.parametrize("path", ["/v1/pipeline/dag/dependency", "/v1/job/update", "/v1/tracking/job/data_view",
                                  "/v1/tracking/component/metric_data", "/v1/tracking/component/output/data"])
def test_unknown_job_over_rest(node: Node, path: str) -> None:
    body = {"job_id": UNKNOWN_JOB, "role": "guest", "party_id": GUEST, "component_name": "a", "notes": "n",
            "metric_namespace": "m", "metric_name": "n"}
    with nothing_created(node):
        assert_refused(node.post(path, json=body).json(), 101, UNKNOWN_JOB)


def test_stop_a_finished_job(node: Node, tmp_path: Path) -> None:
    job_id = submitted(node, tmp_path, wait_dsl(("a", [])), parties_conf(GUEST, HOST))
    assert [row["f_status"] for row in wait_job(node, job_id)] == ["success", "success"]
    refused_cli(node, ("-f", "stop_job", "-j", job_id), 100, job_id, "already ended", "success")
    assert [row["f_status"] for row in wait_job(node, job_id)] == ["success", "success"]
    refused_cli(node, ("-f", "stop_job"), 100, "job_id")
