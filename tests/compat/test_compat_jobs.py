"""`flow job|task|component ...` (fate-client 1.6 and 1.11) against our node: FATE's toy job, a DSL v2 job
with a Reader component, a job whose component saves a model, and stopping jobs.

The node runs one job at a time (max_jobs 1), so a second job submitted while one runs waits.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from compat_helpers import PARTY, TOY_COMPONENT, TOY_CONF, TOY_DSL, Flow, ended, submit
from jobs_helpers import wait_job

from integration_helpers import BREAST_HEADER, Node, breast_rows, upload_conf, write_conf, write_csv

pytestmark = pytest.mark.integration


def v2_job(tmp_path: Path, name: str, dsl: dict[str, Any], role_parameters: dict[str, Any],
           roles: dict[str, list[int]]) -> tuple[Path, Path]:
    """A DSL v2 job (guest 10000 initiates) written as the conf and DSL files flow reads."""
    conf = {"dsl_version": 2, "initiator": {"role": "guest", "party_id": int(PARTY)}, "role": roles,
            "job_parameters": {"common": {"work_mode": 0}},
            "component_parameters": {"role": role_parameters}}
    return write_conf(tmp_path / f"{name}_conf.json", conf), write_conf(tmp_path / f"{name}_dsl.json", dsl)


def pause_job(tmp_path: Path, name: str, seconds: float) -> tuple[Path, Path]:
    """One CompatPause component on the guest only."""
    dsl = {"components": {"pause_0": {"module": "CompatPause"}}}
    params = {"guest": {"0": {"pause_0": {"seconds": seconds, "label": name}}}}
    return v2_job(tmp_path, name, dsl, params, {"guest": [int(PARTY)]})


def test_job_query(flow: Flow, toy_job: str) -> None:
    rows = flow.ok("job", "query", "-j", toy_job)["data"]
    assert sorted((row["f_job_id"], row["f_role"], row["f_party_id"], row["f_status"]) for row in rows) == [
        (toy_job, "guest", PARTY, "success"), (toy_job, "host", PARTY, "success")]
    assert all("f_runtime_conf" not in row and "f_dsl" not in row for row in rows)  # flow removes them

    rows = flow.ok("job", "query", "-j", toy_job, "-r", "host", "-p", PARTY, "-s", "success")["data"]
    assert [(row["f_role"], row["f_status"]) for row in rows] == [("host", "success")]
    code, reply = flow.run("job", "query", "-j", toy_job, "-s", "failed")
    assert code == 0 and reply["retcode"] == 101, reply


def test_task_query(flow: Flow, toy_job: str) -> None:
    rows = flow.ok("task", "query", "-j", toy_job)["data"]
    assert sorted((row["f_component_name"], row["f_role"], row["f_party_id"], row["f_status"]) for row in rows) == [
        (TOY_COMPONENT, "guest", PARTY, "success"), (TOY_COMPONENT, "host", PARTY, "success")]
    rows = flow.ok("task", "query", "-j", toy_job, "-r", "guest", "-p", PARTY, "-cpn", TOY_COMPONENT)["data"]
    assert [(row["f_job_id"], row["f_role"]) for row in rows] == [(toy_job, "guest")]


def test_job_config(flow: Flow, toy_job: str, tmp_path: Path) -> None:
    """flow writes each part of the reply to <output>/job_<id>_config/<part>.json."""
    reply = flow.ok("job", "config", "-j", toy_job, "-r", "guest", "-p", PARTY, "-o", str(tmp_path))
    directory = tmp_path / f"job_{toy_job}_config"
    assert reply["directory"] == str(directory)
    assert json.loads((directory / "dsl.json").read_text()) == json.loads(TOY_DSL.read_text())
    runtime_conf = json.loads((directory / "runtime_conf.json").read_text())
    submitted = json.loads(TOY_CONF.read_text())
    for key in ("initiator", "role", "role_parameters", "algorithm_parameters"):
        assert runtime_conf[key] == submitted[key], key
    model_info = json.loads((directory / "model_info.json").read_text())
    assert model_info["model_version"] == toy_job


def test_component_metrics(flow: Flow, toy_job: str) -> None:
    """The guest logs the secure sum: 2 x data_num (1000) ones."""
    component = ["-j", toy_job, "-r", "guest", "-p", PARTY, "-cpn", TOY_COMPONENT]
    assert flow.ok("component", "metrics", *component)["data"] == {"secure_add": ["result"]}
    result = flow.ok("component", "metric-all", *component)["data"]["secure_add"]["result"]
    assert dict(map(tuple, result["data"])) == {"secure_sum": pytest.approx(2000.0), "expected": 2000.0}
    assert result["meta"]["metric_type"] == "SECURE_ADD"

    reply = flow.ok("component", "metric-all", "-j", toy_job, "-r", "host", "-p", PARTY, "-cpn", TOY_COMPONENT)
    assert "data" not in reply, reply  # the host logs no metric: retcode 0 and a message


def test_component_parameters(flow: Flow, toy_job: str) -> None:
    data = flow.ok("component", "parameters", "-j", toy_job, "-r", "host", "-p", PARTY, "-cpn", TOY_COMPONENT)["data"]
    assert (data["module"], data["ComponentParam"]["seed"]) == ("SecureAddExample", 321)


def test_component_output_model(flow: Flow, compat_node: Node, tmp_path: Path) -> None:
    job_id = submit(flow, *pause_job(tmp_path, "model", 0))
    assert ended(wait_job(compat_node, job_id)) == {"guest": "success"}
    reply = flow.ok("component", "output-model", "-j", job_id, "-r", "guest", "-p", PARTY, "-cpn", "pause_0")
    assert reply["data"] == {"seconds": 0.0, "label": "model", "role": "guest", "party_id": PARTY}
    assert reply["meta"]["module_name"] == "CompatPause"
    assert reply["meta"]["model_version"] == job_id


@pytest.fixture(scope="module")
def reader_job(flow: Flow, compat_node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A DSL v2 job whose Reader (guest 10000) reads a table of 23 rows uploaded with `flow data upload`."""
    tmp_path = tmp_path_factory.mktemp("reader")
    csv = write_csv(tmp_path / "reader.csv", "id," + BREAST_HEADER, breast_rows(range(23)))
    flow.ok("data", "upload", "-c", str(write_conf(tmp_path / "upload.json",
                                                   upload_conf(csv, "compat_jobs", "reader_in"))))
    dsl = {"components": {"reader_0": {"module": "Reader", "output": {"data": ["data"]}}}}
    params = {"guest": {"0": {"reader_0": {"table": {"name": "reader_in", "namespace": "compat_jobs"}}}}}
    job_id = submit(flow, *v2_job(tmp_path, "reader", dsl, params, {"guest": [int(PARTY)]}))
    assert ended(wait_job(compat_node, job_id)) == {"guest": "success"}
    return job_id


