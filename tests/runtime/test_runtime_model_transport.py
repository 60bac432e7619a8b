"""Model versions leaving a node and coming back: store and restore through the node's model directory and a real
Redis server, export and import as archive files; every refusal names what is wrong and changes nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fate_runtime.components import BUILTIN
from fate_runtime.data.paths import PathPolicy
from fate_runtime.errors import BadRequest, Conflict, NotFound
from fate_runtime.jobs import model_transport
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.jobs.model_transport import ModelTransport, VersionRequest
from fate_runtime.models import PartyModel
from fate_runtime.models.archive import ArchiveError, read_archive, write_archive
from fate_runtime.models.repository import ModelNotStored, RepositoryError
from fate_runtime.state.db import Database
from fate_runtime.state.job_store import JobStore
from fate_runtime.state.model_versions import LOADED, TRAINED, ModelVersions, VersionKey
from party_models import MODEL_ID, MODEL_VERSION, party_model
from redis_server import RedisServer, redis_server  # noqa: F401 - redis_server is a fixture
from storage import Store

GUEST, HOST, ARBITER = ("guest", "9999"), ("host", "10000"), ("arbiter", "10000")
VERSION = VersionRequest(MODEL_ID, MODEL_VERSION)


class Node:
    """A node's model versions and transport, without a server: its database under `root`."""

    def __init__(self, root: Path, parties: frozenset[str] | None, model_dir: Path | None = None) -> None:
        """`model_dir`: the node's model directory (default: under `root`)."""
        db = Database(str(root / "fate_flow.db"))
        self.versions = ModelVersions(db)
        self.party = ModelParty(self.versions, JobStore(db, str(root)), parties, BUILTIN, Store(str(root / "storage")))
        self.files = root / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.transport = ModelTransport(self.party, self.versions, PathPolicy(str(self.files), (str(self.files),)),
                                        model_dir or root / "models")

    def model(self, role: str, party_id: str) -> PartyModel:
        return self.versions.party_model(VersionKey(MODEL_ID, MODEL_VERSION, role, party_id))

    def has(self, role: str, party_id: str) -> bool:
        return self.versions.exists(VersionKey(MODEL_ID, MODEL_VERSION, role, party_id))


@pytest.fixture
def host_node(tmp_path: Path) -> Node:
    """The node of host and arbiter 10000, with both parties' version of the model."""
    node = Node(tmp_path / "host-node", frozenset({"10000"}))
    node.versions.put(party_model(*HOST))
    node.versions.put(party_model(*ARBITER, weights={}))
    return node


@pytest.fixture
def fresh(tmp_path: Path, host_node: Node) -> Node:
    """The node of host and arbiter 10000 rebuilt: nothing in its database, the same model directory."""
    return Node(tmp_path / "fresh-node", frozenset({"10000"}), tmp_path / "host-node" / "models")


def test_store_and_restore_through_the_node_s_model_directory(host_node: Node, fresh: Node, tmp_path: Path) -> None:
    stored = host_node.transport.store(VERSION, None)
    assert stored.parties == [ARBITER, HOST] and stored.repository.startswith("the model directory ")
    assert (tmp_path / "host-node" / "models" / MODEL_ID / MODEL_VERSION / "host-10000.zip").is_file()
    restored = fresh.transport.restore(VersionRequest(MODEL_ID, MODEL_VERSION), {"storage": "local"})
    assert restored.parties == [ARBITER, HOST]
    assert fresh.model(*HOST) == host_node.model(*HOST) and fresh.model(*ARBITER) == host_node.model(*ARBITER)
    assert fresh.versions.state(VersionKey(MODEL_ID, MODEL_VERSION, *HOST)) == TRAINED


def test_store_and_restore_through_redis_as_fate_s_conf_names_it(host_node: Node, fresh: Node,
                                                                   redis_server: RedisServer) -> None:
    address = redis_server.store_address()  # store_model.json's store_address, pointed at the test's server
    stored = host_node.transport.store(VersionRequest(f"host#10000#{MODEL_ID}", MODEL_VERSION), address)
    assert stored.parties == [HOST] and stored.repository == \
        f"the Redis server at {redis_server.host}:{redis_server.port} (db 0)"
    restored = fresh.transport.restore(VersionRequest(MODEL_ID, MODEL_VERSION), address)
    assert restored.parties == [HOST] and not fresh.has(*ARBITER)  # only what was stored
    assert fresh.model(*HOST) == host_node.model(*HOST)
    with pytest.raises(RepositoryError, match="refused the password in store_address"):
        fresh.transport.restore(VERSION, redis_server.store_address(password="wrong"), force_update=True)


