"""Evaluation in a job on a standalone node: a test component writes the guest's predictions, Evaluation follows it
in the DSL, and FATE-Flow's tracking endpoints answer its metrics in FATE's shapes - the values scikit-learn gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from integration_helpers import Node, running_node, upload_conf, write_conf, write_csv
from jobs_helpers import GUEST, HOST, NODE_ENV, cli_ok, wait_job

pytestmark = pytest.mark.integration

ENV = {**NODE_ENV, "FATE_RUNTIME_COMPONENTS": "evaluation_components"}
DSL = {"components": {
    "predictions_0": {"module": "Predictions", "input": {"data": {"data": ["args.train_data"]}},
                      "output": {"data": ["train"]}},
    "evaluation_0": {"module": "Evaluation", "input": {"data": {"data": ["predictions_0.train"]}},
                     "output": {"data": ["evaluate"]}}}}


def _predictions(rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(17)
    labels = rng.integers(0, 2, rows)
    scores = np.round(np.clip(labels * 0.3 + rng.random(rows) * 0.7, 0, 1), 6)
    return labels, scores, np.where(rng.random(rows) < 0.25, "validate", "train")


def _run_job(node: Node, labels: np.ndarray, scores: np.ndarray, kinds: np.ndarray) -> str:
    csv = write_csv(node.files / "predictions.csv", "id,y,score,type",
                    [f"{i},{y},{s},{k}" for i, (y, s, k) in enumerate(zip(labels, scores, kinds))])
    for party in (GUEST, HOST):
        cli_ok(node, "-f", "upload", "-c", str(write_conf(node.files / f"upload_{party}.json",
                                                          upload_conf(csv, "evaluation", f"predictions_{party}"))))
    conf = {"initiator": {"role": "guest", "party_id": int(GUEST)}, "job_parameters": {"work_mode": 0},
            "role": {"guest": [int(GUEST)], "host": [int(HOST)]},
            "role_parameters": {role: {"args": {"data": {"train_data": [
                {"namespace": "evaluation", "name": f"predictions_{party}"}]}}}
                for role, party in (("guest", GUEST), ("host", HOST))},
            "algorithm_parameters": {"evaluation_0": {"eval_type": "binary", "pos_label": 1}}}
    conf["role_parameters"]["host"]["evaluation_0"] = {"need_run": [False]}  # as FATE's hetero LR example confs
    reply = node.post("/v1/job/submit", json={"job_runtime_conf": conf, "job_dsl": DSL}).json()
    assert reply["retcode"] == 0, reply
    rows = wait_job(node, reply["jobId"], timeout=120)
    assert {row["f_status"] for row in rows} == {"success"}, [(r["f_role"], r["f_retmsg"]) for r in rows]
    return str(reply["jobId"])


def _metric_request(job_id: str, role: str = "guest", party: str = GUEST, **extra: str) -> dict[str, Any]:
    return {"job_id": job_id, "role": role, "party_id": party, "component_name": "evaluation_0", **extra}


def test_component_metric_all_shows_auc_and_ks_as_scikit_learn_with_fates_curves(tmp_path: Path) -> None:
    labels, scores, kinds = _predictions(90)  # up to 100 rows FATE's KS percentiles reach every row: exact KS
    with running_node(tmp_path, env=ENV) as node:
        job_id = _run_job(node, labels, scores, kinds)
        everything = cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", "guest", "-p", GUEST,
                            "-cpn", "evaluation_0")["data"]
        for mode in ("train", "validate"):
            chosen = kinds == mode
            fpr, tpr, _ = roc_curve(labels[chosen], scores[chosen])
            assert everything[mode]["predictions_0"] == {
                "data": [["auc", round(roc_auc_score(labels[chosen], scores[chosen]), 6)],
                         ["ks", round(float(np.max(tpr - fpr)), 6)]],
                "meta": {"name": "predictions_0", "metric_type": "EVALUATION_SUMMARY"}}
        assert sorted(everything["train"]) == sorted(f"predictions_0{suffix}" for suffix in (
            "", "_ks_fpr", "_ks_tpr", "_lift", "_gain", "_accuracy", "_precision", "_recall", "_roc"))
        roc = everything["train"]["predictions_0_roc"]
        assert roc["meta"]["metric_type"] == "ROC_EVALUATION" and roc["meta"]["unit_name"] == "fpr"
        assert roc["data"][-1] == [1.0, 1.0] and len(roc["meta"]["thresholds"]) in (len(roc["data"]),
                                                                                    len(roc["data"]) - 1)
        ks_fpr = everything["train"]["predictions_0_ks_fpr"]
        assert [x for x, _ in ks_fpr["data"]] == [round(c / 100, 6) for c in range(100)] + [1.0]  # float keys
        names = cli_ok(node, "-f", "component_metrics", "-j", job_id, "-r", "guest", "-p", GUEST,
                       "-cpn", "evaluation_0")["data"]
        assert sorted(names) == ["train", "validate"] and sorted(names["train"]) == sorted(everything["train"])
        one = node.post("/v1/tracking/component/metric_data", json=_metric_request(
            job_id, metric_namespace="validate", metric_name="predictions_0_precision")).json()
        assert one["retcode"] == 0 and one["meta"] == everything["validate"]["predictions_0_precision"]["meta"]
        assert one["data"] == everything["validate"]["predictions_0_precision"]["data"]
        host = node.post("/v1/tracking/component/metric/all", json=_metric_request(job_id, "host", HOST)).json()
        assert (host["retcode"], host["retmsg"], host.get("data")) == (0, "no data", None)  # FATE's empty answer
