"""/v1/model: load and bind a model version on the parties of a conf, transfer a version's buffers, store and
restore versions through a model repository, export and import them as archive files.

A load or bind conf is FATE's (publish_load_model.json, bind_model_service.json): `initiator`, `role`,
`job_parameters` (`model_id`, `model_version`, `work_mode`) and, to bind, `service_id`; `servings` (FATE-Serving's
addresses) has no use here, as each node serves its own parties' models. A bind conf may also name, in
`role_parameters.host.feature_table`, the table each host finds its features in when serving: a list in the order
of `role.host`, each item `{"table_name", "namespace"}` or null (FATE's confs have no such field: FATE-Serving's
hosts read features through an adapter of their own; a host not named serves from the table it trained on).

Store, restore, export and import take `model_id` (or FATE 1.4's party model id) and `model_version`, with `role`
and `party_id` as FATE 1.6+ sends them; store and restore also `store_address` (store_model.json's), import and
restore `force_update`. Export streams the archive to the caller (a GET with a JSON body, as FATE's clients send
it); import takes it as a multipart file (FATE's clients), or as `file`, a path on the node inside its allowed
directories.
"""

from __future__ import annotations

import json
from itertools import chain
from typing import Any, Iterator

from flask import Blueprint, jsonify, request

from flow_api import fate_shapes
from flow_api.data_routes import file_pieces
from flow_api.envelope import ApiError, envelope, reply
from flow_api.job_routes import HeadedPieces, archive_response, node, request_body, required
from flow_api.request_fields import boolean, checked_object, checked_text, integer, text
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


FEATURE_TABLES = "role_parameters.host.feature_table"


def _feature_tables(body: dict[str, Any], hosts: list[str]) -> list[flow_pb2.HostFeatureTable]:
    """The bind conf's FEATURE_TABLES by host party id (`hosts`: role.host, in its order)."""
    parameters = body.get("role_parameters", {})
    host = parameters.get("host", {}) if isinstance(parameters, dict) else None
    if not isinstance(host, dict):
        raise ApiError("role_parameters must be a JSON object whose host is a JSON object")
    given = host.get("feature_table")
    if given is None:
        return []
    if not isinstance(given, list) or len(given) > len(hosts):
        raise ApiError(f"{FEATURE_TABLES} must be a list of at most one table per host of role.host")
    tables = []
    for position, (host, table) in enumerate(zip(hosts, given)):
        field = f"{FEATURE_TABLES}[{position}]"
        if table is None:
            continue
        if not isinstance(table, dict) or not all(isinstance(table.get(key), str) and table[key]
                                                  for key in ("table_name", "namespace")):
            raise ApiError(f"{field} must be an object with a table_name and a namespace")
        tables.append(flow_pb2.HostFeatureTable(party_id=host, namespace=checked_text(field, table["namespace"]),
                                                table_name=checked_text(field, table["table_name"])))
    return tables


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
    message = publish_request(body)
    message.feature_tables.extend(_feature_tables(body, [p.party_id for p in message.parties if p.role == "host"]))
    client = node()
    return _published(client.call(client.flow.BindModel, message))


@blueprint.post("/transfer")
def transfer() -> Any:
    body = request_body()
    required(body, "name", "namespace")
    client = node()
    result = client.call(client.flow.TransferModel, flow_pb2.ModelTransferRequest(
        model_id=text(body, "namespace"), model_version=text(body, "name")))
    return reply(fate_shapes.model_buffers(result))


def _version(body: dict[str, Any]) -> flow_pb2.ModelVersionRef:
    required(body, "model_id", "model_version")
    return flow_pb2.ModelVersionRef(model_id=text(body, "model_id"), model_version=text(body, "model_version"),
                                    role=text(body, "role"), party_id=text(body, "party_id"))


def _repository_request(body: dict[str, Any]) -> flow_pb2.ModelRepositoryRequest:
    address = body.get("store_address")
    if address is not None and not isinstance(address, dict):
        raise ApiError("store_address must be a JSON object")
    return flow_pb2.ModelRepositoryRequest(version=_version(body), force_update=boolean(body, "force_update"),
                                           store_address_json=json.dumps(address) if address else "")


def _moved(result: flow_pb2.ModelPartiesReply) -> Any:
    parties: dict[str, list[str]] = {}
    for party in result.parties:
        parties.setdefault(party.role, []).append(party.party_id)
    data = {"model_id": result.model_id, "model_version": result.model_version, "parties": parties}
    if result.repository:
        data["repository"] = result.repository
    return reply(data)


@blueprint.post("/store")
def store() -> Any:
    client = node()
    return _moved(client.call(client.flow.StoreModel, _repository_request(request_body())))


@blueprint.post("/restore")
def restore() -> Any:
    client = node()
    return _moved(client.call(client.flow.RestoreModel, _repository_request(request_body())))


@blueprint.route("/export", methods=["GET", "POST"])
def export() -> Any:
    """The party's archive file as an attachment under FATE's file name."""
    version = _version(request_body())
    pieces: list[HeadedPieces] = []

    def call(message: flow_pb2.ModelVersionRef) -> HeadedPieces:
        pieces.append(HeadedPieces(node().flow.ExportModel(message), "file_name", "the archive's file name"))
        return pieces[0]

    response = archive_response(call, version, lambda: str(pieces[0].head))
    response.mimetype = "application/zip"
    return response


def _import_chunks() -> Iterator[flow_pb2.ModelImportChunk]:
    """The import as the node's stream: the settings, then the multipart file's bytes (if the client sends them)."""
    if request.mimetype != "multipart/form-data":
        body = request_body()
        required(body, "file")
        return iter([flow_pb2.ModelImportChunk(settings=flow_pb2.ModelImportSettings(
            version=_version(body), force_update=boolean(body, "force_update"), file=text(body, "file")))])
    uploaded = request.files.get("file")
    if uploaded is None:
        raise ApiError("a multipart import must carry the archive in a field named 'file'")
    fields = checked_object({**request.args.to_dict(), **request.form.to_dict()}, "the import conf")
    settings = flow_pb2.ModelImportSettings(version=_version(fields), force_update=boolean(fields, "force_update"))
    content = (flow_pb2.ModelImportChunk(data=piece) for piece in file_pieces(uploaded.stream))
    return chain([flow_pb2.ModelImportChunk(settings=settings)], content)


@blueprint.post("/import")
def import_model() -> Any:
    client = node()
    return _moved(client.call(client.flow.ImportModel, _import_chunks()))
