"""/federation/v1/inference and /federation/v1/batchInference against a fake node: the body reaches the node's
InferenceService as it was sent, and the node's reply body is the JSON reply."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest

from flow_api_fakes import FakeFlow, abort, returns
from protos import inference_service_pb2 as inference_pb

REPLY = {"retcode": 0, "retmsg": "success", "caseid": "c1", "data": {"score": 0.25, "label": 0}}


@pytest.mark.parametrize(("path", "method"), [("/federation/v1/inference", "inference"),
                                              ("/federation/v1/batchInference", "batchInference")])
def test_the_body_goes_to_the_node_as_sent_and_its_reply_comes_back(client: Any, fake: FakeFlow, path: str,
                                                                    method: str) -> None:
    fake.answers[method] = returns(inference_pb.InferenceMessage(body=json.dumps(REPLY).encode()))
    sent = b'{"serviceId": "svc", "featureData": {"x0": 1.5}, "sendToRemoteFeatureData": {"id": "7"}}'
    response = client.post(path, data=sent, content_type="application/json")
    assert (response.status_code, response.mimetype, response.get_json()) == (200, "application/json", REPLY)
    assert fake.last(method).body == sent


def test_a_body_that_is_no_json_is_the_node_s_to_judge(client: Any, fake: FakeFlow) -> None:
    refused = {"retcode": 100, "retmsg": "the request body is not JSON", "caseid": "", "data": {}}
    fake.answers["inference"] = returns(inference_pb.InferenceMessage(body=json.dumps(refused).encode()))
    response = client.post("/federation/v1/inference", data=b"not json")
    assert (response.status_code, response.get_json()) == (200, refused)
    assert fake.last("inference").body == b"not json"


def test_a_node_that_fails_the_call_is_one_sentence(client: Any, fake: FakeFlow) -> None:
    fake.answers["inference"] = abort(grpc.StatusCode.UNAVAILABLE, "connection refused")
    body = client.post("/federation/v1/inference", json={"serviceId": "svc"}).get_json()
    assert body["retcode"] == 100 and body["retmsg"].startswith("the node's gRPC service at ")
