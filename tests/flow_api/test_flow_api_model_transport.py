"""/v1/model/store, restore, export and import, and the CLI's -f store/restore/export/import, against a fake node:
FATE's confs become typed requests, the archive streams to and from the caller, refusals are one sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest
import requests

from flow_api import cli
from flow_api_fakes import Answer, FakeFlow, HttpServer, abort, returns
from protos import flow_pb2
from seed_examples import model_ops_example

MODEL_ID = "arbiter-10000#guest-10000#host-10000#model"
VERSION = "20260101000000000001"
FILE_NAME = f"guest#10000#{MODEL_ID}_{VERSION}.zip"
ARCHIVE = bytes(range(256)) * 5000  # what the fake node calls an archive: the REST layer passes bytes along


def ops_conf(name: str, **fields: Any) -> dict[str, Any]:
    """FATE's model-ops conf (FATE 1.4's, in examples/) naming this model version, with `fields` added."""
    return {**model_ops_example(name), "model_id": MODEL_ID, "model_version": VERSION, **fields}


def moved(*parties: tuple[str, str], repository: str = "") -> Answer:
    return returns(flow_pb2.ModelPartiesReply(model_id=MODEL_ID, model_version=VERSION, repository=repository,
                                              parties=[flow_pb2.PartyRef(role=r, party_id=p) for r, p in parties]))


def exported(file_name: str = FILE_NAME, data: bytes = ARCHIVE) -> Answer:
    def answer(request: Any, context: grpc.ServicerContext) -> Iterator[flow_pb2.ModelArchivePiece]:
        yield flow_pb2.ModelArchivePiece(file_name=file_name)
        for start in range(0, len(data), 100_000):
            yield flow_pb2.ModelArchivePiece(data=data[start:start + 100_000])
    return answer


def imported(received: list[flow_pb2.ModelImportChunk]) -> Answer:
    def answer(chunks: Iterator[flow_pb2.ModelImportChunk], context: grpc.ServicerContext) -> Any:
        received.extend(chunks)
        return flow_pb2.ModelPartiesReply(model_id=MODEL_ID, model_version=VERSION,
                                          parties=[flow_pb2.PartyRef(role="guest", party_id="10000")])
    return answer


def test_store_sends_fate_s_conf_typed(client: Any, fake: FakeFlow) -> None:
    fake.answers["StoreModel"] = moved(("guest", "10000"), ("host", "10000"),
                                       repository="the Redis server at 127.0.0.1:6379 (db 0)")
    conf = ops_conf("store_model.json")
    body = client.post("/v1/model/store", json=conf).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": {
        "model_id": MODEL_ID, "model_version": VERSION, "parties": {"guest": ["10000"], "host": ["10000"]},
        "repository": "the Redis server at 127.0.0.1:6379 (db 0)"}}
    sent = fake.last("StoreModel")
    assert (sent.version.model_id, sent.version.model_version, sent.version.role, sent.version.party_id) == \
        (MODEL_ID, VERSION, "", "")
    assert json.loads(sent.store_address_json) == conf["store_address"] and not sent.force_update


def test_restore_passes_the_party_and_force_update_as_fate_1_6_sends_them(client: Any, fake: FakeFlow) -> None:
    fake.answers["RestoreModel"] = moved(("guest", "9999"))
    conf = {"role": "guest", "party_id": 9999, "model_id": MODEL_ID, "model_version": VERSION, "force_update": 1}
    body = client.post("/v1/model/restore", json=conf).get_json()
    assert body["retcode"] == 0 and body["data"]["parties"] == {"guest": ["9999"]} and "repository" not in body["data"]
    sent = fake.last("RestoreModel")
    assert (sent.version.role, sent.version.party_id, sent.store_address_json, sent.force_update) == \
        ("guest", "9999", "", True)


@pytest.mark.parametrize("conf, message", [
    ({"model_version": VERSION}, "the following arguments are required: model_id"),
    ({"model_id": MODEL_ID, "model_version": VERSION, "store_address": "redis"}, "store_address must be a JSON object"),
    ({"model_id": MODEL_ID, "model_version": VERSION, "force_update": "maybe"}, "force_update must be true or false"),
])
def test_a_malformed_store_conf_is_refused_before_the_node(client: Any, fake: FakeFlow, conf: dict[str, Any],
                                                          message: str) -> None:
    assert client.post("/v1/model/store", json=conf).get_json() == {"retcode": 100, "retmsg": message}
    assert not fake.requests("StoreModel")


def test_the_node_s_refusal_is_the_reply(client: Any, fake: FakeFlow) -> None:
    sentence = "the Redis server at 127.0.0.1:6379 refused the password in store_address"
    fake.answers["RestoreModel"] = abort(grpc.StatusCode.INVALID_ARGUMENT, sentence)
    assert client.post("/v1/model/restore", json=ops_conf("restore_model.json")).get_json() == \
        {"retcode": 100, "retmsg": sentence}


def test_export_streams_the_archive_as_fate_s_clients_read_it(http_server: HttpServer, fake: FakeFlow) -> None:
    fake.answers["ExportModel"] = exported()
    response = requests.get(f"{http_server.url}/v1/model/export", json={
        "role": "guest", "party_id": 10000, "model_id": MODEL_ID, "model_version": VERSION, "output_path": "/tmp/x"})
    assert response.status_code == 200 and response.content == ARCHIVE
    assert re.findall("filename=(.+)", response.headers["Content-Disposition"]) == [FILE_NAME]  # as `flow` parses it
    assert response.headers["Content-Type"] == "application/zip"
    sent = fake.last("ExportModel")
    assert (sent.model_id, sent.model_version, sent.role, sent.party_id) == (MODEL_ID, VERSION, "guest", "10000")


def test_an_export_the_node_refuses_is_a_json_reply(client: Any, fake: FakeFlow) -> None:
    sentence = f"no model version {VERSION} of model {MODEL_ID} on this node"
    fake.answers["ExportModel"] = abort(grpc.StatusCode.NOT_FOUND, sentence)
    response = client.get("/v1/model/export", json={"model_id": MODEL_ID, "model_version": VERSION})
    assert response.get_json() == {"retcode": 101, "retmsg": sentence}


def test_import_streams_a_multipart_file_to_the_node(http_server: HttpServer, fake: FakeFlow, tmp_path: Path) -> None:
    received: list[flow_pb2.ModelImportChunk] = []
    fake.answers["ImportModel"] = imported(received)
    fields = {"role": "guest", "party_id": "10000", "model_id": MODEL_ID, "model_version": VERSION,
              "file": "/client/side/path.zip", "force_update": "1"}  # as fate-client 1.11 posts them
    response = requests.post(f"{http_server.url}/v1/model/import", data=fields,
                             files={"file": ("path.zip", ARCHIVE)}).json()
    assert response == {"retcode": 0, "retmsg": "success", "data": {
        "model_id": MODEL_ID, "model_version": VERSION, "parties": {"guest": ["10000"]}}}
    settings = received[0].settings
    assert (settings.version.role, settings.version.party_id, settings.version.model_id, settings.force_update,
            settings.file) == ("guest", "10000", MODEL_ID, True, "")
    assert b"".join(chunk.data for chunk in received[1:]) == ARCHIVE


def test_import_of_a_file_on_the_node_names_its_path(client: Any, fake: FakeFlow) -> None:
    received: list[flow_pb2.ModelImportChunk] = []
    fake.answers["ImportModel"] = imported(received)
    conf = ops_conf("import_model.json", file="models/guest.zip")
    assert client.post("/v1/model/import", json=conf).get_json()["retcode"] == 0
    assert [chunk.settings.file for chunk in received] == ["models/guest.zip"]
    assert client.post("/v1/model/import", json=ops_conf("import_model.json")).get_json() == \
        {"retcode": 100, "retmsg": "the following arguments are required: file"}  # FATE's conf leaves it ""
    missing = client.post("/v1/model/import", data={"model_id": MODEL_ID, "model_version": VERSION},
                          content_type="multipart/form-data").get_json()
    assert missing == {"retcode": 100, "retmsg": "a multipart import must carry the archive in a field named 'file'"}
    assert len(fake.requests("ImportModel")) == 1


@pytest.fixture
def run(http_server: HttpServer, capsys: pytest.CaptureFixture[str]) -> Any:
    def run_cli(*args: str) -> tuple[int, dict[str, Any]]:
        code = cli.main([*args, "--server", http_server.url])
        return code, json.loads(capsys.readouterr().out)
    return run_cli


def conf_file(tmp_path: Path, conf: dict[str, Any]) -> str:
    path = tmp_path / "conf.json"
    path.write_text(json.dumps(conf))
    return str(path)


def test_cli_store_and_restore_send_the_conf(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["StoreModel"] = fake.answers["RestoreModel"] = moved(("host", "10000"))
    for function, name in (("store", "store_model.json"), ("restore", "restore_model.json")):
        code, reply = run("-f", function, "-c", conf_file(tmp_path, ops_conf(name)))
        assert (code, reply["data"]["parties"]) == (0, {"host": ["10000"]})
    assert json.loads(fake.last("RestoreModel").store_address_json)["storage"] == "redis"


def test_cli_export_writes_the_archive_under_the_node_s_file_name(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["ExportModel"] = exported()
    conf = {"model_id": MODEL_ID, "model_version": VERSION}
    code, reply = run("-f", "export", "-c", conf_file(tmp_path, conf), "-r", "guest", "-p", "10000",
                      "-o", str(tmp_path / "out"))
    target = tmp_path / "out" / FILE_NAME
    assert (code, reply) == (0, {"retcode": 0, "file": str(target),
                                 "retmsg": f"download successfully, please check {target}"})
    assert target.read_bytes() == ARCHIVE and sorted(p.name for p in (tmp_path / "out").iterdir()) == [FILE_NAME]
    assert fake.last("ExportModel").role == "guest"
    fake.answers["ExportModel"] = exported(file_name="../escape.zip")
    code, reply = run("-f", "export", "-c", conf_file(tmp_path, conf), "-o", str(tmp_path / "out"))
    assert (code, reply["retmsg"]) == (1, "the server's export reply names no plain file name")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [FILE_NAME]
    code, reply = run("-f", "export", "-c", conf_file(tmp_path, conf))
    assert (code, reply["retmsg"]) == (1, "the following arguments are required: output_path")


def test_cli_import_sends_the_client_s_file(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    received: list[flow_pb2.ModelImportChunk] = []
    fake.answers["ImportModel"] = imported(received)
    archive = tmp_path / FILE_NAME
    archive.write_bytes(ARCHIVE)
    code, reply = run("-f", "import", "-c", conf_file(tmp_path, ops_conf("import_model.json", file=str(archive))))
    assert (code, reply["data"]["parties"]) == (0, {"guest": ["10000"]})
    assert received[0].settings.version.model_version == VERSION and received[0].settings.file == ""
    assert b"".join(chunk.data for chunk in received[1:]) == ARCHIVE
    code, reply = run("-f", "import", "-c", conf_file(tmp_path, ops_conf("import_model.json",
                                                                         file=str(tmp_path / "none.zip"))))
    assert (code, reply["retmsg"]) == (1, f"cannot read the model file {tmp_path / 'none.zip'}: "
                                          "No such file or directory")
    assert len(fake.requests("ImportModel")) == 1
