"""/v1/job/dsl/generate against a fake node: the request message, the predict DSL as data or as a file, refusals."""

from __future__ import annotations

import json
from typing import Any

import grpc

from flow_api_fakes import FakeFlow, abort, returns
from protos import flow_pb2

TRAIN_DSL = {"components": {"dataio_0": {"module": "DataIO", "input": {"data": {"data": ["args.train_data"]}},
                                         "output": {"data": ["train"], "model": ["dataio"]}}}}
PREDICT_DSL = {"components": {"dataio_0": {"module": "DataIO", "input": {"model": ["pipeline.dataio_0.dataio"],
                                                                         "data": {"data": ["args.train_data"]}},
                                           "output": {"data": ["train"]}}}}
PATH = "/v1/job/dsl/generate"


def generated(fake: FakeFlow) -> None:
    fake.answers["GeneratePredictDsl"] = returns(flow_pb2.PredictDslReply(dsl_json=json.dumps(PREDICT_DSL)))


def test_the_clients_request_gives_the_predict_dsl_as_data(client: Any, fake: FakeFlow) -> None:
    generated(fake)
    text = json.dumps(TRAIN_DSL, indent=4)
    body = client.post(PATH, json={"cpn_str": "dataio_0, hetero_lr_0", "train_dsl": text, "version": "2"}).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": PREDICT_DSL}
    sent = fake.last("GeneratePredictDsl")
    assert sent.WhichOneof("deploy") == "components_text" and sent.components_text == "dataio_0, hetero_lr_0"
    assert sent.train_dsl_json == text and sent.dsl_version == "2"


def test_a_list_an_object_and_a_numeric_version_are_passed_on(client: Any, fake: FakeFlow) -> None:
    generated(fake)
    body = {"cpn_str": ["dataio_0", "hetero_lr_0"], "train_dsl": TRAIN_DSL, "version": 1}
    assert client.post(PATH, json=body).get_json()["data"] == PREDICT_DSL
    sent = fake.last("GeneratePredictDsl")
    assert list(sent.components.names) == ["dataio_0", "hetero_lr_0"]
    assert json.loads(sent.train_dsl_json) == TRAIN_DSL and sent.dsl_version == "1"
    client.post(PATH, json={"train_dsl": TRAIN_DSL})
    assert fake.last("GeneratePredictDsl").WhichOneof("deploy") is None  # the node says the list is empty


def test_a_train_dsl_longer_than_other_fields_is_taken(client: Any, fake: FakeFlow) -> None:
    generated(fake)
    large = {"components": {f"dataio_{i}": TRAIN_DSL["components"]["dataio_0"] for i in range(100)}}
    text = json.dumps(large, indent=4)
    assert len(text) > 10_000
    assert client.post(PATH, json={"cpn_str": "dataio_0", "train_dsl": text}).get_json()["retcode"] == 0
    assert fake.last("GeneratePredictDsl").train_dsl_json == text


def test_with_filename_the_predict_dsl_is_that_file(client: Any, fake: FakeFlow) -> None:
    generated(fake)
    body = {"cpn_str": "dataio_0", "train_dsl": json.dumps(TRAIN_DSL), "filename": "predict_dsl_20240101.json"}
    response = client.post(PATH, json=body)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=predict_dsl_20240101.json"
    assert response.get_data(as_text=True) == json.dumps(PREDICT_DSL, indent=4)


def test_the_nodes_refusal_is_one_sentence_and_not_a_file(client: Any, fake: FakeFlow) -> None:
    message = "cpn_str names components the train DSL does not have: 'hetero_lr_9'"
    fake.answers["GeneratePredictDsl"] = abort(grpc.StatusCode.INVALID_ARGUMENT, message)
    body = {"cpn_str": "hetero_lr_9", "train_dsl": json.dumps(TRAIN_DSL)}
    response = client.post(PATH, json=body)
    assert response.status_code == 200 and response.get_json() == {"retcode": 100, "retmsg": message}
    response = client.post(PATH, json={**body, "filename": "predict_dsl_1.json"})
    assert response.status_code == 500 and response.get_json() == {"retcode": 100, "retmsg": message}
    assert "Content-Disposition" not in response.headers


def test_bad_fields_are_named_before_the_node_is_asked(client: Any, fake: FakeFlow) -> None:
    for body, status, retmsg in [
        ({"cpn_str": "dataio_0"}, 200, "the following arguments are required: train_dsl"),
        ({"cpn_str": {"dataio_0": 1}, "train_dsl": TRAIN_DSL}, 200,
         "cpn_str must be the components' names: a string or a list of strings"),
        ({"cpn_str": ["dataio_0", 1], "train_dsl": TRAIN_DSL}, 200,
         "cpn_str must be the components' names: a string or a list of strings"),
        ({"cpn_str": "dataio_0", "train_dsl": TRAIN_DSL, "filename": "../predict.json"}, 500,
         "filename must be a plain file name (no path, no control characters)"),
        ({"cpn_str": "dataio_0", "train_dsl": TRAIN_DSL, "filename": "a\r\nSet-Cookie: x.json"}, 500,
         "filename must be a plain file name (no path, no control characters)"),
    ]:
        response = client.post(PATH, json=body)
        assert (response.status_code, response.get_json()) == (status, {"retcode": 100, "retmsg": retmsg}), body
    assert not fake.requests("GeneratePredictDsl")
