"""FATE's intersection examples, unchanged, on a standalone node: breast_b (guest) and breast_a (host) uploaded as
the examples' testsuite does, every federatedml-1.x-examples/intersect conf run with its DSL (raw, rsa, several
hosts, with the cache asked for, twice), the test_rsa_job example, and DataIO's output of breast_b."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from fate_runtime.components.instances import Instance
from integration_helpers import Node, upload_conf, write_conf
from jobs_helpers import cli_ok, submitted, wait_job
from storage import Store, Table

pytestmark = pytest.mark.integration

EXAMPLES = Path("/work/shared/fate_examples/v1.2.0")
INTERSECT = EXAMPLES / "federatedml-1.x-examples" / "intersect"
FLOW_EXAMPLES = EXAMPLES / "fate_flow_examples"
DATA = Path("/work/shared/data")
SUITE = json.loads((INTERSECT / "intersect_testsuite.json").read_text())
JOB_TIMEOUT = 180.0


def breast_ids() -> set[str]:
    with open(DATA / "breast_b.csv") as src:
        return {row[0] for row in csv.reader(src)} - {"id"}


def upload(node: Node, source: Path, namespace: str, name: str, **extra: Any) -> None:
    copied = node.files / source.name
    shutil.copyfile(source, copied)
    conf = write_conf(node.files / f"{name}.json", upload_conf(copied, namespace, name, **extra))
    cli_ok(node, "-f", "upload", "-c", str(conf))


@pytest.fixture(scope="module")
def breast(node: Node) -> Node:
    """The node with the testsuite's tables: its data entries' namespace, names, head and partitions."""
    for entry in SUITE["data"]:
        upload(node, DATA / Path(entry["file"]).name, entry["namespace"], entry["table_name"], head=entry["head"],
               partition=entry["partition"])
    return node


def run_job(node: Node, tmp_path: Path, conf: Path | dict[str, Any], dsl: Path) -> str:
    """Submit a job from these files (the conf also as a dict) through the CLI; its id once it succeeded."""
    if isinstance(conf, dict):
        conf = write_conf(tmp_path / "conf.json", conf)
    job_id = str(cli_ok(node, "-f", "submit_job", "-c", str(conf), "-d", str(dsl))["jobId"])
    rows = wait_job(node, job_id, timeout=JOB_TIMEOUT)
    assert {row["f_status"] for row in rows} == {"success"}, [(r["f_role"], r["f_retmsg"]) for r in rows]
    return job_id


def output_data(node: Node, job_id: str, component: str, role: str, party: str) -> dict[str, Any]:
    reply = node.post("/v1/tracking/component/output/data", json={
        "job_id": job_id, "component_name": component, "role": role, "party_id": party, "limit": 1000}).json()
    assert reply["retcode"] == 0, reply
    return reply


def output_ids(node: Node, job_id: str, role: str, party: str) -> list[str]:
    return [str(row[0]) for row in output_data(node, job_id, "intersect_0", role, party)["data"]]


@pytest.mark.parametrize("task", list(SUITE["tasks"]))
def test_every_intersect_example_finds_all_569_ids(breast: Node, tmp_path: Path, task: str) -> None:
    spec = SUITE["tasks"][task]
    conf_path = INTERSECT / spec["conf"]
    job_id = run_job(breast, tmp_path, conf_path, INTERSECT / spec["dsl"])
    conf = json.loads(conf_path.read_text())
    expected = breast_ids()
    guest = output_ids(breast, job_id, "guest", str(conf["role"]["guest"][0]))
    assert len(guest) == 569 and set(guest) == expected
    for host in conf["role"]["host"]:  # every example syncs the intersection to its hosts
        assert set(output_ids(breast, job_id, "host", str(host))) == expected, host


def node_table(node: Node, namespace: str, name: str) -> Table:
    """A table of the node's store, read from this process."""
    return Store(str(node.data_dir / "storage")).table(namespace, name)


def test_dataio_reads_breast_b_as_ten_features_and_the_label_y(breast: Node, tmp_path: Path) -> None:
    conf = json.loads((INTERSECT / "test_intersect_job_raw_conf.json").read_text())
    labelled = copy.deepcopy(conf)
    labelled["role_parameters"]["guest"]["dataio_0"]["with_label"] = [True]
    job_id = run_job(breast, tmp_path, labelled, INTERSECT / "test_intersect_job_dsl.json")
    assert output_data(breast, job_id, "dataio_0", "guest", "10000")["meta"]["total"] == 569
    located = cli_ok(breast, "-f", "component_output_data_table", "-j", job_id, "-r", "guest", "-p", "10000",
                     "-cpn", "dataio_0")["data"]
    table = node_table(breast, located["table_namespace"], located["table_name"])
    assert table.schema == {"header": [f"x{i}" for i in range(10)], "sid_name": "id", "label_name": "y"}
    with open(DATA / "breast_b.csv") as src:
        expected = {row[0]: row[1:] for row in csv.reader(src) if row[0] != "id"}
    instances = dict(table.collect())
    assert set(instances) == set(expected)
    for sid, instance in instances.items():
        assert isinstance(instance, Instance) and instance.label == float(expected[sid][0])
        assert instance.features.tolist() == [float(value) for value in expected[sid][1:]]


