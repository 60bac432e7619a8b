"""A node's side of the model lifecycle: versions recorded whole when training succeeds, load and bind steps
checked for who asks and what is missing, transfer of this node's buffers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.components import BUILTIN
from fate_runtime.errors import BadRequest, Forbidden, NotFound
from fate_runtime.jobs.model_party import BIND, LOAD, PIPELINE_KEY, ModelParty, ModelStep, model_parties
from fate_runtime.state.job_store import SUCCESS
from fate_runtime.state.model_versions import BOUND, LOADED, TRAINED, ModelVersions, VersionKey
from fate_runtime.state.models import ModelBuffer, ModelKey, ModelStore
from protos import pipeline_pb2
from runtime_examples import FLOW_EXAMPLES, load_json
from storage import Store

JOB = "20260101000000000001"
MODEL_ID = "arbiter-10000#guest-9999#host-10000#model"
GUEST = ("guest", "9999")
HOST_KEY = VersionKey(MODEL_ID, JOB, "host", "10000")
PARAM = ModelBuffer("LRModelParam", "com.webank.ai.fate.core.mlmodel.buffer.LRModelParam", b"\x08\x03")


@pytest.fixture
def plan() -> Any:
    """FATE's hetero LR example between guest 9999 and host/arbiter 10000."""
    conf = copy.deepcopy(load_json(FLOW_EXAMPLES / "test_hetero_lr_job_conf.json"))
    conf["initiator"]["party_id"] = 9999
    conf["role"]["guest"] = [9999]
    return dsl.parse(load_json(FLOW_EXAMPLES / "test_hetero_lr_job_dsl.json"), conf)


@pytest.fixture
def versions(db: Any) -> ModelVersions:
    return ModelVersions(db)


@pytest.fixture
def host(versions: ModelVersions, store: Any, tmp_path: Path) -> ModelParty:
    """The node of host and arbiter 10000."""
    return ModelParty(versions, store, frozenset({"10000"}), BUILTIN, Store(str(tmp_path / "storage")))


@pytest.fixture
def trained(host: ModelParty, plan: Any, db: Any) -> ModelParty:
    ModelStore(db).save(ModelKey(MODEL_ID, JOB, "host", "10000", "hetero_lr_0"), "model", [PARAM])
    host.record_trained(JOB, plan, [("host", "10000"), ("arbiter", "10000")])
    return host


def step(kind: str, key: VersionKey = HOST_KEY, initiator: tuple[str, str] = GUEST, service_id: str = "",
         check_only: bool = False) -> ModelStep:
    return ModelStep(kind, key, initiator, service_id, check_only)


def test_model_ids_name_their_parties() -> None:
    assert model_parties("arbiter-10000#guest-9999_9998#host-10000#model") == {
        ("arbiter", "10000"), ("guest", "9999"), ("guest", "9998"), ("host", "10000")}
    with pytest.raises(BadRequest, match="is not a model id"):
        model_parties("guest-9999#host")


def test_a_succeeded_training_job_leaves_whole_versions(trained: ModelParty, versions: ModelVersions,
                                                        plan: Any) -> None:
    model = versions.party_model(HOST_KEY)
    assert model.pipeline.train_dsl == plan.dsl and model.pipeline.runtime_conf == plan.conf
    assert list(model.pipeline.inference_dsl["components"]) == ["dataio_0", "hetero_feature_binning_0",
                                                                "hetero_feature_selection_0", "hetero_lr_0"]
    assert model.components == {"hetero_lr_0": {"model": [PARAM]}}
    assert versions.state(VersionKey(MODEL_ID, JOB, "arbiter", "10000")) == TRAINED


def test_a_predict_job_records_no_version(host: ModelParty, versions: ModelVersions, plan: Any) -> None:
    conf = {**plan.conf, "job_parameters": {"work_mode": 0, "job_type": "predict", "model_id": MODEL_ID,
                                            "model_version": "20250101000000000001"}}
    host.record_trained(JOB, dsl.parse(plan.dsl, conf), [("host", "10000")])
    assert not versions.exists(HOST_KEY)


def test_load_then_bind_and_check_only_changes_nothing(trained: ModelParty, versions: ModelVersions) -> None:
    trained.step(step(LOAD, check_only=True), None)
    assert versions.state(HOST_KEY) == TRAINED
    with pytest.raises(BadRequest, match=f"^model version {JOB} is not loaded on host 10000; run load first$"):
        trained.step(step(BIND, service_id="s1", check_only=True), None)
    trained.step(step(LOAD), None)
    assert versions.state(HOST_KEY) == LOADED
    trained.step(step(BIND, service_id="s1", check_only=True), None)
    assert versions.state(HOST_KEY) == LOADED
    trained.step(step(BIND, service_id="s1"), None)
    assert versions.state(HOST_KEY) == BOUND and versions.binding("s1", "host", "10000").model_version == JOB


