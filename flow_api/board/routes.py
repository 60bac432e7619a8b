"""The board's routes under /board: the single-page app, its JSON API, the event stream and stop.

Handlers only translate: they check the identifiers in the path and query, call the node's Flow service and
shape its replies (shapes.py). Who may use the board is access.py's rule, applied before any handler.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory
from werkzeug.wrappers import Response as BaseResponse

from flow_api.board import checks, shapes
from flow_api.board.access import BoardAccess, BoardRefused, check_same_origin, refusal_page, refusal_reply
from flow_api.board.calls import call, every, found_or_none, node
from flow_api.board.events import StreamSlots, event_stream
from flow_api.envelope import ApiError
from protos import flow_pb2

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
OUTPUT_ROWS = 100
_API_PREFIXES = ("/board/api/", "/board/events")
# The app's assets come from this server only; nothing is framed (the stop button) or fetched from elsewhere.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}

blueprint = Blueprint("board", __name__)


def access() -> BoardAccess:
    return current_app.config["BOARD_ACCESS"]


def slots() -> StreamSlots:
    return current_app.config["BOARD_STREAMS"]


@blueprint.before_request
def check_access() -> BaseResponse | None:
    if request.path.startswith("/board/static/"):
        return None  # the app's own files, the same in every installation
    try:
        return access().check(request)
    except BoardRefused as refusal:
        if request.path.startswith(_API_PREFIXES):
            raise refusal_reply(str(refusal), refusal.status) from None
        return refusal_page(str(refusal), refusal.status)


@blueprint.after_request
def security_headers(response: Response) -> Response:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# ---- the app --------------------------------------------------------------------------------


def _index() -> Response:
    response = send_from_directory(STATIC_DIR, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/")
def index() -> Response:
    return _index()


@blueprint.get("/jobs/<job_id>")
def job_index(job_id: str) -> Response:
    checks.job_id(job_id)
    return _index()


@blueprint.get("/jobs/<job_id>/<role>/<party_id>")
def party_index(job_id: str, role: str, party_id: str) -> Response:
    _job_ref(job_id, role, party_id)
    return _index()


@blueprint.get("/jobs/<job_id>/<role>/<party_id>/components/<component>")
def component_index(job_id: str, role: str, party_id: str, component: str) -> Response:
    _component_ref(job_id, role, party_id, component)
    return _index()


@blueprint.get("/static/<path:filename>")
def static_file(filename: str) -> Response:
    """An asset of the app, revalidated by its ETag on each load (the files change with the package)."""
    response = send_from_directory(STATIC_DIR, filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


# ---- the API ----------------------------------------------------------------------------------


def _job_ref(job_id: str, role: str, party_id: str) -> flow_pb2.JobRef:
    return flow_pb2.JobRef(job_id=checks.job_id(job_id), role=checks.role(role), party_id=checks.party_id(party_id))


def _component_ref(job_id: str, role: str, party_id: str, component: str) -> flow_pb2.ComponentRef:
    ref = _job_ref(job_id, role, party_id)
    return flow_pb2.ComponentRef(job_id=ref.job_id, role=ref.role, party_id=ref.party_id,
                                 component_name=checks.component(component))


def _job_rows(ref: flow_pb2.JobRef) -> list[flow_pb2.JobRow]:
    """The job's rows of the parties this node serves (NOT_FOUND when it has none)."""
    return every(node().flow.QueryJob, flow_pb2.JobQuery(filters={"job_id": ref.job_id}))


@blueprint.get("/api/jobs")
def jobs() -> Any:
    search = flow_pb2.JobSearch(status=checks.status(request.args.get("status", "")),
                                job_id_part=checks.job_id_part(request.args.get("q", "")),
                                limit=checks.number(request.args.get("limit"), "limit", 100, checks.MAX_JOBS) or 100)
    return jsonify({"jobs": [shapes.job(row) for row in every(node().flow.SearchJobs, search)]})


@blueprint.get("/api/jobs/<job_id>/<role>/<party_id>")
def job(job_id: str, role: str, party_id: str) -> Any:
    ref = _job_ref(job_id, role, party_id)
    local = _job_rows(ref)
    row = next((r for r in local if (r.role, r.party_id) == (ref.role, ref.party_id)), None)
    if row is None:
        raise ApiError(f"job {ref.job_id} has no party {ref.role} {ref.party_id} on this node", http_status=404)
    flow = node().flow
    dag = call(flow.DagDependency, ref)
    tasks = every(flow.QueryTask, flow_pb2.JobQuery(filters={"job_id": ref.job_id, "role": ref.role,
                                                             "party_id": ref.party_id}))
    return jsonify(shapes.job_page(row, local, dag, tasks))


def _dag_node(ref: flow_pb2.ComponentRef) -> flow_pb2.DagComponent:
    dag = call(node().flow.DagDependency, flow_pb2.JobRef(job_id=ref.job_id, role=ref.role, party_id=ref.party_id))
    found = next((c for c in dag.components if c.name == ref.component_name), None)
    if found is None:
        raise ApiError(f"job {ref.job_id} has no component {ref.component_name}", http_status=404)
    return found


@blueprint.get("/api/jobs/<job_id>/<role>/<party_id>/components/<component>")
def component(job_id: str, role: str, party_id: str, component: str) -> Any:
    ref = _component_ref(job_id, role, party_id, component)
    dag_node = _dag_node(ref)
    flow = node().flow
    tasks = every(flow.QueryTask, flow_pb2.JobQuery(filters={"job_id": ref.job_id, "role": ref.role,
                                                             "party_id": ref.party_id,
                                                             "component_name": ref.component_name}))
    pages = found_or_none(lambda message: list(flow.ComponentOutputData(message)),
                          flow_pb2.OutputDataRequest(component=ref, limit=OUTPUT_ROWS))
    return jsonify(shapes.component_panel(
        dag_node, tasks[0] if tasks else None, found_or_none(flow.ComponentParameters, ref),
        every(flow.ComponentMetricAll, ref), pages, found_or_none(flow.ComponentOutputModel, ref)))


@blueprint.get("/api/jobs/<job_id>/<role>/<party_id>/components/<component>/log")
def component_log(job_id: str, role: str, party_id: str, component: str) -> Any:
    ref = _component_ref(job_id, role, party_id, component)
    offset = checks.number(request.args.get("offset"), "offset", 0, 1 << 50)
    piece = call(node().flow.ComponentLog, flow_pb2.ComponentLogRequest(component=ref, offset=offset))
    return jsonify({"text": piece.text, "offset": piece.offset})


@blueprint.get("/events")
def events() -> Response:
    return event_stream(slots())


@blueprint.post("/api/jobs/<job_id>/stop")
def stop(job_id: str) -> Any:
    check_same_origin(request)
    reply = call(node().flow.StopJob, flow_pb2.JobRef(job_id=checks.job_id(job_id)))
    stopped = "canceled before it started" if reply.status.lower() in ("canceled", "cancelled") else "stopped"
    return jsonify({"retcode": 0, "retmsg": f"job {job_id} is {stopped}"})
