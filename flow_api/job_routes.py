"""/v1/job: submit, stop, query, update, config, tasks, clean, data views, the job log and predict DSL generation.

Handlers only translate: they check the JSON shape, build the request message, call the node
and render FATE's envelope. The helpers at the top are shared with tracking_routes and
pipeline_routes (the archive streaming too: job logs and component output data).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import quote

import grpc
from flask import Blueprint, Response, current_app, request, stream_with_context

from flow_api import fate_shapes
from flow_api.envelope import NOT_FOUND, ApiError, reply
from flow_api.node_client import NodeClient, api_error
from flow_api.request_fields import checked_object, checked_text, integer, json_body, text
from protos import flow_pb2

log = logging.getLogger("fate_flow.rest")

blueprint = Blueprint("job", __name__)

T = TypeVar("T")

# Keys FATE's clients add to a query that are no filters: the function's name, a row limit, the conf file's path
# (-c) and `local`, FATE's client's copy of -r/-p.
_NOT_FILTERS = frozenset({"function", "limit", "config", "local"})
# An attachment's name as a client may give it (`flow job dsl -o`: predict_dsl_<time>.json): no path, no control
# characters.
_FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]{1,255}")


# ---- shared helpers ---------------------------------------------------------------------


def node() -> NodeClient:
    return current_app.config["NODE"]


def request_body() -> dict[str, Any]:
    """The JSON body; a GET may also carry the fields in its query string (the body wins)."""
    body = json_body(request)
    if request.method == "GET":
        for name, value in request.args.items():
            body.setdefault(name, value)
        checked_object(body)
    return body


def required(body: dict[str, Any], *names: str) -> None:
    """Refuse the request (retcode 100) when any of `names` is absent or empty."""
    missing = [name for name in names
               if body.get(name) is None or (isinstance(body[name], str) and not body[name].strip())]
    if missing:
        raise ApiError("the following arguments are required: " + ", ".join(missing))


def job_ref(body: dict[str, Any], *needed: str) -> flow_pb2.JobRef:
    required(body, *needed)
    return flow_pb2.JobRef(job_id=text(body, "job_id"), role=text(body, "role"), party_id=text(body, "party_id"))


def component_ref(body: dict[str, Any], *needed: str) -> flow_pb2.ComponentRef:
    required(body, *needed)
    return flow_pb2.ComponentRef(job_id=text(body, "job_id"), component_name=text(body, "component_name"),
                                 role=text(body, "role"), party_id=text(body, "party_id"))


def streamed(method: Callable[..., Iterator[T]], message: Any) -> list[T]:
    """Every message of a server stream from the node."""
    client = node()
    try:
        return list(method(message))
    except grpc.RpcError as exc:
        raise api_error(exc, client.target) from None


def filters(body: dict[str, Any]) -> dict[str, str]:
    """Query filters as text: every field but the clients' bookkeeping (the node refuses a field that is no
    column); a JSON object or list (a JSON column's value) as JSON text."""
    found: dict[str, str] = {}
    for name, value in body.items():
        if name in _NOT_FILTERS or value is None or value == "":
            continue
        if isinstance(value, (dict, list)):
            found[name] = checked_text(name, json.dumps(value))
        else:
            found[name] = str(int(value)) if isinstance(value, bool) else str(value)
    return found


def job_query(body: dict[str, Any]) -> flow_pb2.JobQuery:
    message = flow_pb2.JobQuery(filters=filters(body))
    limit = integer(body, "limit")
    if limit is not None and limit > 0:
        message.limit = limit
    return message


def download_error(error: ApiError) -> ApiError:
    """Errors of the archive endpoints get a non-200 status: FATE's clients print the body only then."""
    return ApiError(error.retmsg, error.retcode, error.job_id, http_status=404 if error.retcode == NOT_FOUND else 500)


class HeadedPieces:
    """A server stream whose first message carries a head (in its oneof field `head_field`) and the others `data`,
    as the file chunks archive_response streams; the head is kept aside in `head` once the first chunk is read."""

    def __init__(self, call: Any, head_field: str, what: str) -> None:
        self._call = call
        self._head_field = head_field
        self._what = what  # the head, as a refusal names it
        self.head: Any = None

    def __iter__(self) -> Iterator[flow_pb2.FileChunk]:
        return self

    def __next__(self) -> flow_pb2.FileChunk:
        piece = next(self._call)
        if self.head is None:
            if piece.WhichOneof("part") != self._head_field:
                raise ApiError(f"the node's stream did not start with {self._what}")
            self.head = getattr(piece, self._head_field)
            piece = next(self._call)
        return flow_pb2.FileChunk(data=piece.data)

    def cancel(self) -> None:
        self._call.cancel()


def archive_response(method: Callable[..., Iterator[flow_pb2.FileChunk]], message: Any,
                     filename: Callable[[], str]) -> Response:
    """Stream a server-streamed tar.gz from the node as an attachment.

    The first chunk is awaited before answering, so a refused request still gets a JSON
    envelope. A failure later cuts the connection (no final chunk), so the client sees a
    truncated download instead of a complete-looking one.
    """
    client = node()
    try:
        chunks: Any = client.call(method, message)  # a server stream: an iterator that can also be cancelled
        first = next(chunks, None)
    except grpc.RpcError as exc:
        raise download_error(api_error(exc, client.target)) from None
    except ApiError as error:
        raise download_error(error) from None

    def pieces() -> Iterator[bytes]:
        try:
            if first is not None:
                yield first.data
            for chunk in chunks:
                yield chunk.data
        except grpc.RpcError as exc:
            log.warning("%s: the node's stream failed after the reply started: %s %s",
                        request.path, exc.code(), exc.details())
            raise ConnectionAbortedError("the node's stream failed; the download is cut off") from None
        finally:
            chunks.cancel()

    response = Response(stream_with_context(pieces()), mimetype="application/gzip", direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", filename=filename())
    response.call_on_close(chunks.cancel)  # also when the body is never read
    return response


# ---- /v1/job --------------------------------------------------------------------------------


@blueprint.post("/submit")
def submit() -> Any:
    body = request_body()
    required(body, "job_runtime_conf")
    conf, dsl = body["job_runtime_conf"], body.get("job_dsl")
    if dsl is None:
        dsl = {}  # as FATE: a predict job's DSL comes from its model
    for name, value in (("job_runtime_conf", conf), ("job_dsl", dsl)):
        if not isinstance(value, dict):
            raise ApiError(f"{name} must be a JSON object")
    client = node()
    result = client.call(client.flow.SubmitJob,
                         flow_pb2.SubmitJobRequest(dsl_json=json.dumps(dsl), conf_json=json.dumps(conf)))
    initiator = conf["initiator"]  # (the node took the conf: its initiator is a role and a party id)
    data = {"job_dsl_path": result.files.job_dsl_path, "job_runtime_conf_path": result.files.job_runtime_conf_path,
            "logs_directory": result.files.logs_directory,
            "model_info": {"model_id": result.model_id, "model_version": result.model_version},
            "board_url": f"{request.host_url}board/jobs/{quote(result.job_id)}/{quote(str(initiator['role']))}/"
                         f"{quote(str(initiator['party_id']))}"}
    return reply(data, job_id=result.job_id)


@blueprint.post("/stop")
def stop() -> Any:
    body = request_body()
    message = job_ref(body, "job_id")
    client = node()
    result = client.call(client.flow.StopJob, message)
    cancelled = result.status.lower() in ("canceled", "cancelled")
    return reply(job_id=message.job_id, retmsg="cancel job success" if cancelled else "kill job success")


@blueprint.route("/query", methods=["GET", "POST"])
def query() -> Any:
    rows = [fate_shapes.job(row) for row in streamed(node().flow.QueryJob, job_query(request_body()))]
    if not rows:
        raise ApiError("find job failed", NOT_FOUND)
    return reply(rows)


@blueprint.post("/update")
def update() -> Any:
    body = request_body()
    required(body, "job_id", "role", "party_id")
    client = node()
    client.call(client.flow.UpdateJob, flow_pb2.UpdateJobRequest(
        job_id=text(body, "job_id"), role=text(body, "role"), party_id=text(body, "party_id"),
        notes=text(body, "notes")))
    return reply()


@blueprint.post("/config")
def config() -> Any:
    client = node()
    message = job_ref(request_body(), "job_id")
    return reply(fate_shapes.job_config(message.job_id, client.call(client.flow.JobConfig, message)))


@blueprint.post("/task/query")
def task_query() -> Any:
    rows = [fate_shapes.task(row) for row in streamed(node().flow.QueryTask, job_query(request_body()))]
    if not rows:
        raise ApiError("find task failed", NOT_FOUND)
    return reply(rows)


@blueprint.post("/clean")
def clean() -> Any:
    client = node()
    result = client.call(client.flow.CleanJob, component_ref(request_body(), "job_id"))
    return reply([{"table_name": t.table_name, "namespace": t.namespace} for t in result.deleted])


@blueprint.post("/data/view/query")
def data_view_query() -> Any:
    query = flow_pb2.JobQuery(filters=filters(request_body()))
    rows = [fate_shapes.data_view_row(row) for row in streamed(node().flow.QueryDataView, query)]
    if not rows:
        raise ApiError("find data view failed", NOT_FOUND)
    return reply(rows)


@blueprint.route("/log", methods=["GET", "POST"])
def job_log() -> Any:
    try:
        message = job_ref(request_body(), "job_id")
    except ApiError as error:
        raise download_error(error) from None
    return archive_response(node().flow.JobLog, message, lambda: f"job_{message.job_id}_log.tar.gz")


def _predict_dsl_request(body: dict[str, Any]) -> flow_pb2.PredictDslRequest:
    required(body, "train_dsl")
    train_dsl, deploy = body["train_dsl"], body.get("cpn_str")
    message = flow_pb2.PredictDslRequest(
        train_dsl_json=train_dsl if isinstance(train_dsl, str) else json.dumps(train_dsl),
        dsl_version=text(body, "version"))
    if isinstance(deploy, str):
        message.components_text = deploy
    elif isinstance(deploy, list) and all(isinstance(name, str) for name in deploy):
        message.components.names.extend(deploy)
    elif deploy is not None:
        raise ApiError("cpn_str must be the components' names: a string or a list of strings")
    return message


@blueprint.post("/dsl/generate")
def dsl_generate() -> Any:
    """FATE's predict DSL generation: as JSON data, or with `filename` as that file (a refusal then gets a non-200
    status, so that `flow job dsl -o` prints it instead of saving it)."""
    body = request_body()
    filename = text(body, "filename")
    try:
        if filename and not _FILE_NAME.fullmatch(filename):
            raise ApiError("filename must be a plain file name (no path, no control characters)")
        client = node()
        generated = client.call(client.flow.GeneratePredictDsl, _predict_dsl_request(body))
    except ApiError as error:
        raise download_error(error) if filename else error from None
    predict_dsl = json.loads(generated.dsl_json)
    if not filename:
        return reply(predict_dsl)
    response = Response(json.dumps(predict_dsl, indent=4), mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
