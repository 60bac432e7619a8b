"""FATE's hetero LR example on a standalone node, confs unchanged: DataIO -> binning -> selection -> HeteroLR ->
Evaluation, then the seed's predict job with the trained model version, and the refusals a user meets first."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from integration_helpers import Node, upload_conf, write_conf
from jobs_helpers import cli_ok, wait_job
from seed_examples import DATA, example, upload_breast
from storage import Store

pytestmark = pytest.mark.integration


def submit(node: Node, tmp_path: Path, conf: dict[str, Any], dsl: dict[str, Any] | None = None) -> dict[str, Any]:
    tmp_path.mkdir(exist_ok=True)
    args = ["-f", "submit_job", "-c", str(write_conf(tmp_path / "conf.json", conf))]
    if dsl is not None:
        args += ["-d", str(write_conf(tmp_path / "dsl.json", dsl))]
    return node.cli(*args)[1]


def succeeded(node: Node, tmp_path: Path, conf: dict[str, Any], dsl: dict[str, Any] | None = None) -> str:
    reply = submit(node, tmp_path, conf, dsl)
    assert reply["retcode"] == 0, reply
    rows = wait_job(node, reply["jobId"], timeout=240)
    assert {row["f_status"] for row in rows} == {"success"}, [(row["f_role"], row["f_retmsg"]) for row in rows]
    return str(reply["jobId"])


def predictions(node: Node, job_id: str) -> dict[str, list[Any]]:
    """The guest's HeteroLR output rows by id, read from the node's store."""
    located = cli_ok(node, "-f", "component_output_data_table", "-j", job_id, "-r", "guest", "-p", "10000",
                     "-cpn", "hetero_lr_0")["data"]
    table = Store(str(node.data_dir / "storage")).table(located["table_namespace"], located["table_name"])
    return dict(table.collect())


@pytest.fixture(scope="module")
def breast(node: Node) -> Node:
    return upload_breast(node)


@pytest.fixture(scope="module")
def trained(breast: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    return succeeded(breast, tmp_path_factory.mktemp("train"), example("test_hetero_lr_job_conf.json"),
                     example("test_hetero_lr_job_dsl.json"))


def test_the_seed_job_trains_and_evaluation_scores_its_predictions(breast: Node, trained: str) -> None:
    rows = predictions(breast, trained)
    assert len(rows) == 569 and {row[4] for row in rows.values()} == {"train"}
    labels, scores = np.array([row[0] for row in rows.values()]), np.array([row[2] for row in rows.values()])
    metrics = cli_ok(breast, "-f", "component_metric_all", "-j", trained, "-r", "guest", "-p", "10000",
                     "-cpn", "evaluation_0")["data"]
    summary = dict(metrics["train"]["hetero_lr_0"]["data"])
    assert summary["auc"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-6)
    assert summary["auc"] > 0.9  # (three iterations from FATE's random start: about 0.96-0.99)
    loss = cli_ok(breast, "-f", "component_metric_all", "-j", trained, "-r", "arbiter", "-p", "10000",
                  "-cpn", "hetero_lr_0")["data"]["train"]["loss"]
    assert [point[0] for point in loss["data"]] == [0, 1, 2] and loss["meta"]["metric_type"] == "LOSS"
    model = cli_ok(breast, "-f", "component_output_model", "-j", trained, "-r", "guest", "-p", "10000",
                   "-cpn", "hetero_lr_0")
    assert set(model["data"]["weight"]) == {f"x{i}" for i in range(10)} and model["data"]["iters"] == 3
    assert model["meta"]["buffers"]["HeteroLRMeta"].endswith("LRModelMeta")


def test_the_seed_predict_job_scores_as_training_did(breast: Node, trained: str, tmp_path: Path) -> None:
    conf = example("test_predict_conf.json")
    conf["job_parameters"]["model_version"] = trained  # (the example names a version of FATE's own run)
    predicted = predictions(breast, succeeded(breast, tmp_path, conf))
    trained_rows = predictions(breast, trained)
    assert predicted.keys() == trained_rows.keys()
    for key, row in predicted.items():
        assert row[4] == "predict" and row[:4] == trained_rows[key][:4]


def test_a_predict_job_naming_a_version_that_does_not_exist_is_refused(breast: Node, tmp_path: Path) -> None:
    conf = example("test_predict_conf.json")
    conf["job_parameters"]["model_version"] = "20200101000000000000"
    reply = submit(breast, tmp_path, conf)
    assert reply["retcode"] != 0 and "20200101000000000000" in reply["retmsg"], reply


def test_a_conf_without_the_arbiter_is_refused_naming_it(breast: Node, tmp_path: Path) -> None:
    conf = copy.deepcopy(example("test_hetero_lr_job_conf.json"))
    del conf["role"]["arbiter"]
    reply = submit(breast, tmp_path, conf, example("test_hetero_lr_job_dsl.json"))
    assert reply["retcode"] != 0 and "arbiter" in reply["retmsg"], reply


def test_text_in_a_feature_column_fails_the_job_naming_the_column(breast: Node, tmp_path: Path) -> None:
    lines = (DATA / "breast_b.csv").read_text().splitlines()
    cells = lines[5].split(",")
    cells[4] = "abc"
    lines[5] = ",".join(cells)
    bad = breast.files / "breast_b_text.csv"
    bad.write_text("\n".join(lines) + "\n")
    cli_ok(breast, "-f", "upload", "-c", str(write_conf(breast.files / "bad.json", upload_conf(
        bad, "fate_flow_test_breast", "breast_b_text"))))
    conf = copy.deepcopy(example("test_hetero_lr_job_conf.json"))
    conf["role_parameters"]["guest"]["args"]["data"]["train_data"] = [
        {"name": "breast_b_text", "namespace": "fate_flow_test_breast"}]
    reply = submit(breast, tmp_path, conf, example("test_hetero_lr_job_dsl.json"))
    rows = wait_job(breast, reply["jobId"], timeout=120)
    messages = " ".join(row["f_retmsg"] for row in rows)
    assert "failed" in {row["f_status"] for row in rows} and "x2" in messages and "abc" not in messages, messages


def test_component_output_data_shows_instances_as_fate_does(breast: Node, trained: str) -> None:
    reply = breast.post("/v1/tracking/component/output/data", json={
        "job_id": trained, "role": "guest", "party_id": 10000, "component_name": "dataio_0"}).json()
    assert reply["meta"]["header"] == ["id", "y", *[f"x{i}" for i in range(10)]]
    lines = {line.split(",")[0]: line.split(",") for line in (DATA / "breast_b.csv").read_text().splitlines()[1:]}
    for row in reply["data"][:5]:
        cells = lines[str(row[0])]
        assert row[1] == int(cells[1]) and row[2:] == pytest.approx([float(v) for v in cells[2:]])
    lr = breast.post("/v1/tracking/component/output/data", json={
        "job_id": trained, "role": "guest", "party_id": 10000, "component_name": "hetero_lr_0"}).json()
    assert lr["meta"]["header"] == ["id", "label", "predict_result", "predict_score", "predict_detail", "type"]
