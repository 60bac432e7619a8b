"""HeteroFeatureBinning and HeteroFeatureSelection in real jobs on a standalone node: the seed job's DataIO ->
binning -> selection with an IV filter (the host's columns decided by the guest over the node's federation, the
storage workers encrypting), its numbers those computed centrally, then the seed's predict job replaying both."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from feature_tables import breast_guest, breast_host, reference_split_points, reference_woe_iv
from integration_helpers import Node, write_conf
from jobs_helpers import cli_ok, wait_job
from seed_examples import example, upload_breast
from storage import Store

pytestmark = pytest.mark.integration

THRESHOLD = 1.0


def run(node: Node, tmp_path: Path, conf: dict[str, Any], dsl: dict[str, Any] | None = None) -> str:
    tmp_path.mkdir()
    args = ["-f", "submit_job", "-c", str(write_conf(tmp_path / "conf.json", conf))]
    if dsl is not None:
        args += ["-d", str(write_conf(tmp_path / "dsl.json", dsl))]
    job_id = str(cli_ok(node, *args)["jobId"])
    rows = wait_job(node, job_id, timeout=240)
    assert {row["f_status"] for row in rows} == {"success"}, [(row["f_role"], row["f_retmsg"]) for row in rows]
    return job_id


def output_header(node: Node, job_id: str, component: str, role: str) -> list[str]:
    located = cli_ok(node, "-f", "component_output_data_table", "-j", job_id, "-r", role, "-p", "10000",
                     "-cpn", component)["data"]
    table = Store(str(node.data_dir / "storage")).table(located["table_namespace"], located["table_name"])
    return list(table.schema["header"])


@pytest.fixture(scope="module")
def breast(node: Node) -> Node:
    return upload_breast(node)


def expected_host_columns() -> list[str]:
    guest, host = breast_guest(), breast_host()
    labels = dict(zip(guest.ids, guest.labels if guest.labels is not None else []))
    aligned = np.array([labels[key] for key in host.ids])
    return [name for column, name in enumerate(host.header)
            if reference_woe_iv(host.features[:, column], aligned, reference_split_points(host.features[:, column]))[1]
            > THRESHOLD]


def test_the_seed_pipeline_up_to_selection_then_its_predict_job(breast: Node, tmp_path: Path) -> None:
    dsl = example("test_hetero_lr_job_dsl.json")
    for later in ("hetero_lr_0", "evaluation_0"):
        del dsl["components"][later]
    conf = copy.deepcopy(example("test_hetero_lr_job_conf.json"))
    conf["algorithm_parameters"] = {"hetero_feature_selection_0": {
        "filter_methods": ["unique_value", "iv_value_thres"], "iv_value_param": {"value_threshold": THRESHOLD}}}
    train = run(breast, tmp_path / "train", conf, dsl)
    host_columns = expected_host_columns()
    assert 0 < len(host_columns) < 20
    assert output_header(breast, train, "hetero_feature_selection_0", "host") == host_columns
    assert output_header(breast, train, "hetero_feature_binning_0", "host") == breast_host().header
    model = cli_ok(breast, "-f", "component_output_model", "-j", train, "-r", "guest", "-p", "10000",
                   "-cpn", "hetero_feature_binning_0")["data"]
    assert "host.0" in json.dumps(model)  # the host's IVs at the guest, under anonymous names
    predict_conf = example("test_predict_conf.json")
    predict_conf["job_parameters"]["model_version"] = train
    predict = run(breast, tmp_path / "predict", predict_conf)
    for role in ("guest", "host"):
        assert output_header(breast, predict, "hetero_feature_selection_0", role) == \
            output_header(breast, train, "hetero_feature_selection_0", role)
