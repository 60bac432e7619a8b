"""The node's typed replies in the board's JSON shapes (times in epoch milliseconds, null when not yet)."""

from __future__ import annotations

import json
import time
from typing import Any, Iterable

from flow_api import fate_shapes
from protos import flow_pb2

_MODEL_INPUTS = ("model", "isometric_model")


def _optional(message: Any, name: str) -> Any:
    return getattr(message, name) if message.HasField(name) else None


def _object(text: str) -> dict[str, Any]:
    """A JSON object field of the node's reply ({} for anything else)."""
    try:
        value = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _times(row: flow_pb2.JobRow | flow_pb2.TaskRow) -> dict[str, Any]:
    """Start, end and elapsed time; while it runs, the time elapsed so far."""
    start, end, elapsed = (_optional(row, name) for name in ("start_time", "end_time", "elapsed"))
    if elapsed is None and start is not None and end is None:
        elapsed = max(0, round(time.time() * 1000) - start)
    return {"start_time": start, "end_time": end, "elapsed": elapsed}


def job(row: flow_pb2.JobRow) -> dict[str, Any]:
    initiator = _object(row.runtime_conf_json).get("initiator")
    initiator_role = initiator.get("role") if isinstance(initiator, dict) else None
    return {"job_id": row.job_id, "role": row.role, "party_id": row.party_id, "status": row.status,
            "progress": row.progress, "create_time": row.create_time, **_times(row),
            "initiator": {"role": initiator_role, "party_id": row.initiator_party_id},
            "is_initiator": row.is_initiator}


def _parties(row: flow_pb2.JobRow, local: Iterable[flow_pb2.JobRow]) -> list[dict[str, Any]]:
    """The job's parties by its conf; each party this node serves with its status here, the others (served by
    other nodes) with none."""
    statuses = {(r.role, r.party_id): r.status for r in local}
    roles = _object(row.roles_json)
    return [{"role": role, "party_id": str(party), "status": statuses.get((role, str(party))),
             "local": (role, str(party)) in statuses}
            for role, parties in roles.items() if isinstance(parties, list) for party in parties]


def _references(component: dict[str, Any], model: bool) -> list[str]:
    """The components a DSL component's inputs name: its model inputs, or its data inputs."""
    inputs = component.get("input")
    if not isinstance(inputs, dict):
        return []
    if model:
        refs = [ref for name in _MODEL_INPUTS for ref in inputs.get(name) or []]
    else:
        data = inputs.get("data")
        refs = [ref for found in (data or {}).values() for ref in found or []] if isinstance(data, dict) else []
    return [ref.split(".")[0] for ref in refs if isinstance(ref, str)]


def _edges(dag: flow_pb2.DagReply, dsl: dict[str, Any]) -> list[dict[str, str]]:
    """One edge from each upstream component, of each kind the DSL takes from it (data when it names none)."""
    components = dsl.get("components")
    edges: list[dict[str, str]] = []
    for node in dag.components:
        component = components.get(node.name) if isinstance(components, dict) else None
        if not isinstance(component, dict):
            component = {}
        data, model = set(_references(component, False)), set(_references(component, True))
        for upstream in node.upstream:
            kinds = [kind for kind, named in (("data", data), ("model", model)) if upstream in named] or ["data"]
            edges.extend({"from": upstream, "to": node.name, "kind": kind} for kind in kinds)
    return edges


def _component(node: flow_pb2.DagComponent, task: flow_pb2.TaskRow | None) -> dict[str, Any]:
    if task is None:
        return {"name": node.name, "module": node.module, "status": None, "progress": 0,
                "start_time": None, "end_time": None, "elapsed": None}
    return {"name": node.name, "module": node.module, "status": task.status,
            "progress": 100 if task.status == "success" else 0, **_times(task)}


def job_page(row: flow_pb2.JobRow, local: list[flow_pb2.JobRow], dag: flow_pb2.DagReply,
             tasks: list[flow_pb2.TaskRow]) -> dict[str, Any]:
    """A job of one party: its row, conf and DSL, its parties and its DAG with each component's task here."""
    dsl = _object(row.dsl_json)
    by_name = {task.component_name: task for task in tasks}
    return {"job": job(row), "conf": _object(row.runtime_conf_json), "dsl": dsl, "parties": _parties(row, local),
            "dag": {"components": [_component(node, by_name.get(node.name)) for node in dag.components],
                    "edges": _edges(dag, dsl)}}


def metric(series: flow_pb2.Metric) -> dict[str, Any]:
    data, meta = fate_shapes.metric_data(series)
    meta = meta if isinstance(meta, dict) else {}
    return {"namespace": series.namespace, "name": series.name, "type": meta.get("metric_type"), "data": data,
            "meta": meta}


def output_data(pages: list[flow_pb2.OutputDataPage] | None) -> dict[str, Any] | None:
    if pages is None:
        return None
    rows, header, total = fate_shapes.output_rows(pages)
    return {"header": header, "rows": rows, "total": total}


def model(reply: flow_pb2.OutputModelReply | None) -> dict[str, Any] | None:
    """The component's model as component_output_model gives it: its Param message as JSON (`data`) and meta."""
    if reply is None:
        return None
    data, meta = fate_shapes.output_model(reply)
    if not data and not meta:
        return None
    return {"name": reply.alias, "module": reply.module, "meta": meta, "data": data}


def component_panel(node: flow_pb2.DagComponent, task: flow_pb2.TaskRow | None,
                    parameters: flow_pb2.ParametersReply | None, metrics: list[flow_pb2.Metric],
                    pages: list[flow_pb2.OutputDataPage] | None,
                    output_model: flow_pb2.OutputModelReply | None) -> dict[str, Any]:
    params = _object(parameters.parameters_json) if parameters is not None else {}
    return {"name": node.name, "module": node.module, "status": task.status if task is not None else None,
            "parameters": params, "metrics": [metric(series) for series in metrics],
            "output_data": output_data(pages), "model": model(output_model)}
