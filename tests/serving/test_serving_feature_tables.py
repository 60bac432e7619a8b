"""A host's feature table named at bind: bind checks it (a host's only, in the node's store, with every column the
host's model reads) and changes nothing when it refuses; the host then finds its features there, not in the table
it trained on."""

from __future__ import annotations

from pathlib import Path

import pytest

from fate_runtime.components import BUILTIN
from fate_runtime.errors import BadRequest
from fate_runtime.jobs.model_party import BIND, ModelParty, ModelStep
from fate_runtime.serving.errors import ServingError
from fate_runtime.serving.feature_tables import check_feature_table
from fate_runtime.serving.node_serving import NodeServing
from fate_runtime.state.db import Database
from fate_runtime.state.job_store import JobStore
from fate_runtime.state.model_versions import FeatureTable, ModelVersions, VersionKey
from seed_models import GUEST, HOST, SeedModels
from serving_parties import SERVICE, over_the_wire, request
from uploaded_tables import DATA, uploaded

NAMESPACE = "serving_tables"


def breast_a_lines(keep: int, columns: slice = slice(None)) -> list[str]:
    """breast_a's header and its first `keep` rows (their cells cut to `columns`)."""
    lines = (DATA / "breast_a.csv").read_text().splitlines()[:keep + 1]
    return [",".join(line.split(",")[columns]) for line in lines]


def key_of(model_role: str, seed: SeedModels) -> VersionKey:
    model = seed.guest if model_role == GUEST[0] else seed.host
    return VersionKey(model.model_id, model.model_version, model.role, model.party_id)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(str(tmp_path / "fate_flow.db"))


@pytest.fixture
def versions(seed: SeedModels, db: Database) -> ModelVersions:
    """Both parties' versions loaded on one node, the guest's bound to SERVICE."""
    found = ModelVersions(db)
    for model in (seed.guest, seed.host):
        found.put(model)
        found.load(key_of(model.role, seed))
    found.bind(SERVICE, key_of(GUEST[0], seed))
    return found


@pytest.fixture
def party(seed: SeedModels, versions: ModelVersions, db: Database, tmp_path: Path) -> ModelParty:
    """The node's side of load and bind (standalone: it serves every party), its tables in the host's store."""
    return ModelParty(versions, JobStore(db, str(tmp_path)), None, BUILTIN, seed.host_store)


def bind_step(seed: SeedModels, role: str, table: FeatureTable, check_only: bool = False) -> ModelStep:
    return ModelStep(BIND, key_of(role, seed), GUEST, SERVICE, check_only, table)


def test_the_host_finds_its_features_in_the_table_bind_named(seed: SeedModels, versions: ModelVersions,
                                                             party: ModelParty) -> None:
    half = uploaded(seed.host_store, breast_a_lines(100), namespace=NAMESPACE)
    party.step(bind_step(seed, HOST[0], FeatureTable(NAMESPACE, half.name)), None)
    node: list[NodeServing] = []
    node.append(NodeServing(versions, seed.host_store, lambda party_id, query: over_the_wire(
        node[0].host(party_id))(party_id, query), lambda party_id: True))
    inside, outside = breast_a_lines(100)[1].split(",")[0], breast_a_lines(101)[101].split(",")[0]
    scored = node[0].guest.inference(request(seed, inside))
    assert scored["data"]["score"] == pytest.approx(seed.batch_scores[inside][0], abs=1e-9, rel=0)
    missing = node[0].guest.inference(request(seed, outside))  # in the table it trained on, not in this one
    assert (missing["retcode"], missing["retmsg"]) == (113, f"host {HOST[1]} has no features of id {outside}")


def test_bind_refuses_a_table_the_host_cannot_serve_from_and_changes_nothing(seed: SeedModels,
                                                                              versions: ModelVersions,
                                                                              party: ModelParty) -> None:
    no_x3 = uploaded(seed.host_store, breast_a_lines(10, slice(0, 4)), namespace=NAMESPACE)  # id, x0, x1, x2
    refusals = [
        (HOST[0], FeatureTable(NAMESPACE, "nowhere"),
         f"the feature table {NAMESPACE}.nowhere of host {HOST[1]} does not exist"),
        (HOST[0], FeatureTable(NAMESPACE, no_x3.name),
         f"the feature table {NAMESPACE}.{no_x3.name} of host {HOST[1]} has no column x3, which the model was "
         "trained with"),
        (HOST[0], FeatureTable(NAMESPACE, ".."), "table_name '..' is not a table name"),
        (GUEST[0], FeatureTable(NAMESPACE, no_x3.name), f"guest {GUEST[1]} serves from no feature table; only a host "
                                                        "does"),
    ]
    for role, table, message in refusals:
        for check_only in (True, False):
            with pytest.raises(BadRequest, match=f"^{message}"):
                party.step(bind_step(seed, role, table, check_only), None)
    assert [binding.role for binding in versions.bindings(SERVICE)] == [GUEST[0]]
    assert versions.binding(SERVICE, GUEST[0], GUEST[1]).feature_table is None
    with pytest.raises(ServingError, match="does not exist"):
        check_feature_table(seed.host, seed.host_store, FeatureTable(NAMESPACE, "nowhere"))
