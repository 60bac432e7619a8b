"""/v1/table: table information and deletion."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from google.protobuf import json_format

from flow_api.envelope import NOT_FOUND, ApiError, reply
from flow_api.request_fields import boolean, integer, json_body, text
from protos import flow_pb2

blueprint = Blueprint("table", __name__)


@blueprint.post("/table_info")
def table_info() -> Any:
    client = current_app.config["NODE"]
    body = json_body(request)
    message = flow_pb2.TableInfoRequest(namespace=text(body, "namespace"), table_name=text(body, "table_name"),
                                        create=boolean(body, "create"))
    partition = integer(body, "partition")
    if partition is not None:
        message.partition = partition
    try:
        info = client.call(client.flow.TableInfo, message)
    except ApiError as error:
        if error.retcode != NOT_FOUND:
            raise
        # FATE-Flow answers a table that does not exist with its name, no rows and no partitions
        return reply({"table_name": message.table_name, "namespace": message.namespace, "count": 0,
                      "partition": None})
    data = {"namespace": info.namespace, "table_name": info.table_name, "partition": info.partition,
            "count": info.count, "schema": json_format.MessageToDict(info.schema)}
    return reply(data, retmsg="table created" if info.created else "success")


@blueprint.post("/delete")
def table_delete() -> Any:
    client = current_app.config["NODE"]
    body = json_body(request)
    message = flow_pb2.TableDeleteRequest(
        namespace=text(body, "namespace"), table_name=text(body, "table_name"), job_id=text(body, "job_id"),
        component_name=text(body, "component_name"), role=text(body, "role"), party_id=text(body, "party_id"))
    result = client.call(client.flow.TableDelete, message)
    return reply([{"table_name": t.table_name, "namespace": t.namespace} for t in result.deleted])
