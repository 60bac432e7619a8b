"""/v1/data: upload, download (into a file on the node, or streamed to the caller) and upload history."""

from __future__ import annotations

import json
from itertools import chain
from typing import Any, Iterator
from urllib.parse import unquote

import grpc
from flask import Blueprint, Request, current_app, request

from flow_api.envelope import ApiError, reply
from flow_api.http_client import DOWNLOAD_HEADER
from flow_api.job_routes import HeadedPieces, archive_response, node
from flow_api.node_client import NodeClient, api_error
from flow_api.request_fields import checked_object, integer, json_body, json_object, text
from google.protobuf import json_format

from protos import flow_pb2

blueprint = Blueprint("data", __name__)

_CHUNK = 1 << 20


def _job_files(files: flow_pb2.JobFiles) -> dict[str, str]:
    return {"job_dsl_path": files.job_dsl_path, "job_runtime_conf_path": files.job_runtime_conf_path,
            "logs_directory": files.logs_directory}


def _settings(conf: dict[str, Any]) -> flow_pb2.UploadSettings:
    settings = flow_pb2.UploadSettings(
        namespace=text(conf, "namespace"), table_name=text(conf, "table_name"), file=text(conf, "file"),
        delimiter=text(conf, "delimiter"), notes=text(conf, "notes") or text(conf, "description"))
    for name in ("work_mode", "head", "partition", "drop", "backend"):
        value = integer(conf, name)
        if value is not None:
            setattr(settings, name, value)
    return settings


def _flow_drop(conf: dict[str, Any]) -> dict[str, Any]:
    """The conf with drop as this node reads it. `flow data upload` sends its flags with the conf (`verbose`, `drop`):
    drop 1 when --drop is given, else 2 (1.5.1 - 1.6) or 0 (1.7+, as FATE-Flow 1.7+ refuses an existing table at
    0); without the flag, both mean refuse (2). A conf without flow's flags keeps its drop (0 adds rows)."""
    if "verbose" in conf and conf.get("drop") in (0, "0"):
        conf["drop"] = 2
    return conf


def _multipart_conf(req: Request) -> dict[str, Any]:
    """The upload conf of a multipart request, as each `flow` client version sends it."""
    raw = unquote(req.query_string.decode("latin-1"))
    if raw.startswith("{"):  # fate-client 1.5.1+: the conf is one JSON object as the query string
        return _flow_drop(json_object(raw, "the upload conf in the query string"))
    conf: dict[str, Any] = req.args.to_dict()  # 1.4.x / 1.5.0: conf fields as query parameters
    conf.update(req.form.to_dict())  # 1.4.0: conf fields as form fields
    return checked_object(conf, "the upload conf")


def file_pieces(stream: Any) -> Iterator[bytes]:
    while piece := stream.read(_CHUNK):
        yield piece


@blueprint.post("/upload")
def upload() -> Any:
    client = current_app.config["NODE"]
    if request.mimetype == "multipart/form-data":
        uploaded = request.files.get("file")
        if uploaded is None:
            raise ApiError("a multipart upload must carry the file in a field named 'file'")
        settings = _settings(_multipart_conf(request))
        settings.file_name = uploaded.filename or "upload.csv"
        content = (flow_pb2.UploadChunk(data=piece) for piece in file_pieces(uploaded.stream))
        stream: Iterator[flow_pb2.UploadChunk] = chain([flow_pb2.UploadChunk(settings=settings)], content)
    else:
        stream = iter([flow_pb2.UploadChunk(settings=_settings(json_body(request)))])
    result = client.call(client.flow.Upload, stream)
    data = {"namespace": result.namespace, "table_name": result.table_name, "partition": result.partition,
            "count": result.count, "table_count": result.table_count, "duplicates": result.duplicates,
            **_job_files(result.files)}
    return reply(data, job_id=result.job_id)


def _download_request(body: dict[str, Any]) -> flow_pb2.DownloadRequest:
    message = flow_pb2.DownloadRequest(
        namespace=text(body, "namespace"), table_name=text(body, "table_name"),
        output_path=text(body, "output_path"),
        delimiter=text(body, "delimiter") or text(body, "delimitor"))
    work_mode = integer(body, "work_mode")
    if work_mode is not None:
        message.work_mode = work_mode
    return message


@blueprint.post("/download")
def download() -> Any:
    """The table into a file on the node (output_path: a server-side path, in the node's allowed dirs)."""
    client = current_app.config["NODE"]
    result = client.call(client.flow.Download, _download_request(json_body(request)))
    data = {"output_path": result.output_path, "count": result.count, **_job_files(result.files)}
    return reply(data, job_id=result.job_id)


@blueprint.post("/download/stream")
def download_stream() -> Any:
    """The table's download file sent to the caller (FATE's download conf without output_path): the file's text as
    the body, its job in the DOWNLOAD_HEADER header."""
    message = _download_request(json_body(request))
    pieces: list[HeadedPieces] = []

    def call(message: flow_pb2.DownloadRequest) -> HeadedPieces:
        pieces.append(HeadedPieces(node().flow.DownloadStream(message), "started", "the download's job"))
        return pieces[0]

    response = archive_response(call, message, lambda: f"{message.namespace}.{message.table_name}.csv")
    started = pieces[0].head  # archive_response has read the first piece
    response.mimetype = "text/csv"
    response.headers[DOWNLOAD_HEADER] = json.dumps({"job_id": started.job_id, "header_lines": started.header_lines,
                                                    **_job_files(started.files)})
    return response


def streamed_records(client: NodeClient, message: flow_pb2.UploadHistoryRequest) -> list[flow_pb2.UploadRecord]:
    records: list[flow_pb2.UploadRecord] = []
    try:
        for page in client.flow.UploadHistory(message):
            records.extend(page.records)
    except grpc.RpcError as exc:
        raise api_error(exc, client.target) from None
    return records


@blueprint.post("/upload/history")
def upload_history() -> Any:
    client = current_app.config["NODE"]
    body = json_body(request)
    message = flow_pb2.UploadHistoryRequest(job_id=text(body, "job_id"))
    limit = integer(body, "limit")
    if limit is not None:
        message.limit = limit
    data = []
    for record in streamed_records(client, message):
        schema = json_format.MessageToDict(record.schema)
        data.append({record.job_id: {
            "upload_info": {"table_name": record.table_name, "namespace": record.namespace,
                            "partition": record.partition, "upload_count": record.count,
                            "actual_count": record.table_count},
            "notes": record.notes, "schema": schema, "meta": schema}})
    return reply(data)