def test_the_rsa_example_signs_the_id_library_into_the_named_table(breast: Node, tmp_path: Path) -> None:
    conf = json.loads((FLOW_EXAMPLES / "test_rsa_job_conf.json").read_text())
    library = conf["role_parameters"]["host"]["args"]["data"]["id_library"][0]
    ids = tmp_path / "id_library.csv"
    ids.write_text("id\n" + "".join(f"{sid}\n" for sid in sorted(breast_ids())))
    upload(breast, ids, library["namespace"], library["name"], partition=4)
    run_job(breast, tmp_path, FLOW_EXAMPLES / "test_rsa_job_conf.json", FLOW_EXAMPLES / "test_rsa_job_dsl.json")
    params = conf["algorithm_parameters"]["rsa_0"]
    rows = dict(node_table(breast, params["save_out_table_namespace"], params["save_out_table_name"]).collect())
    assert sorted(rows.values()) == sorted(breast_ids())
    sid, digest = "133", next(key for key, value in rows.items() if value == "133")
    hashed = int(hashlib.sha256(sid.encode()).hexdigest(), 16)
    assert digest == hashlib.sha256(str(pow(hashed, params["rsa_key_d"], params["rsa_key_n"])).encode()).hexdigest()


def test_a_host_sharing_no_id_fails_the_job_naming_it_and_every_task_ends(breast: Node, tmp_path: Path) -> None:
    rows = (DATA / "breast_a.csv").read_text().splitlines()
    apart = tmp_path / "breast_a_apart.csv"
    apart.write_text("\n".join([rows[0], *(f"apart-{row}" for row in rows[1:])]) + "\n")
    upload(breast, apart, "hetero", "breast_a_apart")
    conf = json.loads((INTERSECT / "test_intersect_job_rsa_conf.json").read_text())
    conf["role_parameters"]["host"]["args"]["data"]["data"] = [{"name": "breast_a_apart", "namespace": "hetero"}]
    job_id = str(cli_ok(breast, "-f", "submit_job", "-c", str(write_conf(tmp_path / "conf.json", conf)), "-d",
                        str(INTERSECT / "test_intersect_job_dsl.json"))["jobId"])
    rows_ended = wait_job(breast, job_id, timeout=JOB_TIMEOUT)
    assert {row["f_status"] for row in rows_ended} == {"failed"}
    tasks = {(task["f_role"], task["f_component_name"]): task
             for task in cli_ok(breast, "-f", "query_task", "-j", job_id)["data"]}
    assert tasks[("guest", "intersect_0")]["f_status"] == "failed"
    assert tasks[("guest", "intersect_0")]["f_retmsg"] == (
        "intersect_0 failed: no ids overlap between guest 10000 and host 10000")
    assert all(task["f_status"] in ("success", "failed", "canceled") for task in tasks.values()), tasks


def test_dataio_replays_its_model_in_a_predict_job(breast: Node, tmp_path: Path) -> None:
    tables = {"guest": "breast_b_intersect", "host": "breast_a_intersect"}
    dsl = write_conf(tmp_path / "dsl.json", {"components": {"dataio_0": {
        "module": "DataIO", "input": {"data": {"data": ["args.train_data"]}},
        "output": {"data": ["train"], "model": ["dataio"]}, "need_deploy": True}}})
    conf: dict[str, Any] = {
        "initiator": {"role": "guest", "party_id": 10000}, "job_parameters": {"work_mode": 0},
        "role": {"guest": [10000], "host": [10000]},
        "role_parameters": {role: {"args": {"data": {"train_data": [{"name": name, "namespace": "hetero"}]}}}
                            for role, name in tables.items()}}
    conf["role_parameters"]["guest"]["dataio_0"] = {"with_label": [True], "missing_fill_method": ["mean"]}
    reply = cli_ok(breast, "-f", "submit_job", "-c", str(write_conf(tmp_path / "train.json", conf)), "-d", str(dsl))
    trained = str(reply["jobId"])
    assert {row["f_status"] for row in wait_job(breast, trained, timeout=JOB_TIMEOUT)} == {"success"}
    predict = copy.deepcopy(conf)
    predict["job_parameters"].update(job_type="predict", model_id=reply["data"]["model_info"]["model_id"],
                                     model_version=reply["data"]["model_info"]["model_version"])
    predict["role_parameters"]["guest"]["dataio_0"] = {"with_label": [False]}  # (the model's settings win)
    for parties in predict["role_parameters"].values():
        parties["args"]["data"] = {"eval_data": parties["args"]["data"]["train_data"]}
    reply = breast.post("/v1/job/submit", json={"job_runtime_conf": predict}).json()  # (FATE makes its DSL)
    assert reply["retcode"] == 0, reply
    predicted = str(reply["jobId"])
    assert {row["f_status"] for row in wait_job(breast, predicted, timeout=JOB_TIMEOUT)} == {"success"}
    outputs = {}
    for job_id in (trained, predicted):
        located = cli_ok(breast, "-f", "component_output_data_table", "-j", job_id, "-r", "guest", "-p", "10000",
                         "-cpn", "dataio_0")["data"]
        outputs[job_id] = node_table(breast, located["table_namespace"], located["table_name"])
    assert outputs[predicted].schema == outputs[trained].schema
    assert dict(outputs[predicted].collect()) == dict(outputs[trained].collect())