def test_restore_refuses_to_replace_a_version_unless_forced(host_node: Node, fresh: Node) -> None:
    host_node.transport.store(VERSION, None)
    changed = party_model(*HOST, weights={"x0": 9.0})
    fresh.versions.put(changed)
    fresh.versions.load(VersionKey(MODEL_ID, MODEL_VERSION, *HOST))
    with pytest.raises(Conflict, match=f"^host 10000 has model version {MODEL_VERSION} of model {MODEL_ID} already; "
                                       "set force_update to replace it$"):
        fresh.transport.restore(VERSION, None)
    assert fresh.model(*HOST) == changed and not fresh.has(*ARBITER)  # nothing restored, not even the arbiter
    assert fresh.versions.state(VersionKey(MODEL_ID, MODEL_VERSION, *HOST)) == LOADED
    fresh.transport.restore(VERSION, None, force_update=True)
    assert fresh.model(*HOST) == host_node.model(*HOST)
    assert fresh.versions.state(VersionKey(MODEL_ID, MODEL_VERSION, *HOST)) == TRAINED  # load it again


def test_restore_and_store_of_what_is_not_there_are_named(host_node: Node, fresh: Node) -> None:
    with pytest.raises(ModelNotStored, match=f"^the model directory .* keeps model version {MODEL_VERSION} of "
                                             f"model {MODEL_ID} for none of the parties this node serves$"):
        fresh.transport.restore(VERSION, None)
    with pytest.raises(ModelNotStored, match=f"^model {MODEL_ID} version {MODEL_VERSION} of host 10000 is not in"):
        fresh.transport.restore(VersionRequest(MODEL_ID, MODEL_VERSION, "host", "10000"), None)
    with pytest.raises(NotFound, match=f"^no model version {MODEL_VERSION} of model {MODEL_ID} on this node$"):
        fresh.transport.store(VERSION, None)
    with pytest.raises(NotFound, match="^this node does not serve guest 9999$"):
        host_node.transport.store(VersionRequest(MODEL_ID, MODEL_VERSION, "guest", "9999"), None)


def test_export_gives_one_party_s_archive_under_fate_s_file_name(host_node: Node) -> None:
    exported = host_node.transport.export(VersionRequest(MODEL_ID, MODEL_VERSION, "host", 10000))  # type: ignore[arg-type]
    assert exported.file_name == f"host#10000#{MODEL_ID}_{MODEL_VERSION}.zip"
    assert read_archive(exported.data) == host_node.model(*HOST)
    assert host_node.transport.export(VersionRequest(f"host#10000#{MODEL_ID}", MODEL_VERSION)) == exported
    with pytest.raises(BadRequest, match=f"^model version {MODEL_VERSION} of model {MODEL_ID} has several parties "
                                         r"on this node \(arbiter 10000, host 10000\); name one with role and "
                                         "party_id$"):
        host_node.transport.export(VERSION)


