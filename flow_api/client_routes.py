"""The /v1 endpoints FATE's later clients (fate-client's `flow` 1.5 - 1.11) call for everyday work that
FATE-Flow 1.3 lacks: job and task lists, the job log's download, a job's components, a component's summary,
and the server's versions.

Handlers translate, as everywhere in flow_api: lists are the node's QueryJob / QueryTask rows, ordered and
cut into pages as FATE-Flow 1.11 pages them; components come from the job's stored plan.
"""

from __future__ import annotations

import dataclasses
import platform
from importlib import metadata
from itertools import product
from typing import Any, Callable, Iterator

from flask import Blueprint

from flow_api import fate_shapes, job_routes
from flow_api.envelope import ApiError, reply
from flow_api.job_routes import component_ref, download_error, job_ref, node, request_body, streamed
from flow_api.request_fields import integer, text
from protos import flow_pb2

blueprint = Blueprint("client", __name__)

# The FATE release whose REST API, DSLs and example confs this runtime answers as (see the README).
FATE_VERSION = "1.3.0"
API_VERSION = "v1"

_PAGING = ("limit", "page", "order_by", "order")
_ORDER_FIELDS = ("job_id", "create_time", "start_time", "end_time", "elapsed")
_MANY_VALUED = ("role", "status")  # FATE-Flow 1.11 takes a list of roles or statuses too
_JOB_FILTERS = ("role", "status", "party_id")
_TASK_FILTERS = ("job_id", "role", "party_id", "component_name")
NO_SUMMARY = 210  # FATE-Flow 1.11's retcode for a component without summary


@dataclasses.dataclass(frozen=True)
class _Page:
    limit: int  # 0: every row
    page: int
    order_by: str
    descending: bool

    def of(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows in order (rows without the field first when ascending), cut to this page."""
        ordered = sorted(rows, key=lambda row: (row[self.order_by] is not None, row[self.order_by]),
                         reverse=self.descending)
        if not self.limit:
            return ordered
        start = self.limit * (self.page - 1)
        return ordered[start:start + self.limit]


def _page(body: dict[str, Any], newest_first: bool) -> _Page:
    """The page asked for: `limit` rows (0 or none: all) of page `page` (from 1), ordered by `order_by` in `order`
    (asc or desc; without order_by, by create_time, newest first if `newest_first`; with it, ascending)."""
    limit, page = integer(body, "limit") or 0, integer(body, "page")
    page = 1 if page is None else page
    if limit < 0:
        raise ApiError(f"limit must be 0 (every row) or more, got {limit}")
    if page < 1:
        raise ApiError(f"page must be 1 or more, got {page}")
    order_by, order = text(body, "order_by"), text(body, "order")
    if order_by and order_by not in _ORDER_FIELDS:
        raise ApiError(f"order_by must be one of {', '.join(_ORDER_FIELDS)}, got {order_by}")
    if order and order not in ("asc", "desc"):
        raise ApiError(f"order must be asc or desc, got {order}")
    descending = order == "desc" if order else newest_first and not order_by
    return _Page(limit, page, order_by or "create_time", descending)


def _queries(body: dict[str, Any], allowed: tuple[str, ...], what: str) -> Iterator[flow_pb2.JobQuery]:
    """One node query per combination of the filters' values (a filter may list several roles or statuses)."""
    unknown = sorted(set(body) - set(allowed) - set(_PAGING))
    if unknown:
        raise ApiError(f"the {what} list cannot be filtered by {unknown[0]}; it takes {', '.join(allowed)}")
    choices: dict[str, list[str]] = {}
    for name in allowed:
        value = body.get(name)
        if isinstance(value, list) and name in _MANY_VALUED:
            choices[name] = [text({name: item}, name) for item in value]
        elif value not in (None, ""):
            choices[name] = [text(body, name)]
    for values in product(*choices.values()):
        yield flow_pb2.JobQuery(filters=dict(zip(choices, values)))


def _listing(method: Callable[..., Iterator[Any]], shape: Callable[[Any], dict[str, Any]], allowed: tuple[str, ...],
             what: str, newest_first: bool) -> Any:
    """{"<what>s": the page of rows, "count": how many rows match}, FATE-Flow 1.11's list reply."""
    body = request_body()
    page = _page(body, newest_first)
    rows = [shape(row) for query in _queries(body, allowed, what) for row in streamed(method, query)]
    return reply({f"{what}s": page.of(rows), "count": len(rows)})


@blueprint.post("/job/list/job")
def list_jobs() -> Any:
    return _listing(node().flow.QueryJob, fate_shapes.listed_job, _JOB_FILTERS, "job", newest_first=True)


@blueprint.post("/job/list/task")
def list_tasks() -> Any:
    return _listing(node().flow.QueryTask, fate_shapes.listed_task, _TASK_FILTERS, "task", newest_first=False)


# `flow job log` of fate-client 1.7+: the same archive as /v1/job/log, by POST.
blueprint.add_url_rule("/job/log/download", view_func=job_routes.job_log, methods=["POST"])


@blueprint.post("/tracking/component/list")
def component_list() -> Any:
    client = node()
    return reply(fate_shapes.component_names(client.call(client.flow.DagDependency,
                                                         job_ref(request_body(), "job_id"))))


@blueprint.post("/tracking/component/summary/download")
def component_summary() -> Any:
    """The node records no component summaries: for a component of a job it knows, FATE-Flow 1.11's answer for a
    component without one (never HTTP 200, so that `flow component get-summary -o` writes no file)."""
    try:
        ref = component_ref(request_body(), "job_id", "component_name", "role", "party_id")
        client = node()
        client.call(client.flow.ComponentMetrics, ref)  # refuses an unknown job, party or component
    except ApiError as error:
        raise download_error(error) from None
    raise ApiError("No component summary found, please check if arguments are specified correctly.",
                   NO_SUMMARY, http_status=404)


def _runtime_version() -> str:
    try:
        return metadata.version("fate-runtime")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


@blueprint.post("/server/version/get")
@blueprint.post("/version/get")
def versions() -> Any:
    """FATE's version keys as far as they apply: FATE and FATEFlow name the release this runtime is compatible
    with, FATE_RUNTIME this runtime's own version; asked for a `module` it does not have, None."""
    known = {"FATE": FATE_VERSION, "FATEFlow": FATE_VERSION, "FATE_RUNTIME": _runtime_version(),
             "PYTHON": platform.python_version()}
    module = text(request_body(), "module")
    found = {module: known.get(module)} if module else known
    return reply({**found, "API": API_VERSION})
