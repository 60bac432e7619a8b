"""The job, tracking and pipeline calls of the Flow gRPC service: translation only."""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

import grpc

from fate_runtime.errors import BadRequest
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.jobs.scheduler import Scheduler
from protos import flow_pb2


PAGE_BYTES = 1 << 20


def _json(value: Any) -> flow_pb2.JsonReply:
    return flow_pb2.JsonReply(json=json.dumps(value, default=str))


def row_pages(rows: Iterable[Any]) -> Iterator[str]:
    """Rows as JSON arrays of about PAGE_BYTES each (a row larger than that is a page of its own)."""
    page: list[str] = []
    size = 0
    for row in rows:
        text = json.dumps(row, default=str)
        if page and size + len(text) > PAGE_BYTES:
            yield "[" + ",".join(page) + "]"
            page, size = [], 0
        page.append(text)
        size += len(text) + 1
    if page:
        yield "[" + ",".join(page) + "]"


def _loads(text: str, what: str) -> Any:
    try:
        return json.loads(text) if text else {}
    except json.JSONDecodeError:
        raise BadRequest(f"{what} is not valid JSON") from None


def _component(ref: flow_pb2.ComponentRef) -> tuple[str, str, str, str]:
    return ref.job_id, ref.component_name, ref.role, ref.party_id


class JobMethods:
    """Flow service methods about jobs; mixed into the FlowServicer."""

    _scheduler: Scheduler
    _queries: JobQueries

    @translate_errors
    def SubmitJob(self, request: flow_pb2.SubmitJobRequest, context: grpc.ServicerContext) -> flow_pb2.SubmitJobReply:
        submitted = self._scheduler.submit(_loads(request.dsl_json, "job_dsl"),
                                           _loads(request.conf_json, "job_runtime_conf"))
        files = submitted.files
        return flow_pb2.SubmitJobReply(job_id=submitted.job_id, model_id=submitted.plan.model_id(),
                                       model_version=submitted.job_id,
                                       files=flow_pb2.JobFiles(**files))

    @translate_errors
    def StopJob(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.StopJobReply:
        if not request.job_id:
            raise BadRequest("the following arguments are required: job_id")
        return flow_pb2.StopJobReply(status=self._scheduler.stop(request.job_id))

    @translate_stream_errors
    def QueryJob(self, request: flow_pb2.JobQuery, context: grpc.ServicerContext) -> Iterator[flow_pb2.RowsPage]:
        for page in row_pages(self._queries.jobs(dict(request.filters), request.limit or None)):
            yield flow_pb2.RowsPage(json=page)

    @translate_stream_errors
    def QueryTask(self, request: flow_pb2.JobQuery, context: grpc.ServicerContext) -> Iterator[flow_pb2.RowsPage]:
        for page in row_pages(self._queries.tasks(dict(request.filters))):
            yield flow_pb2.RowsPage(json=page)

    @translate_errors
    def UpdateJob(self, request: flow_pb2.UpdateJobRequest, context: grpc.ServicerContext) -> flow_pb2.UpdateJobReply:
        self._queries.update_notes(request.job_id, request.role, request.party_id, request.notes)
        return flow_pb2.UpdateJobReply()

    @translate_errors
    def JobConfig(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.JsonReply:
        return _json(self._queries.config(request.job_id, request.role, request.party_id))

    @translate_errors
    def CleanJob(self, request: flow_pb2.ComponentRef, context: grpc.ServicerContext) -> flow_pb2.CleanJobReply:
        if not request.job_id:
            raise BadRequest("the following arguments are required: job_id")
        deleted = self._queries.clean(*_component(request))
        return flow_pb2.CleanJobReply(deleted=[flow_pb2.TableName(namespace=ns, table_name=name)
                                               for ns, name in deleted])

    @translate_stream_errors
    def JobLog(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:
        if not request.job_id:
            raise BadRequest("the following arguments are required: job_id")
        for piece in self._queries.log_archive(request.job_id):
            yield flow_pb2.FileChunk(data=piece)

    @translate_errors
    def DataView(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.JsonReply:
        return _json(self._queries.data_view(request.job_id, request.role, request.party_id))

    @translate_errors
    def DagDependency(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.JsonReply:
        return _json(self._queries.dag_dependency(request.job_id, request.role, request.party_id))

    @translate_errors
    def ComponentMetrics(self, request: flow_pb2.ComponentRef, context: grpc.ServicerContext) -> flow_pb2.JsonReply:
        return _json(self._queries.metrics(*_component(request)))

    @translate_errors
    def ComponentMetricAll(self, request: flow_pb2.ComponentRef,
                           context: grpc.ServicerContext) -> flow_pb2.JsonReply:
        return _json(self._queries.metric_all(*_component(request)))

    @translate_errors
    def ComponentMetricData(self, request: flow_pb2.MetricRequest,
                            context: grpc.ServicerContext) -> flow_pb2.MetricReply:
        data, meta = self._queries.metric(*_component(request.component), request.metric_namespace,
                                          request.metric_name)
        return flow_pb2.MetricReply(data_json=json.dumps(data, default=str), meta_json=json.dumps(meta, default=str))

    @translate_errors
    def ComponentParameters(self, request: flow_pb2.ComponentRef,
                            context: grpc.ServicerContext) -> flow_pb2.JsonReply:
        return _json(self._queries.parameters(*_component(request)))

    @translate_errors
    def ComponentOutputModel(self, request: flow_pb2.ComponentRef,
                             context: grpc.ServicerContext) -> flow_pb2.MetricReply:
        model, meta = self._queries.output_model(*_component(request))
        return flow_pb2.MetricReply(data_json=json.dumps(model, default=str), meta_json=json.dumps(meta, default=str))

    @translate_errors
    def ComponentOutputDataTable(self, request: flow_pb2.ComponentRef,
                                 context: grpc.ServicerContext) -> flow_pb2.OutputTablesReply:
        tables = self._queries.output_tables(*_component(request))
        return flow_pb2.OutputTablesReply(tables=[flow_pb2.TableName(namespace=ns, table_name=name)
                                                  for ns, name in tables])

    @translate_errors
    def ComponentOutputData(self, request: flow_pb2.OutputDataRequest,
                            context: grpc.ServicerContext) -> flow_pb2.OutputDataReply:
        rows, header, total = self._queries.output_preview(*_component(request.component), request.limit)
        return flow_pb2.OutputDataReply(rows_json=json.dumps(rows, default=str), header=header, total=total)

    @translate_stream_errors
    def ComponentOutputDataDownload(self, request: flow_pb2.OutputDataRequest,
                                    context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:
        for piece in self._queries.output_archive(*_component(request.component), request.limit):
            yield flow_pb2.FileChunk(data=piece)
