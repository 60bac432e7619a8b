"""A trained model version through its lifecycle: the seed job trains, then FATE's load and bind confs (unchanged but
for the version and the service id) load and bind it through the seed's CLI and REST, transfer hands out its
buffers; bind before load, an unknown version and a missing service id are refused naming what is missing and
change nothing; predict jobs keep their training conf; in cluster mode load and bind reach the host's node."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import Node
from jobs_helpers import ARBITER, GUEST, HOST, cli_ok, running_cluster
from model_helpers import CLUSTER_MODEL_ID, MODEL_ID, conf_cli, model_conf, publish, trained_in_cluster
from protos import lr_model_pb2, pipeline_pb2
from seed_examples import example, job_succeeded, upload_breast

pytestmark = pytest.mark.integration

UNKNOWN_VERSION = "20200101000000000000"


@pytest.fixture(scope="module")
def trained(node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    upload_breast(node)
    return job_succeeded(node, tmp_path_factory.mktemp("train"), example("test_hetero_lr_job_conf.json"),
                 example("test_hetero_lr_job_dsl.json"))


def test_refusals_name_what_is_missing_and_change_nothing(node: Node, trained: str, tmp_path: Path) -> None:
    bind = model_conf("bind_model_service.json", trained, service_id="svc-early")
    reply = conf_cli(node, tmp_path, "bind", bind)
    assert reply["retcode"] == 101
    assert reply["retmsg"] == f"model version {trained} is not loaded on guest 10000; run load first"
    assert reply["data"]["detail"]["host"]["10000"]["retmsg"] == \
        f"model version {trained} is not loaded on host 10000; run load first"
    unknown = conf_cli(node, tmp_path, "load", model_conf("publish_load_model.json", UNKNOWN_VERSION))
    assert unknown["retcode"] == 101 and unknown["data"]["guest"] == {"10000": 101}
    assert unknown["retmsg"] == f"no model version {UNKNOWN_VERSION} of model {MODEL_ID} on guest 10000"
    stranger = model_conf("publish_load_model.json", trained)
    stranger["role"]["host"] = [10000, 10002]  # a host the model does not have: nobody loads
    refused = conf_cli(node, tmp_path, "load", stranger)
    assert refused["retcode"] == 101 and refused["retmsg"] == f"host 10002 is not a party of model {MODEL_ID}"
    assert refused["data"]["detail"]["guest"]["10000"]["retmsg"] == "not done: host 10002 refused"
    assert conf_cli(node, tmp_path, "bind", bind)["retmsg"].endswith("is not loaded on guest 10000; run load first")
    no_service = conf_cli(node, tmp_path, "bind", model_conf("bind_model_service.json", trained))  # FATE's "" kept
    assert (no_service["retcode"], no_service["retmsg"]) == (100, "the following arguments are required: service_id")


def test_load_bind_and_transfer_a_trained_version(node: Node, trained: str, tmp_path: Path) -> None:
    loaded = conf_cli(node, tmp_path, "load", model_conf("publish_load_model.json", trained))
    assert loaded["retcode"] == 0 and loaded["jobId"], loaded
    assert {key: loaded["data"][key] for key in ("guest", "host")} == {"guest": {"10000": 0}, "host": {"10000": 0}}
    assert "arbiter" not in loaded["data"] and "arbiter" not in loaded["data"]["detail"]
    bound = conf_cli(node, tmp_path, "bind", model_conf("bind_model_service.json", trained, service_id="svc-1"))
    assert (bound["retcode"], bound["retmsg"]) == (0, "service id is svc-1")
    again = node.post("/v1/model/bind", json=model_conf("bind_model_service.json", trained, service_id="svc-2"))
    assert again.json()["retmsg"] == "service id is svc-2"

    party = node.post("/v1/model/transfer", json={"name": trained, "namespace": f"guest#10000#{MODEL_ID}"}).json()
    assert party["retcode"] == 0, party
    buffers = {key: base64.b64decode(value) for key, value in party["data"].items()}
    assert {"pipeline.pipeline:Pipeline", "hetero_lr_0.hetero_lr:HeteroLRMeta", "hetero_lr_0.hetero_lr:HeteroLRParam",
            "dataio_0.dataio:DataIOMeta"} <= set(buffers), sorted(buffers)
    pipeline = pipeline_pb2.Pipeline.FromString(buffers["pipeline.pipeline:Pipeline"])
    assert json.loads(pipeline.train_dsl) == example("test_hetero_lr_job_dsl.json")
    assert "evaluation_0" not in json.loads(pipeline.inference_dsl)["components"]
    weights = lr_model_pb2.LRModelParam.FromString(buffers["hetero_lr_0.hetero_lr:HeteroLRParam"]).weight
    shown = cli_ok(node, "-f", "component_output_model", "-j", trained, "-r", "guest", "-p", "10000",
                   "-cpn", "hetero_lr_0")["data"]["weight"]
    assert dict(weights) == pytest.approx(shown)
    everything = node.post("/v1/model/transfer", json={"name": trained, "namespace": MODEL_ID}).json()["data"]
    assert {key.split("#")[0] for key in everything} == {"guest", "host", "arbiter"}
    assert everything["guest#10000#hetero_lr_0.hetero_lr:HeteroLRParam"] == party["data"]["hetero_lr_0.hetero_lr:HeteroLRParam"]
    missing = node.post("/v1/model/transfer", json={"name": UNKNOWN_VERSION, "namespace": MODEL_ID}).json()
    assert missing == {"retcode": 101,
                       "retmsg": f"no model version {UNKNOWN_VERSION} of model {MODEL_ID} on this node"}


def test_a_predict_job_keeps_its_training_conf(node: Node, trained: str, tmp_path: Path) -> None:
    conf = example("test_predict_conf.json")
    conf["job_parameters"]["model_version"] = trained
    predicted = job_succeeded(node, tmp_path, conf)
    training_conf = example("test_hetero_lr_job_conf.json")
    config = cli_ok(node, "-f", "job_config", "-j", predicted, "-r", "guest", "-p", "10000", "-o", str(tmp_path))
    written = json.loads((Path(config["directory"]) / "train_runtime_conf.json").read_text())
    assert written == training_conf
    assert config["data"]["model_info"] == {"model_id": MODEL_ID, "model_version": trained}
    [row] = node.post("/v1/job/query", json={"job_id": predicted, "role": "guest"}).json()["data"]
    assert row["f_train_runtime_conf"] == training_conf
    [own] = node.post("/v1/job/query", json={"job_id": trained, "role": "guest"}).json()["data"]
    assert own["f_train_runtime_conf"] == {}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    with running_cluster(tmp_path_factory.mktemp("cluster"), (GUEST, HOST, ARBITER)) as nodes:
        yield {party: process.node for party, process in nodes.items()}


def test_in_cluster_mode_load_and_bind_reach_the_host_s_node(cluster: dict[str, Node], tmp_path: Path) -> None:
    version = trained_in_cluster(cluster, tmp_path)
    early = publish(cluster[GUEST], tmp_path, version, "bind", "bind_model_service.json", service_id="svc")
    assert early["data"]["detail"]["host"][HOST]["retmsg"] == \
        f"model version {version} is not loaded on host {HOST}; run load first"  # the host's node said so
    loaded = publish(cluster[GUEST], tmp_path, version, "load", "publish_load_model.json")
    assert loaded["retcode"] == 0 and loaded["data"]["guest"] == {GUEST: 0} and loaded["data"]["host"] == {HOST: 0}
    bound = publish(cluster[GUEST], tmp_path, version, "bind", "bind_model_service.json", service_id="svc")
    assert (bound["retcode"], bound["retmsg"]) == (0, "service id is svc")
    on_host = cluster[HOST].post("/v1/model/transfer", json={"name": version, "namespace": CLUSTER_MODEL_ID}).json()
    assert {key.split("#", 2)[1] for key in on_host["data"]} == {HOST}  # its own parties only (host, arbiter: none)
    from_guest = cluster[GUEST].post("/v1/model/load", json=example("publish_load_model.json")).json()
    assert from_guest["retcode"] == 100 and "work_mode 0 does not match this node" in from_guest["retmsg"]