def test_component_output_data_table(flow: Flow, reader_job: str) -> None:
    """A Reader's output table is the uploaded one, copied: same row count."""
    table = flow.ok("component", "output-data-table", "-j", reader_job, "-r", "guest", "-p", PARTY,
                    "-cpn", "reader_0")["data"]
    assert table["table_name"] and table["table_namespace"], table
    assert (table["table_namespace"], table["table_name"]) != ("compat_jobs", "reader_in")
    info = flow.ok("table", "info", "-n", table["table_namespace"], "-t", table["table_name"])["data"]
    assert info["count"] == 23


def test_component_output_data(flow: Flow, reader_job: str, tmp_path: Path) -> None:
    """flow GETs the archive and extracts the CSV (header line first) and its meta under -o."""
    reply = flow.ok("component", "output-data", "-j", reader_job, "-r", "guest", "-p", PARTY, "-cpn", "reader_0",
                    "-o", str(tmp_path))
    directory = tmp_path / f"job_{reader_job}_reader_0_guest_{PARTY}_output_data"
    assert reply["directory"] == str(directory)
    lines = (directory / "output_data.csv").read_text().splitlines()
    assert lines[0] == "id," + BREAST_HEADER and len(lines) == 24
    assert json.loads((directory / "output_data_meta.json").read_text())["header"][0] == "id"


def test_job_view_with_filters_only(flow: Flow, reader_job: str) -> None:
    """`flow job view` without -j: FATE's data view rows of every job the filters select."""
    rows = flow.ok("job", "view", "-r", "guest", "-p", PARTY)["data"]
    assert all((row["f_role"], row["f_party_id"]) == ("guest", PARTY) for row in rows), rows
    [reader] = [row for row in rows if row["f_job_id"] == reader_job]
    assert reader["f_component_name"] == "reader_0" and reader["f_table_name"], reader
    uploads = flow.ok("job", "view", "-r", "local", "-p", "0")["data"]
    assert ("compat_jobs", "reader_in") in {(row["f_table_namespace"], row["f_table_name"]) for row in uploads}
    code, reply = flow.run("job", "view", "-r", "arbiter", "-p", PARTY)
    assert code == 0 and reply["retcode"] == 101, reply  # FATE's answer when no row matches


def test_job_stop(flow: Flow, compat_node: Node, tmp_path: Path) -> None:
    """Stop a job waiting in the queue (the node runs one job at a time), then the running one: both canceled."""
    running = submit(flow, *pause_job(tmp_path, "long", 120))
    wait_job(compat_node, running, ("running",))
    waiting = submit(flow, TOY_CONF, TOY_DSL)
    rows = flow.ok("job", "query", "-j", waiting)["data"]
    assert {row["f_status"] for row in rows} == {"waiting"}, rows

    stopped = flow.ok("job", "stop", "-j", waiting)
    assert stopped["jobId"] == waiting
    assert {row["f_status"] for row in flow.ok("job", "query", "-j", waiting)["data"]} == {"canceled"}
    assert {row["f_status"] for row in flow.ok("job", "query", "-j", running)["data"]} == {"running"}

    started = time.monotonic()
    flow.ok("job", "stop", "-j", running)
    assert ended(wait_job(compat_node, running)) == {"guest": "canceled"}
    assert time.monotonic() - started < 30  # the 120 s pause was cut short
    tasks = flow.ok("task", "query", "-j", running)["data"]
    assert [(task["f_component_name"], task["f_status"]) for task in tasks] == [("pause_0", "canceled")]

    code, again = flow.run("job", "stop", "-j", running)
    assert code == 0 and again["retcode"] != 0 and "ended" in again["retmsg"], again
    assert ended(wait_job(compat_node, waiting)) == {"guest": "canceled", "host": "canceled"}  # it never started
