"""/federation/v1: FATE-Serving's online inference over REST on the guest's node (the paths of FATE-Serving's proxy).

The body goes as it is to the node's InferenceService as the InferenceMessage's body, and the reply's body comes
back as the JSON reply (HTTP 200): `{"retcode", "retmsg", "caseid", "data": {"score", "label"}}`, a batch's cases
in its `batchDataList`. Whatever is wrong with a request, the node's guest says so in that reply.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, request

from flow_api.job_routes import node
from protos import inference_service_pb2 as inference_pb

blueprint = Blueprint("serving", __name__)

InferenceCall = Callable[..., inference_pb.InferenceMessage]


def _forwarded(method: InferenceCall) -> Response:
    reply = node().call(method, inference_pb.InferenceMessage(body=request.get_data()))
    return Response(reply.body, mimetype="application/json")


@blueprint.post("/inference")
def inference() -> Any:
    return _forwarded(node().inference.inference)


@blueprint.post("/batchInference")
def batch_inference() -> Any:
    return _forwarded(node().inference.batchInference)
