"""The node's typed replies in FATE-Flow's JSON shapes (`f_` rows, metric trees, DAG maps, model data)."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any, Iterable

import grpc

from flow_api.envelope import EXCEPTION_ERROR, NOT_FOUND, SUCCESS, ApiError
from protos import flow_pb2

log = logging.getLogger("fate_flow.rest")

_OPTIONAL_TIMES = ("start_time", "end_time", "elapsed")


def _loads(text: str) -> Any:
    """A JSON field of the node's reply (empty text: None)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        log.warning("the node sent JSON that does not parse: %.200r", text)
        raise ApiError("the node's reply is not valid JSON") from None


def _optional(message: Any, name: str) -> Any:
    """An optional field's value; None when it is not set."""
    return getattr(message, name) if message.HasField(name) else None


def _times(row: flow_pb2.JobRow | flow_pb2.TaskRow) -> dict[str, Any]:
    return {f"f_{name}": _optional(row, name) for name in _OPTIONAL_TIMES}


def job(row: flow_pb2.JobRow) -> dict[str, Any]:
    return {"f_job_id": row.job_id, "f_name": row.name, "f_description": row.description, "f_tag": row.tag,
            "f_role": row.role, "f_party_id": row.party_id, "f_roles": _loads(row.roles_json),
            "f_work_mode": row.work_mode, "f_initiator_party_id": row.initiator_party_id,
            "f_is_initiator": int(row.is_initiator), "f_dsl": _loads(row.dsl_json),
            "f_runtime_conf": _loads(row.runtime_conf_json), "f_run_ip": row.run_ip, "f_status": row.status,
            "f_progress": row.progress, "f_current_steps": list(row.current_steps),
            "f_current_tasks": list(row.current_tasks), "f_create_time": row.create_time,
            "f_update_time": row.update_time, **_times(row), "f_retmsg": row.retmsg,
            "f_train_runtime_conf": _loads(row.train_runtime_conf_json) or {}}


def task(row: flow_pb2.TaskRow) -> dict[str, Any]:
    return {"f_job_id": row.job_id, "f_component_name": row.component_name, "f_task_id": row.task_id,
            "f_role": row.role, "f_party_id": row.party_id, "f_status": row.status, "f_run_ip": row.run_ip,
            "f_run_pid": row.run_pid if row.HasField("run_pid") else None, "f_retmsg": row.retmsg,
            "f_create_time": row.create_time, "f_update_time": row.update_time, **_times(row)}


def job_config(job_id: str, reply: flow_pb2.JobConfigReply) -> dict[str, Any]:
    return {"job_id": job_id, "dsl": _loads(reply.dsl_json), "runtime_conf": _loads(reply.runtime_conf_json),
            "train_runtime_conf": _loads(reply.train_runtime_conf_json),
            "model_info": {"model_id": reply.model_id, "model_version": reply.model_version}}


def data_view(reply: flow_pb2.DataViewReply) -> dict[str, Any]:
    roles = _loads(reply.roles_json)
    dataset: dict[str, Any] = {reply.role: {reply.party_id: {}}}
    for table in reply.inputs:
        dataset.setdefault(table.role, {}).setdefault(table.party_id, {})[table.name] = \
            f"{table.namespace}.{table.table_name}"
    return {"job_id": reply.job_id, "role": reply.role, "party_id": reply.party_id, "roles": roles,
            "dataset": dataset, "partner": {r: parties for r, parties in roles.items() if r != reply.role},
            "status": reply.status, "model_summary": {}}


def data_view_row(row: flow_pb2.DataViewRow) -> dict[str, Any]:
    """FATE's t_data_view row: 1.2's columns (f_table_create_count: the table's rows when the job wrote it) and
    the counts under the names FATE 1.4 gave them."""
    optional = {f"f_{name}": _optional(row, name) for name in (
        "update_time", "table_now_count", "partition", "type", "party_model_id", "model_version",
        "table_count_upload", "table_count_actual")}
    return {"f_job_id": row.job_id, "f_role": row.role, "f_party_id": row.party_id, "f_table_name": row.table_name,
            "f_table_namespace": row.table_namespace, "f_component_name": row.component_name,
            "f_create_time": row.create_time, "f_table_create_count": optional["f_table_count_actual"],
            "f_task_id": row.task_id, "f_ttl": row.ttl, "f_size": row.size, "f_description": row.description,
            "f_tag": row.tag, **optional}


def dag(reply: flow_pb2.DagReply) -> dict[str, Any]:
    return {"component_list": [c.name for c in reply.components],
            "dependencies": {c.name: list(c.upstream) for c in reply.components},
            "component_module": {c.name: c.module for c in reply.components},
            "component_need_run": {c.name: c.need_run for c in reply.components}}


def metric_names(reply: flow_pb2.MetricNames) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for metric in reply.metrics:
        names.setdefault(metric.namespace, []).append(metric.name)
    return names


