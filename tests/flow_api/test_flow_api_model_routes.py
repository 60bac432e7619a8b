"""/v1/model (load, bind, transfer) and the CLI's load and bind against a fake node: the confs as FATE's examples
have them become typed requests, each party's outcome FATE's data, refusals one sentence."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import grpc
import pytest

from flow_api import cli
from flow_api_fakes import FakeFlow, HttpServer, abort, returns
from protos import flow_pb2
from seed_examples import example

MODEL_ID = "arbiter-10000#guest-10000#host-10000#model"
VERSION = "2019081217340125761469"
OK, NOT_FOUND, INVALID, ABORTED = (code.value[0] for code in (
    grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ABORTED))


def outcome(role: str, party_id: str, code: int, message: str) -> flow_pb2.PartyStepResult:
    return flow_pb2.PartyStepResult(role=role, party_id=party_id, status_code=code, message=message)


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, json=body).get_json()


def test_load_sends_the_conf_typed_and_gives_each_party_s_retcode(client: Any, fake: FakeFlow) -> None:
    fake.answers["LoadModel"] = returns(flow_pb2.ModelPublishReply(job_id="202601010000000000009", parties=[
        outcome("guest", "10000", OK, "success"), outcome("host", "10000", OK, "success")]))
    body = post(client, "/v1/model/load", example("publish_load_model.json"))
    assert body == {"retcode": 0, "retmsg": "success", "jobId": "202601010000000000009", "data": {
        "detail": {"guest": {"10000": {"retcode": 0, "retmsg": "success"}},
                   "host": {"10000": {"retcode": 0, "retmsg": "success"}}},
        "guest": {"10000": 0}, "host": {"10000": 0}}}
    sent = fake.last("LoadModel")
    assert (sent.model_id, sent.model_version, sent.work_mode) == (MODEL_ID, VERSION, 0)
    assert (sent.initiator.role, sent.initiator.party_id) == ("guest", "10000")
    assert sorted((p.role, p.party_id) for p in sent.parties) == [("arbiter", "10000"), ("guest", "10000"),
                                                                  ("host", "10000")]


def test_a_party_s_refusal_is_the_reply_s_message(client: Any, fake: FakeFlow) -> None:
    fake.answers["LoadModel"] = returns(flow_pb2.ModelPublishReply(job_id="j", parties=[
        outcome("guest", "10000", ABORTED, "not done: host 10000 refused"),
        outcome("host", "10000", NOT_FOUND, f"no model version {VERSION} of model {MODEL_ID} on host 10000")]))
    body = post(client, "/v1/model/load", example("publish_load_model.json"))
    assert body["retcode"] == 101
    assert body["retmsg"] == f"no model version {VERSION} of model {MODEL_ID} on host 10000"
    assert body["data"]["guest"] == {"10000": 100} and body["data"]["host"] == {"10000": 101}
    assert body["data"]["detail"]["guest"]["10000"]["retmsg"] == "not done: host 10000 refused"


def test_bind_needs_a_service_id_and_answers_with_it(client: Any, fake: FakeFlow) -> None:
    conf = example("bind_model_service.json")
    assert post(client, "/v1/model/bind", conf) == {
        "retcode": 100, "retmsg": "the following arguments are required: service_id"}  # FATE's example has ""
    assert fake.requests("BindModel") == []
    fake.answers["BindModel"] = returns(flow_pb2.ModelPublishReply(parties=[
        outcome("guest", "10000", OK, "service id is s1"), outcome("host", "10000", OK, "service id is s1")]))
    body = post(client, "/v1/model/bind", {**conf, "service_id": "s1"})
    assert body["retcode"] == 0 and body["retmsg"] == "service id is s1" and "jobId" not in body
    assert fake.last("BindModel").service_id == "s1"
    fake.answers["BindModel"] = returns(flow_pb2.ModelPublishReply(parties=[
        outcome("guest", "10000", INVALID, f"model version {VERSION} is not loaded on guest 10000; run load first"),
        outcome("host", "10000", ABORTED, "not done: guest 10000 refused")]))
    body = post(client, "/v1/model/bind", {**conf, "service_id": "s1"})
    assert (body["retcode"], body["retmsg"]) == (101, f"model version {VERSION} is not loaded on guest 10000; "
                                                      "run load first")
    assert body["data"]["guest"] == {"10000": 100}


@pytest.mark.parametrize("change, retmsg", [
    ({"initiator": None}, "the following arguments are required: initiator"),
    ({"initiator": "guest"}, "initiator must be a JSON object"),
    ({"initiator": {"role": "guest"}}, "the following arguments are required: initiator.party_id"),
    ({"job_parameters": {"work_mode": 0}},
     "the following arguments are required: job_parameters.model_id, job_parameters.model_version"),
    ({"job_parameters": {"model_id": MODEL_ID, "model_version": VERSION, "work_mode": "zero"}},
     "work_mode must be an integer"),
    ({"role": {"guest": 10000}}, "role.guest must be a list of party ids"),
    ({"role": {"guest": [{"id": 1}]}}, "role.guest must be a list of party ids"),
    ({"role": []}, "role must be a JSON object"),
])
def test_a_malformed_conf_is_refused_before_the_node_is_asked(client: Any, fake: FakeFlow, change: dict[str, Any],
                                                              retmsg: str) -> None:
    conf = {**example("publish_load_model.json"), **change}
    assert post(client, "/v1/model/load", conf) == {"retcode": 100, "retmsg": retmsg}
    assert post(client, "/v1/model/bind", {**conf, "service_id": "s"}) == {"retcode": 100, "retmsg": retmsg}
    assert fake.calls == []


def test_the_node_s_refusal_of_the_whole_conf_is_one_sentence(client: Any, fake: FakeFlow) -> None:
    fake.answers["LoadModel"] = abort(grpc.StatusCode.INVALID_ARGUMENT,
                                      "this node does not serve the initiator guest 9999")
    assert post(client, "/v1/model/load", example("publish_load_model.json")) == {
        "retcode": 100, "retmsg": "this node does not serve the initiator guest 9999"}


def test_transfer_gives_each_buffer_in_base64(client: Any, fake: FakeFlow) -> None:
    fake.answers["TransferModel"] = returns(flow_pb2.ModelTransferReply(buffers=[
        flow_pb2.TransferredBuffer(key="pipeline.pipeline:Pipeline", data=b"\x0a\x02{}"),
        flow_pb2.TransferredBuffer(key="hetero_lr_0.model:LRModelParam", data=b"")]))
    body = post(client, "/v1/model/transfer", {"name": VERSION, "namespace": MODEL_ID})
    assert body == {"retcode": 0, "retmsg": "success", "data": {
        "pipeline.pipeline:Pipeline": base64.b64encode(b"\x0a\x02{}").decode(), "hetero_lr_0.model:LRModelParam": ""}}
    sent = fake.last("TransferModel")
    assert (sent.model_id, sent.model_version) == (MODEL_ID, VERSION)
    assert post(client, "/v1/model/transfer", {"name": VERSION}) == {
        "retcode": 100, "retmsg": "the following arguments are required: namespace"}
    fake.answers["TransferModel"] = abort(grpc.StatusCode.NOT_FOUND, "no model version 1 of model m on this node")
    assert post(client, "/v1/model/transfer", {"name": VERSION, "namespace": MODEL_ID}) == {
        "retcode": 101, "retmsg": "no model version 1 of model m on this node"}


def test_the_cli_posts_the_conf_file_as_it_is(http_server: HttpServer, fake: FakeFlow, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    conf = {**example("bind_model_service.json"), "service_id": "s1"}
    path = tmp_path / "bind.json"
    path.write_text(json.dumps(conf))
    fake.answers["BindModel"] = returns(flow_pb2.ModelPublishReply(parties=[
        outcome("guest", "10000", OK, "service id is s1")]))
    fake.answers["LoadModel"] = returns(flow_pb2.ModelPublishReply(job_id="j", parties=[
        outcome("guest", "10000", OK, "success")]))
    for function, method in (("bind", "BindModel"), ("load", "LoadModel")):
        assert cli.main(["-f", function, "-c", str(path), "--server", http_server.url]) == 0
        assert json.loads(capsys.readouterr().out)["retcode"] == 0
        assert fake.last(method).service_id == "s1"
    assert cli.main(["-f", "load", "--server", http_server.url]) == 1
    assert json.loads(capsys.readouterr().out)["retmsg"] == "the following arguments are required: config (-c)"
