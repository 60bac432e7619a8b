"""A model version leaves a node and comes back: the seed job trains on one node; each party's version is exported
(the seed's CLI) and imported into a fresh node (new data dir), or stored in a real Redis server and restored on
another fresh node, with FATE's model-ops confs; there it loads, binds and predicts the same scores (1e-9) as on the
node that trained it. The node's model directory stores and restores too; damaged archives are refused and change
nothing."""

from __future__ import annotations

import copy
import io
import zipfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import BREAST_ROWS, Node, running_node, write_conf
from jobs_helpers import cli_ok
from model_helpers import MODEL_ID, conf_cli, model_conf
from redis_server import RedisServer, redis_server  # noqa: F401 - redis_server is a fixture
from seed_examples import example, job_succeeded, model_ops_example, upload_breast

pytestmark = pytest.mark.integration

PARTIES = (("guest", "10000"), ("host", "10000"), ("arbiter", "10000"))
Scores = dict[str, float]


def predicted_scores(node: Node, tmp: Path, version: str) -> Scores:
    """The seed's predict job with `version` on `node`: each id's score on the guest."""
    conf = copy.deepcopy(example("test_predict_conf.json"))
    conf["job_parameters"]["model_version"] = version
    job_id = job_succeeded(node, tmp, conf)
    rows = node.post("/v1/tracking/component/output/data", json={
        "job_id": job_id, "role": "guest", "party_id": 10000, "component_name": "hetero_lr_0",
        "limit": BREAST_ROWS}).json()["data"]
    return {str(row[0]): float(row[3]) for row in rows}


def ops_conf(tmp: Path, name: str, version: str, **fields: Any) -> str:
    """FATE's model-ops conf `name` naming the trained version (and `fields`), written into `tmp`."""
    return str(write_conf(tmp / name, {**model_ops_example(name), "model_id": MODEL_ID, "model_version": version,
                                       **fields}))


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    """The node that trains, and two fresh ones (their own data dirs) with breast uploaded."""
    with ExitStack() as stack:
        yield {name: upload_breast(stack.enter_context(running_node(tmp_path_factory.mktemp(name))))
               for name in ("original", "imported", "restored")}


@pytest.fixture(scope="module")
def trained(nodes: dict[str, Node], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Scores]:
    """The seed job's model version on the original node, and its predict job's scores there."""
    tmp = tmp_path_factory.mktemp("train")
    version = job_succeeded(nodes["original"], tmp, example("test_hetero_lr_job_conf.json"),
                            example("test_hetero_lr_job_dsl.json"))
    return version, predicted_scores(nodes["original"], tmp, version)


def serve_and_predict(node: Node, tmp: Path, version: str) -> Scores:
    """Load and bind the version with FATE's confs, then run the predict job."""
    assert conf_cli(node, tmp, "load", model_conf("publish_load_model.json", version))["retcode"] == 0
    bound = conf_cli(node, tmp, "bind", model_conf("bind_model_service.json", version, service_id="transported"))
    assert bound["retmsg"] == "service id is transported", bound
    return predicted_scores(node, tmp, version)


def assert_same_scores(scores: Scores, expected: Scores) -> None:
    assert scores.keys() == expected.keys() and len(scores) == BREAST_ROWS
    assert all(abs(scores[key] - expected[key]) <= 1e-9 for key in expected)


def test_exported_archives_imported_into_a_fresh_node_predict_the_same(
        nodes: dict[str, Node], trained: tuple[str, Scores], tmp_path: Path) -> None:
    version, expected = trained
    conf = ops_conf(tmp_path, "import_model.json", version)
    archives = []
    for role, party in PARTIES:
        reply = cli_ok(nodes["original"], "-f", "export", "-c", conf, "-r", role, "-p", party,
                       "-o", str(tmp_path / "exported"))
        archives.append(Path(reply["file"]))
        assert archives[-1].name == f"{role}#{party}#{MODEL_ID}_{version}.zip"
    for archive in archives:
        imported = cli_ok(nodes["imported"], "-f", "import", "-c", ops_conf(tmp_path, "import_model.json", version,
                                                                           file=str(archive)))
        assert imported["data"]["model_version"] == version
    assert_same_scores(serve_and_predict(nodes["imported"], tmp_path, version), expected)


def test_a_version_stored_in_redis_restores_on_a_fresh_node(nodes: dict[str, Node], trained: tuple[str, Scores],
                                                            redis_server: RedisServer, tmp_path: Path) -> None:
    version, expected = trained
    address = {"store_address": redis_server.store_address()}  # store_model.json's, pointed at the test's server
    stored = cli_ok(nodes["original"], "-f", "store", "-c", ops_conf(tmp_path, "store_model.json", version, **address))
    assert stored["data"]["parties"] == {"arbiter": ["10000"], "guest": ["10000"], "host": ["10000"]}
    restored = cli_ok(nodes["restored"], "-f", "restore", "-c", ops_conf(tmp_path, "restore_model.json", version,
                                                                         **address))
    assert restored["data"]["repository"] == f"the Redis server at {redis_server.host}:{redis_server.port} (db 0)"
    assert_same_scores(serve_and_predict(nodes["restored"], tmp_path, version), expected)


def test_the_node_s_model_directory_stores_and_restores(nodes: dict[str, Node], trained: tuple[str, Scores],
                                                        tmp_path: Path) -> None:
    version, _ = trained
    original = nodes["original"]
    body = {"model_id": MODEL_ID, "model_version": version, "role": "guest", "party_id": 10000}
    stored = original.post("/v1/model/store", json=body).json()
    assert stored["data"]["parties"] == {"guest": ["10000"]}, stored
    assert (original.data_dir / "models" / MODEL_ID / version / "guest-10000.zip").is_file()
    again = original.post("/v1/model/restore", json=body).json()
    assert again == {"retcode": 100, "retmsg": f"guest 10000 has model version {version} of model {MODEL_ID} "
                                                "already; set force_update to replace it"}
    assert original.post("/v1/model/restore", json={**body, "force_update": True}).json()["retcode"] == 0


def _tampered(archive: bytes) -> bytes:
    """The archive with the last byte of its last buffer flipped, its zip rewritten to match."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as original, zipfile.ZipFile(out, "w") as changed:
        infos = original.infolist()
        for info in infos:
            data = original.read(info)
            changed.writestr(info, data[:-1] + bytes([data[-1] ^ 1]) if info is infos[-1] else data)
    return out.getvalue()


def test_tampered_and_truncated_archives_are_refused_and_change_nothing(
        nodes: dict[str, Node], trained: tuple[str, Scores], tmp_path: Path) -> None:
    version, _ = trained
    original = nodes["original"]
    party = {"model_id": MODEL_ID, "model_version": version, "role": "host", "party_id": "10000"}
    archive = original.post("/v1/model/export", json=party).content
    before = original.post("/v1/model/transfer", json={"name": version, "namespace": MODEL_ID}).json()
    for damaged, message in ((_tampered(archive), "does not match its checksum: the archive was changed after it "
                                                  "was written"),
                             (archive[:len(archive) // 2], "the archive is truncated or damaged: its zip directory "
                                                           "cannot be read")):
        reply = original.post("/v1/model/import", data={**party, "force_update": "1"},
                              files={"file": ("host.zip", damaged)}).json()
        assert reply["retcode"] == 100 and reply["retmsg"].endswith(message), reply
    assert original.post("/v1/model/transfer", json={"name": version, "namespace": MODEL_ID}).json() == before
