"""/v1/pipeline: a job's DAG (components, their dependencies and modules)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from flow_api import fate_shapes
from flow_api.envelope import reply
from flow_api.job_routes import job_ref, node, request_body

blueprint = Blueprint("pipeline", __name__)


@blueprint.post("/dag/dependency")
def dag_dependency() -> Any:
    client = node()
    return reply(fate_shapes.dag(client.call(client.flow.DagDependency,
                                             job_ref(request_body(), "job_id", "role", "party_id"))))