@pytest.mark.parametrize("asked, caller, error, message", [
    (step(LOAD, VersionKey(MODEL_ID, "20260101000000000002", "host", "10000")), None, NotFound,
     f"^no model version 20260101000000000002 of model {MODEL_ID} on host 10000$"),
    (step(LOAD, VersionKey(MODEL_ID, JOB, "guest", "9999")), None, NotFound, "^this node does not serve guest 9999$"),
    (step(LOAD, VersionKey("guest-10000#host-10000#model", JOB, "host", "10000"), ("guest", "10000")), None,
     NotFound, "^no model version 20260101000000000001 of model guest-10000#host-10000#model on host 10000$"),
    (step(LOAD, VersionKey(MODEL_ID, JOB, "guest", "10000")), None, Forbidden,
     f"^guest 10000 is not a party of model {MODEL_ID}$"),
    (step(LOAD, initiator=("guest", "8888")), None, Forbidden,
     f"^the initiator guest 8888 is not a party of model {MODEL_ID}$"),
    (step(LOAD), "8888", Forbidden, "^party 8888 may not load for the initiator guest 9999$"),
    (step(LOAD, VersionKey(MODEL_ID, JOB, "arbiter", "10000")), None, BadRequest,
     "^the arbiter has no model to load$"),
    (step(LOAD, VersionKey(MODEL_ID, "v1", "host", "10000")), None, BadRequest, "model_version 'v1' is not a job id"),
    (step(BIND, service_id=""), None, BadRequest, "required: service_id"),
    (step(BIND, service_id="x" * 201), None, BadRequest, "is not a service id"),
])
def test_a_refused_step_names_what_is_wrong_and_changes_nothing(trained: ModelParty, versions: ModelVersions,
                                                                asked: ModelStep, caller: str | None,
                                                                error: type[Exception], message: str) -> None:
    if asked.kind == BIND:
        trained.step(step(LOAD), None)
    before = versions.state(HOST_KEY)
    with pytest.raises(error, match=message):
        trained.step(asked, caller)
    assert versions.state(HOST_KEY) == before
    trained.step(step(LOAD), "9999")  # the initiator's own certificate passes


def test_a_version_trained_before_versions_were_kept_whole_is_recorded_when_asked(
        host: ModelParty, versions: ModelVersions, store: Any, plan: Any) -> None:
    store.create(JOB, plan, [("host", "10000")])
    assert not host.known(HOST_KEY)  # its job has not succeeded
    store.set_job_status(JOB, SUCCESS)
    host.step(step(LOAD), None)
    assert versions.state(HOST_KEY) == LOADED and versions.pipeline(HOST_KEY).train_dsl == plan.dsl
    assert not host.known(VersionKey("guest-10000#host-10000#model", JOB, "host", "10000"))


def test_transfer_gives_fate_s_keys_for_a_party_and_prefixed_keys_for_the_model(trained: ModelParty,
                                                                                plan: Any) -> None:
    party = dict(trained.transfer(f"host#10000#{MODEL_ID}", JOB))
    assert set(party) == {PIPELINE_KEY, "hetero_lr_0.model:LRModelParam"}
    assert party["hetero_lr_0.model:LRModelParam"] == PARAM.data
    pipeline = pipeline_pb2.Pipeline.FromString(party[PIPELINE_KEY])
    assert json.loads(pipeline.train_dsl) == plan.dsl and json.loads(pipeline.train_runtime_conf) == plan.conf
    assert "hetero_lr_0" in json.loads(pipeline.inference_dsl)["components"]
    everything = dict(trained.transfer(MODEL_ID, JOB))
    assert set(everything) == {f"host#10000#{PIPELINE_KEY}", "host#10000#hetero_lr_0.model:LRModelParam",
                               f"arbiter#10000#{PIPELINE_KEY}"}
    with pytest.raises(NotFound, match=f"^no model version {JOB} of model {MODEL_ID} on guest 9999$"):
        trained.transfer(f"guest#9999#{MODEL_ID}", JOB)
    with pytest.raises(NotFound, match=f"^no model version 20260101000000000002 of model {MODEL_ID} on this node$"):
        trained.transfer(MODEL_ID, "20260101000000000002")
    with pytest.raises(BadRequest, match="is not a model id"):
        trained.transfer("nothing", JOB)


def test_a_predict_job_s_dsl_is_the_one_its_version_keeps(trained: ModelParty, versions: ModelVersions) -> None:
    assert trained.inference_dsl(HOST_KEY) == versions.pipeline(HOST_KEY).inference_dsl
    assert "evaluation_0" not in trained.inference_dsl(HOST_KEY)["components"]
    with pytest.raises(NotFound, match=f"^no model version {JOB} of model {MODEL_ID} on guest 9999$"):
        trained.inference_dsl(VersionKey(MODEL_ID, JOB, "guest", "9999"))
