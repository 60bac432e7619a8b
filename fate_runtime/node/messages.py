"""The node's records as Flow messages: the one place where state and query results become protobuf."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor_pool import Default as default_pool

from fate_runtime.jobs.component_queries import ComponentModel, MetricSeries
from fate_runtime.jobs.queries import DataView, DagNode, JobConfig
from fate_runtime.state.data_views import DataViewRecord
from fate_runtime.state.job_store import JobRecord, TaskRecord
from fate_runtime.state.models import LEGACY_JSON, ModelBuffer
from protos import flow_pb2


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


def _times(record: JobRecord | TaskRecord) -> dict[str, int]:
    return {name: value for name in ("start_time", "end_time", "elapsed")
            if (value := getattr(record, name)) is not None}


def job_row(job: JobRecord, train_conf: dict[str, Any]) -> flow_pb2.JobRow:
    return flow_pb2.JobRow(
        job_id=job.job_id, role=job.role, party_id=job.party_id, name=job.name, description=job.description,
        tag=job.tag, roles_json=_json(job.roles), work_mode=job.work_mode, initiator_party_id=job.initiator_party_id,
        is_initiator=job.is_initiator, dsl_json=_json(job.dsl), runtime_conf_json=_json(job.runtime_conf),
        run_ip=job.run_ip, status=job.status, progress=job.progress, current_steps=job.current_steps,
        current_tasks=job.current_tasks, create_time=job.create_time, update_time=job.update_time,
        retmsg=job.retmsg, train_runtime_conf_json=_json(train_conf), **_times(job))


def task_row(task: TaskRecord) -> flow_pb2.TaskRow:
    extra = {"run_pid": task.run_pid} if task.run_pid is not None else {}
    return flow_pb2.TaskRow(
        job_id=task.job_id, component_name=task.component_name, task_id=task.task_id, role=task.role,
        party_id=task.party_id, status=task.status, run_ip=task.run_ip, retmsg=task.retmsg,
        create_time=task.create_time, update_time=task.update_time, **extra, **_times(task))


def job_config(config: JobConfig) -> flow_pb2.JobConfigReply:
    return flow_pb2.JobConfigReply(dsl_json=_json(config.dsl), runtime_conf_json=_json(config.runtime_conf),
                                   train_runtime_conf_json=_json(config.train_runtime_conf),
                                   model_id=config.model_id, model_version=config.model_version)


def data_view(view: DataView) -> flow_pb2.DataViewReply:
    return flow_pb2.DataViewReply(
        job_id=view.job.job_id, role=view.job.role, party_id=view.job.party_id, status=view.job.status,
        roles_json=_json(view.roles),
        inputs=[flow_pb2.InputTable(role=i.role, party_id=i.party_id, name=i.name, namespace=i.namespace,
                                    table_name=i.table_name) for i in view.inputs])


def data_view_row(view: DataViewRecord) -> flow_pb2.DataViewRow:
    fields = dataclasses.asdict(view)
    del fields["job_status"]  # a filter, not one of FATE's columns
    return flow_pb2.DataViewRow(**{name: value for name, value in fields.items() if value is not None})


def dag(nodes: list[DagNode]) -> flow_pb2.DagReply:
    return flow_pb2.DagReply(components=[flow_pb2.DagComponent(name=n.name, module=n.module, upstream=n.upstream,
                                                               need_run=n.need_run) for n in nodes])


def metric(series: MetricSeries) -> flow_pb2.Metric:
    return flow_pb2.Metric(namespace=series.namespace, name=series.name, meta_json=_json(series.meta),
                           points=[flow_pb2.MetricPoint(key_json=_json(key), value_json=_json(value))
                                   for key, value in series.data])


def _buffer_json(buffer: ModelBuffer) -> str:
    """The buffer's fields as JSON; "" when this node does not know its message type."""
    if buffer.type == LEGACY_JSON:
        return buffer.data.decode()
    try:
        descriptor = default_pool().FindMessageTypeByName(buffer.type)
    except KeyError:
        return ""
    message = message_factory.GetMessageClass(descriptor).FromString(buffer.data)
    return json_format.MessageToJson(message, always_print_fields_with_no_presence=True)


def output_model(model: ComponentModel) -> flow_pb2.OutputModelReply:
    return flow_pb2.OutputModelReply(
        module=model.module, alias=model.alias, model_id=model.model_id, model_version=model.model_version,
        buffers=[flow_pb2.ModelBuffer(name=b.name, type=b.type, json=_buffer_json(b)) for b in model.buffers])
