"""The Scheduler gRPC services, translated to the party side's calls.

Scheduler (the peer port): the job's initiator drives the job here; ControlAuth says who may (who creates a job
here is checked below; the calls about a known job pass JobCallCheck, the peer port's interceptor, first).
LocalScheduler (the local socket only): task processes report, tools register jobs for federation.
"""

from __future__ import annotations

from typing import Iterator

import grpc

from fate_runtime import identifiers
from fate_runtime.jobs.control_auth import ControlAuth
from fate_runtime.jobs.model_party import BIND, LOAD, ModelParty, ModelStep
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.model_versions import FeatureTable, VersionKey
from fate_runtime.jobs.party import PartyJobs
from federation import TransferVariable
from federation.tls import peer_party
from protos import scheduler_pb2, scheduler_pb2_grpc


def _key(task: scheduler_pb2.TaskRef) -> tuple[str, str, str, str]:
    return task.job_id, task.component, task.role, task.party_id


def _model_step(kind: str, request: scheduler_pb2.ModelStep) -> ModelStep:
    table = request.feature_table
    return ModelStep(kind, VersionKey(request.model_id, request.model_version, request.role, request.party_id),
                     (request.initiator_role, request.initiator_party_id), request.service_id, request.check_only,
                     FeatureTable(table.namespace, table.table_name) if request.HasField("feature_table") else None)


class SchedulerServicer(scheduler_pb2_grpc.SchedulerServicer, scheduler_pb2_grpc.LocalSchedulerServicer):
    def __init__(self, registry: JobRegistry, party: PartyJobs, local_parties: frozenset[str] | None,
                 auth: ControlAuth, models: ModelParty) -> None:
        self._models = models
        self._registry = registry
        self._party = party
        self._local_parties = local_parties
        self._auth = auth

    @translate_errors
    def RegisterJob(self, request: scheduler_pb2.JobRegistration,
                    context: grpc.ServicerContext) -> scheduler_pb2.RegisterJobReply:
        roles = {role: list(parties.party_ids) for role, parties in request.roles.items()}
        variables = [TransferVariable(v.name, v.src_role, tuple(v.dst_roles)) for v in request.variables]
        self._registry.register(request.job_id, roles, variables, request.token)
        local = [f"{role}:{party}" for role, parties in sorted(roles.items()) for party in parties
                 if self._local_parties is None or party in self._local_parties]
        return scheduler_pb2.RegisterJobReply(local_parties=local)

    @translate_errors
    def CheckJob(self, request: scheduler_pb2.JobSpec, context: grpc.ServicerContext) -> scheduler_pb2.CheckReply:
        identifiers.job_id(request.job_id)
        plan = self._party.plan(request.dsl_json, request.conf_json)
        self._auth.creator(request.job_id, plan, request.token, context)
        return scheduler_pb2.CheckReply(ignored=self._party.check(plan))

    @translate_errors
    def CreateJob(self, request: scheduler_pb2.JobSpec, context: grpc.ServicerContext) -> scheduler_pb2.CreateReply:
        identifiers.job_id(request.job_id)
        plan = self._party.plan(request.dsl_json, request.conf_json)
        self._auth.creator(request.job_id, plan, request.token, context)
        parties = self._party.create(request.job_id, plan, request.token)
        return scheduler_pb2.CreateReply(local_parties=[f"{role}:{party}" for role, party in parties])

    @translate_stream_errors
    def WatchJob(self, request: scheduler_pb2.WatchRequest,
                 context: grpc.ServicerContext) -> Iterator[scheduler_pb2.TaskEvent]:
        watch = self._party.watch(request.job_id)
        context.add_callback(watch.close)
        for event in watch:
            yield scheduler_pb2.TaskEvent(
                task=scheduler_pb2.TaskRef(job_id=event.job_id, component=event.component, role=event.role,
                                           party_id=event.party_id),
                status=event.status, retmsg=event.retmsg, time_ms=event.time_ms)
        if not watch.ended:
            self._party.watch_lost(request.job_id)

    @translate_errors
    def StartTask(self, request: scheduler_pb2.TaskRef, context: grpc.ServicerContext) -> scheduler_pb2.Ack:
        self._party.start_task(_key(request))
        return scheduler_pb2.Ack()

    @translate_errors
    def ReportTask(self, request: scheduler_pb2.TaskEvent, context: grpc.ServicerContext) -> scheduler_pb2.Ack:
        self._party.report(_key(request.task), request.status, request.retmsg)
        return scheduler_pb2.Ack()

    @translate_errors
    def UpdateJob(self, request: scheduler_pb2.JobStatusUpdate, context: grpc.ServicerContext) -> scheduler_pb2.Ack:
        self._party.update(request.job_id, request.status, request.progress, list(request.current_steps),
                           request.retmsg)
        return scheduler_pb2.Ack()

    @translate_errors
    def StopJob(self, request: scheduler_pb2.StopRequest, context: grpc.ServicerContext) -> scheduler_pb2.Ack:
        self._party.stop(request.job_id, request.status, request.retmsg)
        return scheduler_pb2.Ack()

    @translate_errors
    def LoadModel(self, request: scheduler_pb2.ModelStep, context: grpc.ServicerContext) -> scheduler_pb2.Ack:
        self._models.step(_model_step(LOAD, request), peer_party(context))
        return scheduler_pb2.Ack()

    @translate_errors
    def BindModel(self, request: scheduler_pb2.ModelStep, context: grpc.ServicerContext) -> scheduler_pb2.Ack:
        self._models.step(_model_step(BIND, request), peer_party(context))
        return scheduler_pb2.Ack()
