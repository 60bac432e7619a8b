"""The job, tracking and pipeline calls of the Flow gRPC service: translation only."""

from __future__ import annotations

import json
from typing import Any, Iterator

import grpc

from fate_runtime.errors import BadRequest
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from fate_runtime.jobs.component_queries import ComponentQueries
from fate_runtime.jobs.dsl_generator import deploy_names, generated_predict_dsl
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.node import messages
from fate_runtime.jobs.scheduler import Scheduler
from protos import flow_pb2


_OUTPUT_PAGE = 1000  # output rows per message


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
    _components: ComponentQueries

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
    def QueryJob(self, request: flow_pb2.JobQuery, context: grpc.ServicerContext) -> Iterator[flow_pb2.JobRow]:
        for job in self._queries.jobs(dict(request.filters), request.limit or None):
            yield messages.job_row(job, self._queries.train_conf(job))

    @translate_stream_errors
    def QueryTask(self, request: flow_pb2.JobQuery, context: grpc.ServicerContext) -> Iterator[flow_pb2.TaskRow]:
        for task in self._queries.tasks(dict(request.filters)):
            yield messages.task_row(task)

    @translate_errors
    def UpdateJob(self, request: flow_pb2.UpdateJobRequest, context: grpc.ServicerContext) -> flow_pb2.UpdateJobReply:
        self._queries.update_notes(request.job_id, request.role, request.party_id, request.notes)
        return flow_pb2.UpdateJobReply()

    @translate_errors
    def JobConfig(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.JobConfigReply:
        return messages.job_config(self._queries.config(request.job_id, request.role, request.party_id))

    @translate_errors
    def CleanJob(self, request: flow_pb2.ComponentRef, context: grpc.ServicerContext) -> flow_pb2.CleanJobReply:
        if not request.job_id:
            raise BadRequest("the following arguments are required: job_id")
        deleted = self._queries.clean(request.job_id, request.role, request.party_id, request.component_name)
        return flow_pb2.CleanJobReply(deleted=[flow_pb2.TableName(namespace=ns, table_name=name)
                                               for ns, name in deleted])

    @translate_stream_errors
    def JobLog(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:
        if not request.job_id:
            raise BadRequest("the following arguments are required: job_id")
        for piece in self._queries.log_archive(request.job_id):
            yield flow_pb2.FileChunk(data=piece)

    @translate_errors
    def GeneratePredictDsl(self, request: flow_pb2.PredictDslRequest,
                           context: grpc.ServicerContext) -> flow_pb2.PredictDslReply:
        if request.WhichOneof("deploy") == "components_text":
            deploy = deploy_names(request.components_text)
        else:
            deploy = list(request.components.names)
        predict = generated_predict_dsl(request.train_dsl_json, deploy, request.dsl_version)
        return flow_pb2.PredictDslReply(dsl_json=json.dumps(predict))

    @translate_errors
    def DataView(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.DataViewReply:
        return messages.data_view(self._queries.data_view(request.job_id, request.role, request.party_id))

    @translate_stream_errors
    def QueryDataView(self, request: flow_pb2.JobQuery,
                      context: grpc.ServicerContext) -> Iterator[flow_pb2.DataViewRow]:
        for view in self._queries.data_views(dict(request.filters)):
            yield messages.data_view_row(view)

    @translate_errors
    def DagDependency(self, request: flow_pb2.JobRef, context: grpc.ServicerContext) -> flow_pb2.DagReply:
        return messages.dag(self._queries.dag_dependency(request.job_id, request.role, request.party_id))

    @translate_errors
    def ComponentMetrics(self, request: flow_pb2.ComponentRef, context: grpc.ServicerContext) -> flow_pb2.MetricNames:
        names = self._components.metrics(*_component(request))
        return flow_pb2.MetricNames(metrics=[flow_pb2.MetricName(namespace=namespace, name=name)
                                             for namespace, found in names.items() for name in found])

    @translate_stream_errors
    def ComponentMetricAll(self, request: flow_pb2.ComponentRef,
                           context: grpc.ServicerContext) -> Iterator[flow_pb2.Metric]:
        for series in self._components.metric_all(*_component(request)):
            yield messages.metric(series)

    @translate_errors
    def ComponentMetricData(self, request: flow_pb2.MetricRequest, context: grpc.ServicerContext) -> flow_pb2.Metric:
        return messages.metric(self._components.metric(*_component(request.component), request.metric_namespace,
                                                       request.metric_name))

    @translate_errors
    def ComponentParameters(self, request: flow_pb2.ComponentRef,
                            context: grpc.ServicerContext) -> flow_pb2.ParametersReply:
        found = self._components.parameters(*_component(request))
        return flow_pb2.ParametersReply(module=found.module, parameters_json=json.dumps(found.parameters, default=str),
                                        module_roles=found.module_roles)

    @translate_errors
    def ComponentOutputModel(self, request: flow_pb2.ComponentRef,
                             context: grpc.ServicerContext) -> flow_pb2.OutputModelReply:
        return messages.output_model(self._components.output_model(*_component(request)))

    @translate_errors
    def ComponentOutputDataTable(self, request: flow_pb2.ComponentRef,
                                 context: grpc.ServicerContext) -> flow_pb2.OutputTablesReply:
        tables = self._components.output_tables(*_component(request))
        return flow_pb2.OutputTablesReply(tables=[flow_pb2.TableName(namespace=ns, table_name=name)
                                                  for ns, name in tables])

    @translate_stream_errors
    def ComponentOutputData(self, request: flow_pb2.OutputDataRequest,
                            context: grpc.ServicerContext) -> Iterator[flow_pb2.OutputDataPage]:
        rows, header, total = self._components.output_preview(*_component(request.component), request.limit)
        page = flow_pb2.OutputDataPage(header=header, total=total)
        for row in rows:
            page.rows.append(flow_pb2.OutputRow(cells_json=[json.dumps(cell, default=str) for cell in row]))
            if len(page.rows) == _OUTPUT_PAGE:
                yield page
                page = flow_pb2.OutputDataPage()
        yield page

    @translate_stream_errors
    def ComponentOutputDataDownload(self, request: flow_pb2.OutputDataRequest,
                                    context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:
        for piece in self._components.output_archive(*_component(request.component), request.limit):
            yield flow_pb2.FileChunk(data=piece)
