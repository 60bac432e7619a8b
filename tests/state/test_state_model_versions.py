"""Model versions as wholes (pipeline beside buffers) and their lifecycle trained -> loaded -> bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.models import PartyModel, Pipeline
from fate_runtime.state.db import Database
from fate_runtime.state.model_versions import BOUND, LOADED, TRAINED, Binding, FeatureTable, ModelVersions, VersionKey
from fate_runtime.state.models import ModelBuffer, ModelKey, ModelStore

MODEL_ID = "arbiter-10000#guest-9999#host-10000#model"
VERSION, OTHER_VERSION = "202601010000000000001", "202601010000000000002"
GUEST = VersionKey(MODEL_ID, VERSION, "guest", "9999")
HOST = VersionKey(MODEL_ID, VERSION, "host", "10000")
PIPELINE = Pipeline(train_dsl={"components": {"dataio_0": {"module": "DataIO"}}},
                    inference_dsl={"components": {"dataio_0": {"module": "DataIO", "input": {"data": {}}}}},
                    runtime_conf={"role": {"guest": [9999], "host": [10000], "arbiter": [10000]}})
META = ModelBuffer("DataIOMeta", "com.webank.ai.fate.core.mlmodel.buffer.DataIOMeta", b"\x08\x01")
PARAM = ModelBuffer("DataIOParam", "com.webank.ai.fate.core.mlmodel.buffer.DataIOParam", b"\x12\x02ab")


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(str(tmp_path / "fate_flow.db"))


@pytest.fixture
def versions(db: Database) -> ModelVersions:
    """GUEST and HOST trained: each with its pipeline and DataIO's buffers."""
    found = ModelVersions(db)
    for key in (GUEST, HOST):
        ModelStore(db).save(ModelKey(key.model_id, key.model_version, key.role, key.party_id, "dataio_0"), "model",
                            [META, PARAM])
        found.record(key, PIPELINE)
    return found


def test_a_trained_version_reads_back_whole(versions: ModelVersions) -> None:
    model = versions.party_model(GUEST)
    assert model == PartyModel(MODEL_ID, VERSION, "guest", "9999", PIPELINE, {"dataio_0": {"model": [META, PARAM]}})
    assert versions.state(GUEST) == TRAINED and versions.exists(GUEST)


def test_recording_a_version_again_keeps_its_pipeline_and_state(versions: ModelVersions) -> None:
    versions.load(GUEST)
    versions.record(GUEST, Pipeline({}, {}, {}))
    assert versions.party_model(GUEST).pipeline == PIPELINE and versions.state(GUEST) == LOADED


def test_an_unknown_version_is_named(versions: ModelVersions) -> None:
    unknown = VersionKey(MODEL_ID, OTHER_VERSION, "guest", "9999")
    for step in (versions.party_model, versions.state, versions.load, versions.check_load, versions.check_bind):
        with pytest.raises(NotFound, match=f"^no model version {OTHER_VERSION} of model {MODEL_ID} on guest 9999$"):
            step(unknown)
    with pytest.raises(NotFound, match="on host 9999$"):  # another party of this node has no such version
        versions.load(VersionKey(MODEL_ID, VERSION, "host", "9999"))
    assert not versions.exists(unknown)


def test_bind_before_load_is_refused_and_changes_nothing(versions: ModelVersions) -> None:
    versions.load(GUEST)
    with pytest.raises(BadRequest, match=f"^model version {VERSION} is not loaded on host 10000; run load first$"):
        versions.check_bind(HOST)
    with pytest.raises(BadRequest, match="is not loaded on host 10000; run load first"):
        versions.bind("svc", HOST)
    assert versions.bindings("svc") == [] and versions.state(HOST) == TRAINED


def test_load_then_bind_makes_a_version_bound(versions: ModelVersions) -> None:
    versions.check_load(HOST)
    versions.load(HOST)
    assert versions.state(HOST) == LOADED
    versions.load(HOST)  # loaded again: harmless
    versions.check_bind(HOST)
    assert versions.bind("svc", HOST) is None
    assert versions.state(HOST) == BOUND
    versions.load(HOST)  # a bound version stays bound
    assert versions.state(HOST) == BOUND and versions.state(GUEST) == TRAINED
    assert versions.bindings("svc") == [Binding("svc", "host", "10000", MODEL_ID, VERSION)]
    assert versions.binding("svc", "host", "10000").key == HOST


def test_several_service_ids_point_at_one_version_and_a_rebind_moves_one(db: Database,
                                                                         versions: ModelVersions) -> None:
    newer = VersionKey(MODEL_ID, OTHER_VERSION, "guest", "9999")
    versions.record(newer, PIPELINE)
    for key in (GUEST, newer):
        versions.load(key)
    versions.bind("a", GUEST)
    versions.bind("b", GUEST)
    assert [b.model_version for b in (versions.binding("a", "guest", "9999"), versions.binding("b", "guest", "9999"))] \
        == [VERSION, VERSION]
    replaced = versions.bind("a", newer)
    assert replaced == Binding("a", "guest", "9999", MODEL_ID, VERSION)
    assert versions.binding("a", "guest", "9999").model_version == OTHER_VERSION
    assert versions.binding("b", "guest", "9999").model_version == VERSION
    assert versions.state(GUEST) == BOUND and versions.state(newer) == BOUND
    versions.bind("b", newer)
    assert versions.state(GUEST) == LOADED  # no service id points at it any more


def test_an_unknown_service_id_is_named(versions: ModelVersions) -> None:
    versions.load(GUEST)
    versions.bind("svc", GUEST)
    with pytest.raises(NotFound, match="^service id nope is not bound on guest 9999; run bind first$"):
        versions.binding("nope", "guest", "9999")
    with pytest.raises(NotFound, match="^service id svc is not bound on host 10000; run bind first$"):
        versions.binding("svc", "host", "10000")
    assert versions.bindings("nope") == []
    with pytest.raises(BadRequest, match="required: service_id"):
        versions.bind("", GUEST)


def test_a_version_put_into_another_node_reads_back_equal(tmp_path: Path, versions: ModelVersions) -> None:
    model = versions.party_model(GUEST)
    elsewhere = ModelVersions(Database(str(tmp_path / "other" / "fate_flow.db")))
    elsewhere.put(model)
    assert elsewhere.party_model(GUEST) == model and elsewhere.state(GUEST) == TRAINED


def test_put_replaces_the_version_and_unbinds_it(versions: ModelVersions) -> None:
    versions.load(GUEST)
    versions.bind("svc", GUEST)
    replacement = PartyModel(MODEL_ID, VERSION, "guest", "9999", Pipeline({"components": {}}, {}, {}),
                             {"lr_0": {"model": [PARAM]}})
    versions.put(replacement)
    assert versions.party_model(GUEST) == replacement  # dataio_0's buffers are gone
    assert versions.state(GUEST) == TRAINED and versions.bindings("svc") == []
    assert versions.party_model(HOST).components == {"dataio_0": {"model": [META, PARAM]}}


def test_a_host_binding_keeps_the_feature_table_bind_named_until_bound_again(versions: ModelVersions) -> None:
    versions.load(HOST)
    table = FeatureTable("serving", "breast_a_online")
    versions.bind("svc", HOST, table)
    assert versions.binding("svc", "host", "10000").feature_table == table
    assert versions.bindings("svc") == [Binding("svc", "host", "10000", MODEL_ID, VERSION, table)]
    versions.bind("svc", HOST)  # bound again without one: the table it trained on
    assert versions.binding("svc", "host", "10000").feature_table is None
