"""`flow model` of fate-client 1.6 and 1.11 against a node that trained the seed job: load and bind with FATE's
confs, export (the archive written where flow runs) and import (flow sends the file), and the same through a real
Redis server (`export --to-database` stores, `import --from-database` restores)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compat_helpers import Flow

from integration_helpers import Node, write_conf
from model_helpers import MODEL_ID, model_conf
from redis_server import RedisServer, redis_server  # noqa: F401 - redis_server is a fixture
from seed_examples import example, job_succeeded, model_ops_example, upload_breast

pytestmark = pytest.mark.integration

GUEST = {"role": "guest", "party_id": 10000}  # what FATE 1.6's model-ops examples add to FATE 1.4's confs


@pytest.fixture(scope="module")
def version(flow: Flow, compat_node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed job trained on the node of `flow`'s release."""
    upload_breast(compat_node)
    return job_succeeded(compat_node, tmp_path_factory.mktemp("train"), example("test_hetero_lr_job_conf.json"),
                         example("test_hetero_lr_job_dsl.json"))


def conf(tmp: Path, name: str, body: dict[str, Any]) -> str:
    return str(write_conf(tmp / name, body))


def ops_conf(tmp: Path, name: str, version: str, **fields: Any) -> str:
    """FATE's model-ops conf `name` naming the version, with the party and `fields`."""
    return conf(tmp, name, {**model_ops_example(name), "model_id": MODEL_ID, "model_version": version, **GUEST,
                            **fields})


def load_and_bind(flow: Flow, tmp: Path, version: str, service_id: str) -> None:
    loaded = flow.ok("model", "load", "-c", conf(tmp, "load.json", model_conf("publish_load_model.json", version)))
    assert loaded["data"]["guest"] == {"10000": 0} and loaded["data"]["host"] == {"10000": 0}, loaded
    bound = flow.ok("model", "bind", "-c", conf(tmp, "bind.json", model_conf("bind_model_service.json", version,
                                                                            service_id=service_id)))
    assert bound["retmsg"] == f"service id is {service_id}"


def test_load_and_bind(flow: Flow, version: str, tmp_path: Path) -> None:
    load_and_bind(flow, tmp_path, version, "compat-service")


def test_export_then_import(flow: Flow, version: str, tmp_path: Path) -> None:
    exported = flow.ok("model", "export", "-c", conf(tmp_path, "export.json", {
        "model_id": MODEL_ID, "model_version": version, **GUEST, "output_path": str(tmp_path / "out")}))
    archive = tmp_path / "out" / f"guest#10000#{MODEL_ID}_{version}.zip"
    assert exported["file"] == str(archive) and archive.is_file(), exported
    code, refused = flow.run("model", "import", "-c", ops_conf(tmp_path, "import_model.json", version,
                                                               file=str(archive)))
    assert refused["retmsg"] == f"guest 10000 has model version {version} of model {MODEL_ID} already; set " \
                                "force_update to replace it"
    flow.ok("model", "import", "-c", ops_conf(tmp_path, "import_model.json", version, file=str(archive),
                                              force_update=True))
    load_and_bind(flow, tmp_path, version, "imported")  # the guest's version is back to trained: load it again


def test_store_to_and_restore_from_redis(flow: Flow, version: str, redis_server: RedisServer,
                                         tmp_path: Path) -> None:
    address = {"store_address": redis_server.store_address()}
    stored = flow.ok("model", "export", "--to-database", "-c",
                     ops_conf(tmp_path, "store_model.json", version, **address))
    assert stored["data"]["parties"] == {"guest": ["10000"]}
    restored = flow.ok("model", "import", "--from-database", "-c",
                       ops_conf(tmp_path, "restore_model.json", version, force_update=True, **address))
    assert restored["data"]["repository"] == f"the Redis server at {redis_server.host}:{redis_server.port} (db 0)"
    load_and_bind(flow, tmp_path, version, "restored")
