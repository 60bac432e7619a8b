"""Upload and download jobs answer like any other job: one task (upload_0 / download_0, module Upload / Download of
the `local` party 0), its config, DAG, data view, parameters, and FATE's "no data" for the metrics and model they
do not have."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from integration_helpers import Node, assert_refused, upload_conf, write_conf, write_csv

pytestmark = pytest.mark.integration

NS = "local_jobs"
LOCAL = ("-r", "local", "-p", "0")


def ok(node: Node, *args: str) -> dict[str, Any]:
    code, reply = node.cli(*args)
    assert code == 0 and reply["retcode"] == 0, reply
    return reply


@pytest.fixture(scope="module")
def upload(node: Node) -> str:
    csv = write_csv(node.files / "rows.csv", "id,y,x", ["1,0,0.5", "2,1,1.5", "3,0,2.5"])
    return str(ok(node, "-f", "upload", "-c", str(write_conf(node.files / "rows.json",
                                                           upload_conf(csv, NS, "rows", partition=2))))["jobId"])


@pytest.fixture(scope="module")
def download(node: Node, upload: str) -> str:
    reply = node.post("/v1/data/download", json={"namespace": NS, "table_name": "rows", "work_mode": 0,
                                                 "output_path": str(node.files / "rows_out.csv")}).json()
    assert reply["retcode"] == 0, reply
    return str(reply["jobId"])


def component(job_id: str, name: str) -> tuple[str, ...]:
    return ("-j", job_id, *LOCAL, "-cpn", name)


@pytest.mark.parametrize("kind, module", [("upload", "Upload"), ("download", "Download")])
def test_one_task_config_and_dag(node: Node, request: pytest.FixtureRequest, tmp_path: Path, kind: str,
                                 module: str) -> None:
    job_id, name = request.getfixturevalue(kind), f"{kind}_0"
    [task] = ok(node, "-f", "query_task", "-j", job_id)["data"]
    assert (task["f_component_name"], task["f_task_id"], task["f_role"], task["f_party_id"], task["f_status"]) == (
        name, f"{job_id}_{name}", "local", "0", "success")
    assert task["f_end_time"] >= task["f_start_time"]
    config = ok(node, "-f", "job_config", "-j", job_id, *LOCAL, "-o", str(tmp_path))
    assert config["data"]["model_info"] == {"model_id": "local-0#model", "model_version": job_id}
    written = tmp_path / f"job_{job_id}_config"
    assert json.loads((written / "dsl.json").read_text()) == {"components": {name: {"module": module}}}
    dag = node.post("/v1/pipeline/dag/dependency", json={"job_id": job_id, "role": "local", "party_id": 0}).json()
    assert dag == {"retcode": 0, "retmsg": "success", "data": {
        "component_list": [name], "dependencies": {name: []}, "component_module": {name: module},
        "component_need_run": {name: True}}}
    parameters = ok(node, "-f", "component_parameters", *component(job_id, name))["data"]
    assert (parameters["module"], parameters["ComponentParam"]["namespace"], parameters["module_roles"]) == (
        module, NS, ["local"])
    for function in ("component_metrics", "component_metric_all", "component_output_model"):
        assert ok(node, "-f", function, *component(job_id, name)) == {"retcode": 0, "retmsg": "no data"}, function
    code, tables = node.cli("-f", "component_output_data_table", *component(job_id, name))
    assert code == 1
    assert_refused(tables, 101, name)


def test_an_uploads_data_view(node: Node, upload: str) -> None:
    [view] = ok(node, "-f", "data_view_query", "-j", upload)["data"]
    assert (view["f_component_name"], view["f_task_id"], view["f_role"], view["f_party_id"]) == (
        "upload_0", f"{upload}_upload_0", "local", "0")
    assert (view["f_table_namespace"], view["f_table_name"], view["f_partition"]) == (NS, "rows", 2)
    assert (view["f_table_count_upload"], view["f_table_create_count"]) == (3, 3)
    tracking = ok(node, "-f", "data_view_query", "-j", upload, *LOCAL)["data"]
    assert tracking == [view]


def test_a_download_job_writes_no_data_view(node: Node, download: str) -> None:
    code, reply = node.cli("-f", "data_view_query", "-j", download)
    assert (code, reply) == (1, {"retcode": 101, "retmsg": "find data view failed"})