@pytest.mark.parametrize("request_, error, message", [
    (VersionRequest("", MODEL_VERSION), BadRequest, "^the following arguments are required: model_id$"),
    (VersionRequest(MODEL_ID, "v1"), BadRequest, "^model_version 'v1' is not a job id"),
    (VersionRequest(MODEL_ID, MODEL_VERSION, "host"), BadRequest,
     "^role and party_id name a party together: give both or neither$"),
    (VersionRequest(f"guest#9999#{MODEL_ID}", MODEL_VERSION, "host", "10000"), BadRequest,
     "^the party model id names guest 9999, not host 10000$"),
    (VersionRequest(MODEL_ID, MODEL_VERSION, "host", "9999"), BadRequest,
     f"^host 9999 is not a party of model {MODEL_ID}$"),
    (VersionRequest(MODEL_ID, "20261201000000000002", "host", "10000"), NotFound,
     f"^no model version 20261201000000000002 of model {MODEL_ID} on host 10000$"),
])
def test_a_request_naming_no_version_here_is_refused(host_node: Node, request_: VersionRequest,
                                                     error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        host_node.transport.export(request_)


def test_import_on_a_fresh_node_gives_the_same_version(host_node: Node, fresh: Node) -> None:
    archive = host_node.transport.export(VersionRequest(MODEL_ID, MODEL_VERSION, *HOST)).data
    imported = fresh.transport.import_stream(VersionRequest(MODEL_ID, MODEL_VERSION, *HOST),
                                             [archive[:100], archive[100:]])
    assert imported.parties == [HOST] and imported.repository == ""
    assert fresh.model(*HOST) == host_node.model(*HOST)
    with pytest.raises(Conflict, match="^host 10000 has model version .* already; set force_update to replace it$"):
        fresh.transport.import_stream(VERSION, [archive])
    (fresh.files / "host.zip").write_bytes(archive)
    assert fresh.transport.import_file(VERSION, "host.zip", force_update=True).parties == [HOST]


def _tampered(archive: bytes) -> bytes:
    """The archive with one buffer's bytes changed and the zip rewritten around them (checksums of the zip fine)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as original, zipfile.ZipFile(out, "w") as changed:
        for info in original.infolist():
            data = original.read(info)
            changed.writestr(info, data if info.filename == "manifest.json" else data[:-1] + bytes([data[-1] ^ 1]))
    return out.getvalue()


@pytest.mark.parametrize("damage, message", [
    (_tampered, "^buffer .* does not match its checksum: the archive was changed after it was written$"),
    (lambda data: data[:len(data) * 2 // 3], "^the archive is truncated or damaged"),
    (lambda data: b"", "^the archive is empty$"),
    (lambda data: b"name,y\n1,0\n", r"^the file is not a model archive \(it is not a zip file\)$"),
])
def test_a_damaged_archive_is_refused_and_changes_nothing(host_node: Node, fresh: Node, damage: object,
                                                          message: str) -> None:
    archive = host_node.transport.export(VersionRequest(MODEL_ID, MODEL_VERSION, *HOST)).data
    with pytest.raises(ArchiveError, match=message):
        fresh.transport.import_stream(VERSION, [damage(archive)])  # type: ignore[operator]
    assert not fresh.has(*HOST)


def test_an_import_refuses_archives_the_request_or_the_node_does_not_take(fresh: Node, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    guest = write_archive(party_model(*GUEST))
    with pytest.raises(BadRequest, match=f"^the archive holds model version {MODEL_VERSION} of model {MODEL_ID} of "
                                         f"guest 9999, not the model version 20261201000000000002 of model "
                                         f"{MODEL_ID} the request names$"):
        fresh.transport.import_stream(VersionRequest(MODEL_ID, "20261201000000000002"), [guest])
    with pytest.raises(BadRequest, match="^the archive holds .* of guest 9999, not the"):
        fresh.transport.import_stream(VersionRequest(MODEL_ID, MODEL_VERSION, *HOST), [guest])
    with pytest.raises(NotFound, match="^this node does not serve guest 9999$"):
        fresh.transport.import_stream(VERSION, [guest])
    stranger = write_archive(party_model("host", "10001"))
    with pytest.raises(BadRequest, match=f"^the archive's host 10001 is not a party of model {MODEL_ID}$"):
        fresh.transport.import_stream(VERSION, [stranger])
    monkeypatch.setattr(model_transport, "MAX_ARCHIVE_BYTES", 1000)
    with pytest.raises(BadRequest, match="^the archive is larger than the 1000 bytes a model archive may be$"):
        fresh.transport.import_stream(VERSION, [b"PK" * 400, b"PK" * 400])
    outside = tmp_path / "outside.zip"
    outside.write_bytes(write_archive(party_model(*HOST)))
    with pytest.raises(BadRequest, match=f"^file {outside} is outside the directories this node may use$"):
        fresh.transport.import_file(VERSION, str(outside))
    assert not fresh.has(*HOST) and not fresh.has(*GUEST)
