"""Model repositories: the local directory and a real Redis server, through the same tests, and the factory."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Iterator

import pytest

from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.models.archive import ArchiveError, write_archive
from fate_runtime.models.directory_repository import DirectoryRepository
from fate_runtime.models.redis_repository import RedisAddress, RedisRepository
from fate_runtime.models.refs import ModelRef
from fate_runtime.models.repositories import repository_for
from fate_runtime.models.repository import ModelNotStored, ModelRepository, RepositoryError
from integration_helpers import free_port
from party_models import MODEL_ID, MODEL_VERSION, party_model
from redis_server import RedisServer

OTHER_VERSION = "20261201000000000002"
GUEST = ("guest", "9999")
HOST = ("host", "10000")


@pytest.fixture(params=["directory", "redis"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ModelRepository]:
    """Each backend, as the factory makes it from a store_address (none: the node's model directory)."""
    store_address = None
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        with server.client() as client:
            client.flushdb()
        store_address = server.store_address()
    with repository_for(store_address, tmp_path / "models") as repository:
        yield repository


def _keep_raw(repository: ModelRepository, ref: ModelRef, data: bytes) -> None:
    """Puts bytes where the backend keeps `ref`'s archive, as a damaged disk or another writer would."""
    if isinstance(repository, DirectoryRepository):
        repository.path(ref).parent.mkdir(parents=True, exist_ok=True)
        repository.path(ref).write_bytes(data)
    else:
        assert isinstance(repository, RedisRepository)
        repository._client.set(RedisRepository.key(ref), data)


def _refused(kind: type[Exception], match: str, call: Any, *args: Any) -> str:
    with pytest.raises(kind, match=match) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message, message
    return message


# ---- both backends --------------------------------------------------------------------------------------------


def test_a_model_put_comes_back_whole(repository):
    model = party_model()
    repository.put(model)
    assert repository.get(MODEL_ID, MODEL_VERSION, *GUEST) == model


def test_an_absent_model_is_named_as_absent(repository):
    assert not repository.exists(MODEL_ID, MODEL_VERSION, *GUEST)
    message = _refused(ModelNotStored, f"model {MODEL_ID} version {MODEL_VERSION} of guest 9999 is not in the ",
                       repository.get, MODEL_ID, MODEL_VERSION, *GUEST)
    assert str(repository) in message
    assert isinstance(pytest.raises(NotFound, repository.get, MODEL_ID, MODEL_VERSION, *GUEST).value, NotFound)
    repository.put(party_model())
    assert repository.exists(MODEL_ID, MODEL_VERSION, *GUEST)


def test_a_second_put_of_the_same_version_replaces_the_first(repository):
    repository.put(party_model(weights={"x0": 1.0}))
    retrained = party_model(weights={"x0": 2.0, "x1": 3.0})
    repository.put(retrained)
    assert repository.get(MODEL_ID, MODEL_VERSION, *GUEST) == retrained


def test_parties_and_versions_are_kept_apart(repository):
    guest, host = party_model(*GUEST, weights={"x0": 1.0}), party_model(*HOST, weights={"x3": -1.0})
    later = party_model(*GUEST, version=OTHER_VERSION, weights={"x0": 5.0})
    for model in (guest, host, later):
        repository.put(model)
    assert repository.get(MODEL_ID, MODEL_VERSION, *GUEST) == guest
    assert repository.get(MODEL_ID, MODEL_VERSION, *HOST) == host
    assert repository.get(MODEL_ID, OTHER_VERSION, *GUEST) == later
    assert not repository.exists(MODEL_ID, OTHER_VERSION, *HOST)
    assert not repository.exists(MODEL_ID, MODEL_VERSION, "arbiter", "10000")


@pytest.mark.parametrize("identity, match", [
    (("../../etc#model", MODEL_VERSION, *GUEST), "model_id '../../etc#model' is not a model id"),
    ((MODEL_ID, "../x", *GUEST), "model_version '../x' is not a job id"),
    ((MODEL_ID, MODEL_VERSION, "guest/..", "9999"), "role 'guest/..' is not a role"),
    ((MODEL_ID, MODEL_VERSION, "guest", "*"), "party_id '\\*' is not a party id"),
], ids=["model_id", "model_version", "role", "party_id"])
def test_identifiers_are_checked_before_they_reach_a_path_or_key(repository, identity, match):
    _refused(BadRequest, match, repository.get, *identity)
    _refused(BadRequest, match, repository.exists, *identity)


def test_a_model_with_ill_formed_identifiers_is_not_put(repository):
    _refused(BadRequest, "party_id '../1' is not a party id", repository.put, party_model(party_id="../1"))


def test_a_damaged_stored_archive_is_refused(repository):
    archive = write_archive(party_model())
    _keep_raw(repository, ModelRef(MODEL_ID, MODEL_VERSION, *GUEST), archive[:len(archive) // 2])
    _refused(ArchiveError, "the archive is truncated or damaged", repository.get, MODEL_ID, MODEL_VERSION, *GUEST)


def test_an_archive_kept_under_another_partys_name_is_refused(repository):
    _keep_raw(repository, ModelRef(MODEL_ID, MODEL_VERSION, *HOST), write_archive(party_model(*GUEST)))
    _refused(ArchiveError, f"the archive kept for model {MODEL_ID} version {MODEL_VERSION} of host 10000 in .* holds "
                           f"model {MODEL_ID} version {MODEL_VERSION} of guest 9999",
             repository.get, MODEL_ID, MODEL_VERSION, *HOST)


# ---- the local directory --------------------------------------------------------------------------------------


def test_the_directory_keeps_one_file_per_party_version_named_by_its_identifiers(tmp_path):
    repository = DirectoryRepository(tmp_path)
    repository.put(party_model())
    kept = tmp_path / MODEL_ID / MODEL_VERSION / "guest-9999.zip"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [kept]
    assert kept.read_bytes() == write_archive(party_model())


def test_a_failed_write_leaves_the_previous_archive_and_no_partial_file(tmp_path, monkeypatch):
    repository = DirectoryRepository(tmp_path)
    first = party_model(weights={"x0": 1.0})
    repository.put(first)

    def disk_fails(source: Any, target: Any) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", disk_fails)
    _refused(RepositoryError, f"the model directory {tmp_path} cannot keep model {MODEL_ID} version {MODEL_VERSION} "
                              "of guest 9999: Input/output error", repository.put, party_model(weights={"x0": 2.0}))
    monkeypatch.undo()
    assert repository.get(MODEL_ID, MODEL_VERSION, *GUEST) == first
    assert [p.name for p in (tmp_path / MODEL_ID / MODEL_VERSION).iterdir()] == ["guest-9999.zip"]


def test_a_directory_that_cannot_be_made_is_named(tmp_path):
    blocked = tmp_path / "models"
    blocked.write_text("a file where the model directory should be")
    _refused(RepositoryError, f"the model directory {blocked} cannot keep model {MODEL_ID}",
             DirectoryRepository(blocked).put, party_model())


# ---- Redis ----------------------------------------------------------------------------------------------------


def test_redis_keys_name_every_identifier():
    guest, host = ModelRef(MODEL_ID, MODEL_VERSION, *GUEST), ModelRef(MODEL_ID, MODEL_VERSION, *HOST)
    assert RedisRepository.key(guest) == f"fate_runtime:model:{MODEL_ID}:{MODEL_VERSION}:guest:9999"
    assert RedisRepository.key(host) != RedisRepository.key(guest)


@pytest.mark.parametrize("password", ["wrong", None], ids=["wrong", "none"])
def test_redis_refusing_the_password_is_one_sentence(redis_server, password):
    where = f"127.0.0.1:{redis_server.port}"
    with repository_for(redis_server.store_address(password=password), "unused") as repository:
        for call, args in [(repository.put, (party_model(),)), (repository.get, (MODEL_ID, MODEL_VERSION, *GUEST)),
                           (repository.exists, (MODEL_ID, MODEL_VERSION, *GUEST))]:
            _refused(RepositoryError, f"^the Redis server at {where} refused the password in store_address$",
                     call, *args)


def test_redis_with_nothing_listening_is_one_sentence():
    port = free_port()
    with repository_for({"storage": "redis", "host": "127.0.0.1", "port": port, "password": "x", "db": 0},
                        "unused") as repository:
        _refused(RepositoryError, f"^cannot connect to the Redis server at 127.0.0.1:{port}: nothing listens there$",
                 repository.put, party_model())


def test_redis_that_never_answers_is_one_sentence():
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        with RedisRepository(RedisAddress("127.0.0.1", port, "x", 0), timeout_s=0.2) as repository:
            _refused(RepositoryError, f"^the Redis server at 127.0.0.1:{port} did not answer within 0.2 s$",
                     repository.exists, MODEL_ID, MODEL_VERSION, *GUEST)


def test_redis_refusing_a_database_is_one_sentence(redis_server):
    with repository_for(redis_server.store_address(db=100_000), "unused") as repository:
        _refused(RepositoryError, f"^the Redis server at 127.0.0.1:{redis_server.port} refused the request: "
                                  "DB index is out of range$", repository.exists, MODEL_ID, MODEL_VERSION, *GUEST)


def test_redis_databases_are_kept_apart(redis_server):
    with repository_for(redis_server.store_address(db=1), "unused") as one, \
            repository_for(redis_server.store_address(db=2), "unused") as two:
        one.put(party_model())
        assert not two.exists(MODEL_ID, MODEL_VERSION, *GUEST)
        assert one.exists(MODEL_ID, MODEL_VERSION, *GUEST)


# ---- picking a repository -------------------------------------------------------------------------------------


def test_no_store_address_or_a_local_one_is_the_nodes_model_directory(tmp_path):
    for store_address in (None, {}, {"storage": "local"}):
        repository = repository_for(store_address, tmp_path)
        assert isinstance(repository, DirectoryRepository) and str(repository) == f"the model directory {tmp_path}"


def test_fates_store_model_conf_picks_redis():
    # store_address as FATE 1.4's examples/store_model.json has it
    fates = {"storage": "redis", "host": "127.0.0.1", "port": 6379, "password": "fate_dev", "db": 0}
    with repository_for(fates, "unused") as repository:
        assert isinstance(repository, RedisRepository)
        assert str(repository) == "the Redis server at 127.0.0.1:6379 (db 0)"
    assert RedisAddress.of({"storage": "redis", "host": "redis.example", "port": "6380"}) == \
        RedisAddress("redis.example", 6380, None, 0)


@pytest.mark.parametrize("store_address, match", [
    ({"storage": "mysql"}, "store_address.storage 'mysql' is not a model storage this node knows \\(redis or local\\)"),
    ({"host": "127.0.0.1"}, "store_address.storage None is not a model storage this node knows"),
    ("redis", "store_address is not an object"),
    ({"storage": "local", "path": "/etc"}, "store_address of a local store takes no field but storage"),
    ({"storage": "redis", "host": "127.0.0.1", "ex": 60}, "store_address has fields this node does not use: ex"),
    ({"storage": "redis", "port": 6379}, "store_address.host None is not a host name or address"),
    ({"storage": "redis", "host": "a b"}, "store_address.host 'a b' is not a host name or address"),
    ({"storage": "redis", "host": "h", "port": 0}, "store_address.port 0 is not a number from 1 to 65535"),
    ({"storage": "redis", "host": "h", "port": "x"}, "store_address.port 'x' is not a number from 1 to 65535"),
    ({"storage": "redis", "host": "h", "port": True}, "store_address.port True is not a number"),
    ({"storage": "redis", "host": "h", "db": -1}, "store_address.db -1 is not a number from 0 to"),
    ({"storage": "redis", "host": "h", "password": 5}, "store_address.password is not text"),
], ids=["unknown-storage", "no-storage", "not-object", "local-path", "unknown-field", "no-host", "host", "port-0",
        "port-text", "port-bool", "db", "password"])
def test_store_addresses_that_cannot_work_are_refused(store_address, match):
    _refused(RepositoryError, match, repository_for, store_address, "unused")