def metric_data(metric: flow_pb2.Metric) -> tuple[list[list[Any]], dict[str, Any]]:
    """(data [[key, value], ...], meta) of one metric."""
    return ([[_loads(p.key_json), _loads(p.value_json)] for p in metric.points], _loads(metric.meta_json))


def metric_tree(metrics: Iterable[flow_pb2.Metric]) -> dict[str, dict[str, Any]]:
    """{namespace: {name: {"data": ..., "meta": ...}}}."""
    tree: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        data, meta = metric_data(metric)
        tree.setdefault(metric.namespace, {})[metric.name] = {"data": data, "meta": meta}
    return tree


def parameters(ref: flow_pb2.ComponentRef, reply: flow_pb2.ParametersReply) -> dict[str, Any]:
    """FATE's shape; {} when the node sent no parameters (FATE answers that with a message instead)."""
    params = _loads(reply.parameters_json)
    if params is None:
        return {}
    return {"module": reply.module, "ComponentParam": params, "job_id": ref.job_id,
            "role": ref.role, "party_id": ref.party_id, "component_name": ref.component_name,
            "module_roles": list(reply.module_roles)}


def output_model(reply: flow_pb2.OutputModelReply) -> tuple[dict[str, Any], dict[str, Any]]:
    """FATE's shape: the model's Param message as JSON (the only buffer, when it has no *Param one), and its meta;
    ({}, {}) when there is nothing to show."""
    buffers = list(reply.buffers)
    param = next((b for b in buffers if b.name.endswith("Param")), buffers[0] if len(buffers) == 1 else None)
    if param is None or not param.json:
        return {}, {}
    meta = {"module_name": reply.module, "model_alias": reply.alias, "model_id": reply.model_id,
            "model_version": reply.model_version, "buffers": {b.name: b.type for b in buffers}}
    return _loads(param.json), meta


def output_rows(pages: Iterable[flow_pb2.OutputDataPage]) -> tuple[list[list[Any]], list[str], int]:
    """(rows, header, total) of a component's output data."""
    rows: list[list[Any]] = []
    header: list[str] = []
    total = 0
    for page in pages:
        if page.header:
            header, total = list(page.header), page.total
        rows.extend([_loads(cell) for cell in row.cells_json] for row in page.rows)
    return rows, header, total


def _party(party_id: Any) -> Any:
    """A party id as FATE-Flow 1.11's lists give it: a number (ids are FATE's digits)."""
    return int(party_id) if str(party_id).isdigit() else party_id


def listed_job(row: flow_pb2.JobRow) -> dict[str, Any]:
    """A row of FATE-Flow 1.11's job list: the job's columns without the f_ prefix, the party id a number, and
    `partners`, the job's other parties."""
    listed = {name[2:]: value for name, value in job(row).items()}
    listed["party_id"] = _party(row.party_id)
    roles = listed["roles"] if isinstance(listed["roles"], dict) else {}
    parties = {_party(party) for role in ("guest", "host", "arbiter") for party in roles.get(role) or []}
    listed["partners"] = sorted(parties - {listed["party_id"]}, key=lambda party: str(party).zfill(20))  # numeric
    return listed


def listed_task(row: flow_pb2.TaskRow) -> dict[str, Any]:
    """A row of FATE-Flow 1.11's task list: the task's columns without the f_ prefix."""
    return {name[2:]: value for name, value in task(row).items()}


def component_names(reply: flow_pb2.DagReply) -> dict[str, list[str]]:
    return {"components": [c.name for c in reply.components]}


def _party_retcode(status_code: int) -> int:
    """A party's gRPC status as FATE's retcode: 0, 101 (not found) or 100."""
    return 0 if status_code == 0 else NOT_FOUND if status_code == grpc.StatusCode.NOT_FOUND.value[0] \
        else EXCEPTION_ERROR


def model_publish(reply: flow_pb2.ModelPublishReply) -> tuple[int, str, dict[str, Any]]:
    """A load's or bind's retcode, retmsg and data: each party's retcode (`data.{role}.{party}`) and its retcode
    and message (`data.detail.{role}.{party}`). Any party's refusal makes it 101 with that party's message."""
    data: dict[str, Any] = {"detail": {}}
    for party in reply.parties:
        retcode = _party_retcode(party.status_code)
        data["detail"].setdefault(party.role, {})[party.party_id] = {"retcode": retcode, "retmsg": party.message}
        data.setdefault(party.role, {})[party.party_id] = retcode
    refused = [party for party in reply.parties if party.status_code != 0]
    if not refused:
        return SUCCESS, reply.parties[0].message if reply.parties else "success", data
    first = next((p for p in refused if p.status_code != grpc.StatusCode.ABORTED.value[0]), refused[0])
    return NOT_FOUND, first.message, data


def model_buffers(reply: flow_pb2.ModelTransferReply) -> dict[str, str]:
    """A model version's buffers by key, each as base64 of the serialized message (as FATE-Serving pulls them)."""
    return {buffer.key: base64.b64encode(buffer.data).decode() for buffer in reply.buffers}
