"""/v1/pipeline: a job's DAG (components, their dependencies and modules)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from flow_api.envelope import NOT_FOUND, ApiError, reply
from flow_api.job_routes import job_ref, json_text, node, request_body

blueprint = Blueprint("pipeline", __name__)


@blueprint.post("/dag/dependency")
def dag_dependency() -> Any:
    client = node()
    data = json_text(client.call(client.flow.DagDependency, job_ref(request_body(), "job_id", "role", "party_id")).json)
    if not data:
        raise ApiError("find dag dependency failed", NOT_FOUND)
    return reply(data)
