"""Hetero LR on parties whose ids only partly overlap: DataIO -> Intersection (RSA) -> HeteroLR -> Evaluation on a
standalone node, as accurate as a central plaintext LR on the joined rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from integration_helpers import Node, upload_conf, write_conf
from jobs_helpers import cli_ok, wait_job
from storage import Store

pytestmark = pytest.mark.integration

GUEST_IDS, HOST_IDS = range(0, 800), range(300, 1100)  # 500 ids in common
ALPHA = 0.01


def _synthetic() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    guest_x, host_x = rng.standard_normal((1100, 5)), rng.standard_normal((1100, 8))
    score = guest_x @ rng.standard_normal(5) + host_x @ rng.standard_normal(8)
    return guest_x, host_x, (score + rng.logistic(size=1100) > 0).astype(int)


def _csv(path: Path, ids: range, header: list[str], matrix: np.ndarray) -> Path:
    lines = ["id," + ",".join(header)] + [f"{i}," + ",".join(f"{v:.6f}" for v in matrix[i]) for i in ids]
    path.write_text("\n".join(lines) + "\n")
    return path


def _dsl() -> dict[str, Any]:
    return {"components": {
        "dataio_0": {"module": "DataIO", "input": {"data": {"data": ["args.train_data"]}},
                     "output": {"data": ["train"], "model": ["dataio"]}},
        "intersect_0": {"module": "Intersection", "input": {"data": {"data": ["dataio_0.train"]}},
                        "output": {"data": ["train"]}},
        "hetero_lr_0": {"module": "HeteroLR", "input": {"data": {"train_data": ["intersect_0.train"]}},
                        "output": {"data": ["train"], "model": ["hetero_lr"]}},
        "evaluation_0": {"module": "Evaluation", "input": {"data": {"data": ["hetero_lr_0.train"]}}}}}


def _conf() -> dict[str, Any]:
    table = {"guest": "overlap_guest", "host": "overlap_host"}
    return {"initiator": {"role": "guest", "party_id": 10000}, "job_parameters": {"work_mode": 0},
            "role": {"guest": [10000], "host": [10000], "arbiter": [10000]},
            "role_parameters": {role: {"args": {"data": {"train_data": [{"name": name, "namespace": "overlap"}]}},
                                       "dataio_0": {"with_label": [role == "guest"], "label_name": ["y"]}}
                                for role, name in table.items()},
            "algorithm_parameters": {
                "intersect_0": {"intersect_method": "rsa", "sync_intersect_ids": True, "only_output_key": False},
                "hetero_lr_0": {"penalty": "L2", "alpha": ALPHA, "optimizer": "sgd", "learning_rate": 0.3,
                                "max_iter": 30, "init_param": {"init_method": "zeros"}}}}


def test_lr_after_intersection_matches_a_central_lr_on_the_common_rows(node: Node, tmp_path: Path) -> None:
    guest_x, host_x, y = _synthetic()
    guest_csv = _csv(node.files / "overlap_guest.csv", GUEST_IDS, ["y"] + [f"g{i}" for i in range(5)],
                     np.hstack([y[:, None], guest_x]))
    host_csv = _csv(node.files / "overlap_host.csv", HOST_IDS, [f"h{i}" for i in range(8)], host_x)
    for path, name in ((guest_csv, "overlap_guest"), (host_csv, "overlap_host")):
        cli_ok(node, "-f", "upload", "-c", str(write_conf(tmp_path / f"{name}.json",
                                                          upload_conf(path, "overlap", name))))
    job_id = str(cli_ok(node, "-f", "submit_job", "-d", str(write_conf(tmp_path / "dsl.json", _dsl())),
                        "-c", str(write_conf(tmp_path / "conf.json", _conf())))["jobId"])
    rows = wait_job(node, job_id, timeout=300)
    assert {row["f_status"] for row in rows} == {"success"}, [row["f_retmsg"] for row in rows]
    summary = dict(cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", "guest", "-p", "10000",
                          "-cpn", "evaluation_0")["data"]["train"]["hetero_lr_0"]["data"])
    common = sorted(set(GUEST_IDS) & set(HOST_IDS))
    joined = np.hstack([guest_x[common], host_x[common]])
    central = LogisticRegression(C=1.0 / (ALPHA * len(common)), max_iter=1000).fit(joined, y[common])
    central_auc = roc_auc_score(y[common], central.decision_function(joined))
    assert abs(summary["auc"] - central_auc) <= 0.01, (summary["auc"], central_auc)
    located = cli_ok(node, "-f", "component_output_data_table", "-j", job_id, "-r", "guest", "-p", "10000",
                     "-cpn", "hetero_lr_0")["data"]
    scored = Store(str(node.data_dir / "storage")).table(located["table_namespace"], located["table_name"])
    assert sorted(int(key) for key, _ in scored.collect()) == common
