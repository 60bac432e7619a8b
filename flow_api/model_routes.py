"""/v1/model: load and bind a model version on the parties of a conf, and transfer a version's buffers.

A load or bind conf is FATE's (publish_load_model.json, bind_model_service.json): `initiator`, `role`,
`job_parameters` (`model_id`, `model_version`, `work_mode`) and, to bind, `service_id`; `servings` (FATE-Serving's
addresses) has no use here, as each node serves its own parties' models.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from flow_api import fate_shapes
from flow_api.envelope import ApiError, envelope, reply
from flow_api.job_routes import node, request_body, required
from flow_api.request_fields import checked_text, integer, text
from protos import flow_pb2

blueprint = Blueprint("model", __name__)


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise ApiError(f"{name} must be a JSON object")
    return value


def _parties(roles: dict[str, Any]) -> list[flow_pb2.PartyRef]:
    parties = []
    for role, party_ids in roles.items():
        if not isinstance(party_ids, list) or not all(
                isinstance(p, (int, str)) and not isinstance(p, bool) for p in party_ids):
            raise ApiError(f"role.{role} must be a list of party ids")
        parties += [flow_pb2.PartyRef(role=role, party_id=checked_text(f"role.{role}", str(p))) for p in party_ids]
    return parties


def publish_request(body: dict[str, Any]) -> flow_pb2.ModelPublishRequest:
    """The load or bind conf as the node's request."""
    required(body, "initiator", "role", "job_parameters")
    initiator, parameters = _object(body, "initiator"), _object(body, "job_parameters")
    missing = [f"initiator.{name}" for name in ("role", "party_id") if initiator.get(name) in (None, "")] + \
        [f"job_parameters.{name}" for name in ("model_id", "model_version") if parameters.get(name) in (None, "")]
    if missing:
        raise ApiError("the following arguments are required: " + ", ".join(missing))
    message = flow_pb2.ModelPublishRequest(
        model_id=text(parameters, "model_id"), model_version=text(parameters, "model_version"),
        initiator=flow_pb2.PartyRef(role=text(initiator, "role"), party_id=text(initiator, "party_id")),
        parties=_parties(_object(body, "role")), service_id=text(body, "service_id"))
    work_mode = integer(parameters, "work_mode")
    if work_mode is not None:
        message.work_mode = work_mode
    return message


def _published(reply_message: flow_pb2.ModelPublishReply) -> Any:
    retcode, retmsg, data = fate_shapes.model_publish(reply_message)
    return jsonify(envelope(retcode, retmsg, data, reply_message.job_id))


@blueprint.post("/load")
def load() -> Any:
    client = node()
    return _published(client.call(client.flow.LoadModel, publish_request(request_body())))


@blueprint.post("/bind")
def bind() -> Any:
    body = request_body()
    required(body, "service_id")
    client = node()
    return _published(client.call(client.flow.BindModel, publish_request(body)))


@blueprint.post("/transfer")
def transfer() -> Any:
    body = request_body()
    required(body, "name", "namespace")
    client = node()
    result = client.call(client.flow.TransferModel, flow_pb2.ModelTransferRequest(
        model_id=text(body, "namespace"), model_version=text(body, "name")))
    return reply(fate_shapes.model_buffers(result))
