"""FATE's toy example (SecureAddExample, guest and host 10000) on a standalone node, through the CLI.

The example's DSL and conf are submitted unchanged from their files, as a FATE user runs
`python fate_flow_client.py -f submit_job -d toy_example_dsl.json -c toy_example_conf.json`;
then every reading of the finished job: rows, tasks, config, logs, metrics, parameters,
data view, notes - and last, clean_job.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from integration_helpers import HTTP_TIMEOUT, ROOT, Node, assert_refused
from jobs_helpers import TOY_CONF, TOY_DSL, cli_ok, pid_alive, task_rows, wait_job

pytestmark = pytest.mark.integration

TOY = "secure_add_example_0"
PARTY = "10000"
SHARED_TOY_DIR = ROOT.parent / "shared" / "fate_examples" / "v1.2.0" / "toy_example"
TOY_METRIC = {"data": [["secure_sum", 2000.0], ["expected", 2000.0]],
              "meta": {"metric_type": "SECURE_ADD", "name": "result"}}


def submit_files(node: Node, dsl: Path, conf: Path) -> dict[str, Any]:
    reply = cli_ok(node, "-f", "submit_job", "-d", str(dsl), "-c", str(conf))
    rows = wait_job(node, reply["jobId"])
    assert [row["f_status"] for row in rows] == ["success", "success"], rows
    return reply


@pytest.fixture(scope="module")
def toy(node: Node) -> dict[str, Any]:
    """The submit reply of the toy example, submitted from examples/toy_example, once it has succeeded."""
    return submit_files(node, TOY_DSL, TOY_CONF)


@pytest.fixture(scope="module")
def job_id(toy: dict[str, Any]) -> str:
    return toy["jobId"]


def test_submit_reply(node: Node, toy: dict[str, Any], job_id: str) -> None:
    assert toy["retmsg"] == "success"
    assert re.fullmatch(r"\d{21,}", job_id), job_id  # FATE: %Y%m%d%H%M%S%f then a counter
    datetime.strptime(job_id[:20], "%Y%m%d%H%M%S%f")
    data = toy["data"]
    assert set(data) == {"job_dsl_path", "job_runtime_conf_path", "logs_directory", "model_info", "board_url"}
    assert data["model_info"] == {"model_id": "guest-10000#host-10000#model", "model_version": job_id}

    dsl_path, conf_path = Path(data["job_dsl_path"]), Path(data["job_runtime_conf_path"])
    assert (dsl_path.name, conf_path.name) == ("job_dsl.json", "job_runtime_conf.json")
    assert dsl_path.parent == conf_path.parent and dsl_path.parent.name == job_id
    assert json.loads(dsl_path.read_text()) == json.loads(TOY_DSL.read_text())
    saved = json.loads(conf_path.read_text())
    # FATE adds the model's id and version to the saved job_parameters; nothing else changes
    added = {key: saved["job_parameters"].pop(key) for key in ("model_id", "model_version")
             if key in saved["job_parameters"]}
    assert added in ({}, data["model_info"])
    assert saved == json.loads(TOY_CONF.read_text())

    logs = Path(data["logs_directory"])
    assert logs.is_dir() and logs.name == job_id
    assert (logs / "fate_flow_schedule.log").is_file()

    # The board URL is the initiator's page of the job on the node's own board, and it answers.
    assert data["board_url"] == f"{node.url}/board/jobs/{job_id}/guest/{PARTY}"
    board = requests.get(data["board_url"], timeout=HTTP_TIMEOUT)
    assert board.status_code == 200 and board.headers["Content-Type"].startswith("text/html")


def test_query_job(node: Node, job_id: str) -> None:
    reply = cli_ok(node, "-f", "query_job", "-j", job_id)
    rows = {row["f_role"]: row for row in reply["data"]}
    assert set(rows) == {"guest", "host"} and len(reply["data"]) == 2
    for role, row in rows.items():
        assert (row["f_job_id"], row["f_party_id"], row["f_status"], row["f_progress"], row["f_retmsg"]) == (
            job_id, PARTY, "success", 100, ""), row
        assert row["f_roles"] == {"guest": [10000], "host": [10000]}
        assert (row["f_initiator_party_id"], row["f_work_mode"]) == (PARTY, 0)
        assert row["f_start_time"] <= row["f_end_time"] and row["f_elapsed"] == row["f_end_time"] - row["f_start_time"]
        assert "f_dsl" not in row and "f_runtime_conf" not in row  # the CLI leaves them out, as FATE's does
    assert (rows["guest"]["f_is_initiator"], rows["host"]["f_is_initiator"]) == (1, 0)

    # REST rows carry the DSL and the conf
    rest = node.post("/v1/job/query", json={"job_id": job_id, "role": "guest"}).json()
    assert [row["f_role"] for row in rest["data"]] == ["guest"]
    assert rest["data"][0]["f_dsl"] == json.loads(TOY_DSL.read_text())
    assert rest["data"][0]["f_runtime_conf"]["role_parameters"] == json.loads(TOY_CONF.read_text())["role_parameters"]

    assert [r["f_role"] for r in cli_ok(node, "-f", "query_job", "-j", job_id, "-r", "host")["data"]] == ["host"]
    assert sorted(r["f_role"] for r in cli_ok(node, "-f", "query_job", "-j", job_id, "-p", PARTY)["data"]) == [
        "guest", "host"]
    assert len(cli_ok(node, "-f", "query_job", "-j", job_id, "-s", "success")["data"]) == 2
    for filters in (("-r", "guest", "-p", "9999"), ("-s", "failed"), ("-r", "arbiter")):
        code, reply = node.cli("-f", "query_job", "-j", job_id, *filters)
        assert code == 1, reply
        assert_refused(reply, 101, "find job failed")


def test_query_task(node: Node, job_id: str) -> None:
    reply = cli_ok(node, "-f", "query_task", "-j", job_id)
    assert sorted((t["f_component_name"], t["f_role"], t["f_party_id"], t["f_status"]) for t in reply["data"]) == [
        (TOY, "guest", PARTY, "success"), (TOY, "host", PARTY, "success")]
    for task in reply["data"]:
        assert (task["f_job_id"], task["f_task_id"], task["f_retmsg"]) == (job_id, f"{job_id}_{TOY}", "")
        assert isinstance(task["f_run_pid"], int) and task["f_run_pid"] > 0
        assert not pid_alive(task["f_run_pid"])
        assert task["f_start_time"] <= task["f_end_time"]
    assert [(t["f_role"]) for t in cli_ok(node, "-f", "query_task", "-j", job_id, "-r", "host")["data"]] == ["host"]
    assert len(cli_ok(node, "-f", "query_task", "-j", job_id, "-cpn", TOY, "-s", "success")["data"]) == 2
    code, reply = node.cli("-f", "query_task", "-j", job_id, "-cpn", "no_such_component")
    assert code == 1
    assert_refused(reply, 101, "find task failed")


def test_job_config_writes_the_job_files(node: Node, job_id: str, tmp_path: Path) -> None:
    reply = cli_ok(node, "-f", "job_config", "-j", job_id, "-r", "guest", "-p", PARTY, "-o", str(tmp_path))
    directory = tmp_path / f"job_{job_id}_config"
    assert reply["directory"] == str(directory)
    assert reply["retmsg"] == f"download successfully, please check {directory} directory"
    model_info = {"model_id": "guest-10000#host-10000#model", "model_version": job_id}
    assert reply["data"]["model_info"] == model_info and reply["data"]["job_id"] == job_id
    assert "dsl" not in reply["data"] and "runtime_conf" not in reply["data"]
    assert sorted(p.name for p in directory.iterdir()) == [
        "dsl.json", "model_info.json", "runtime_conf.json", "train_runtime_conf.json"]
    assert json.loads((directory / "dsl.json").read_text()) == json.loads(TOY_DSL.read_text())
    conf = json.loads((directory / "runtime_conf.json").read_text())
    assert conf["role_parameters"] == json.loads(TOY_CONF.read_text())["role_parameters"]
    assert json.loads((directory / "model_info.json").read_text()) == model_info
    assert json.loads((directory / "train_runtime_conf.json").read_text()) == {}

    code, reply = node.cli("-f", "job_config", "-j", job_id, "-r", "guest", "-p", PARTY)
    assert code == 1
    assert_refused(reply, 100, "output_path")


def test_job_log_has_every_party_and_component(node: Node, job_id: str, tmp_path: Path) -> None:
    reply = cli_ok(node, "-f", "job_log", "-j", job_id, "-o", str(tmp_path))
    directory = tmp_path / f"job_{job_id}_log"
    assert reply["directory"] == str(directory)
    schedule = (directory / "fate_flow_schedule.log").read_text()
    assert f"job {job_id} succeeded" in schedule
    guest = directory / "guest" / PARTY / TOY
    host = directory / "host" / PARTY / TOY
    assert "running secure_add_example_0 (SecureAddExample) as guest 10000" in (guest / "INFO.log").read_text()
    assert "secure sum is 2000.0 (expected 2000.0)" in (guest / "INFO.log").read_text()
    assert "running secure_add_example_0 (SecureAddExample) as host 10000" in (host / "INFO.log").read_text()


def test_metrics(node: Node, job_id: str) -> None:
    task = ("-j", job_id, "-r", "guest", "-p", PARTY, "-cpn", TOY)
    assert cli_ok(node, "-f", "component_metric_all", *task)["data"] == {"secure_add": {"result": TOY_METRIC}}
    assert cli_ok(node, "-f", "component_metrics", *task)["data"] == {"secure_add": ["result"]}
    body = {"job_id": job_id, "role": "guest", "party_id": PARTY, "component_name": TOY,
            "metric_namespace": "secure_add"}
    for name_key in ("metric_name", "meric_name"):  # the second is the API document's spelling
        reply = node.post("/v1/tracking/component/metric_data", json={**body, name_key: "result"}).json()
        assert (reply["retcode"], reply["data"], reply["meta"]) == (0, TOY_METRIC["data"], TOY_METRIC["meta"])
    reply = node.post("/v1/tracking/component/metric_data", json={**body, "metric_name": "auc"}).json()
    assert_refused(reply, 101, "secure_add.auc")
    # the host logs no metric: FATE answers retcode 0 without data
    host = cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", "host", "-p", PARTY, "-cpn", TOY)
    assert host == {"retcode": 0, "retmsg": "no data"}


def test_component_parameters_per_role(node: Node, job_id: str) -> None:
    for role, seed in (("guest", 123), ("host", 321)):
        reply = cli_ok(node, "-f", "component_parameters", "-j", job_id, "-r", role, "-p", PARTY, "-cpn", TOY)
        data = reply["data"]
        assert data["ComponentParam"] == {"seed": seed, "partition": 10, "data_num": 1000, "need_run": True}
        assert (data["module"], data["role"], data["party_id"], data["component_name"], data["job_id"]) == (
            "SecureAddExample", role, PARTY, TOY, job_id)
    code, reply = node.cli("-f", "component_parameters", "-j", job_id, "-r", "guest", "-p", PARTY,
                           "-cpn", "no_such_component")
    assert code == 1
    assert_refused(reply, 101, "no_such_component")


def test_output_model_of_a_component_without_one(node: Node, job_id: str) -> None:
    reply = cli_ok(node, "-f", "component_output_model", "-j", job_id, "-r", "guest", "-p", PARTY, "-cpn", TOY)
    assert reply == {"retcode": 0, "retmsg": "no data"}


def test_data_view(node: Node, job_id: str) -> None:
    # data_view_query answers FATE's t_data_view rows, the tables a job wrote: the toy example writes none
    assert node.cli("-f", "data_view_query", "-j", job_id, "-r", "host", "-p", PARTY) == (
        1, {"retcode": 101, "retmsg": "find data view failed"})
    reply = node.post("/v1/tracking/job/data_view", json={"job_id": job_id, "role": "host", "party_id": PARTY})
    data = reply.json()["data"]
    assert (data["job_id"], data["role"], data["party_id"], data["status"]) == (job_id, "host", PARTY, "success")
    assert data["partner"] == {"guest": [PARTY]}
    assert data["dataset"] == {"host": {PARTY: {}}}  # the toy example reads no table


def test_update_notes(node: Node, job_id: str) -> None:
    reply = node.post("/v1/job/update", json={"job_id": job_id, "role": "guest", "party_id": PARTY,
                                                "notes": "toy run, kept for the audit"}).json()
    assert reply == {"retcode": 0, "retmsg": "success"}
    rows = {row["f_role"]: row for row in cli_ok(node, "-f", "query_job", "-j", job_id)["data"]}
    assert (rows["guest"]["f_description"], rows["host"]["f_description"]) == ("toy run, kept for the audit", "")
    assert cli_ok(node, "-f", "query_job", "-j", job_id)["data"][0]["f_status"] == "success"
    reply = node.post("/v1/job/update", json={"job_id": job_id, "role": "guest", "party_id": "9999",
                                                "notes": "x"}).json()
    assert_refused(reply, 101, job_id)
    assert_refused(node.post("/v1/job/update", json={"job_id": job_id, "notes": "x"}).json(), 100, "role", "party_id")


def test_shared_toy_example_unchanged(node: Node) -> None:
    """FATE's own copy of the toy example, if the shared examples carry one."""
    dsl, conf = SHARED_TOY_DIR / "toy_example_dsl.json", SHARED_TOY_DIR / "toy_example_conf.json"
    if not (dsl.is_file() and conf.is_file()):
        pytest.skip(f"no toy example in {SHARED_TOY_DIR}")
    job_id = submit_files(node, dsl, conf)["jobId"]
    reply = cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", "guest", "-p", PARTY, "-cpn", TOY)
    assert reply["data"]["secure_add"]["result"]["data"][0][0] == "secure_sum"


def test_clean_job_last(node: Node, job_id: str) -> None:
    """What the job received went when it ended; clean_job deletes what it stored and its metrics; rows stay."""
    assert [t for t in node.stored_tables() if job_id in t.split("/")[0]] == []  # (the toy keeps no output table)
    assert cli_ok(node, "-f", "clean_job", "-j", job_id) == {"retcode": 0, "retmsg": "success"}
    task = ("-j", job_id, "-r", "guest", "-p", PARTY, "-cpn", TOY)
    assert node.cli("-f", "component_metric_all", *task) == (0, {"retcode": 0, "retmsg": "no data"})
    assert [r["f_status"] for r in cli_ok(node, "-f", "query_job", "-j", job_id)["data"]] == ["success", "success"]
    assert len(task_rows(node, job_id)) == 2
    assert cli_ok(node, "-f", "clean_job", "-j", job_id) == {"retcode": 0, "retmsg": "success"}  # nothing left
