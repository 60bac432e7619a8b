"""The Scheduler gRPC service (node-to-node control plane); for now it registers jobs."""

from __future__ import annotations

import grpc

from fate_runtime.grpc_errors import translate_errors
from fate_runtime.job_registry import JobRegistry
from federation import TransferVariable
from protos import scheduler_pb2, scheduler_pb2_grpc


class SchedulerServicer(scheduler_pb2_grpc.SchedulerServicer):
    def __init__(self, registry: JobRegistry, local_parties: frozenset[str] | None) -> None:
        self._registry = registry
        self._local_parties = local_parties

    @translate_errors
    def RegisterJob(self, request: scheduler_pb2.JobRegistration,
                    context: grpc.ServicerContext) -> scheduler_pb2.RegisterJobReply:
        roles = {role: list(parties.party_ids) for role, parties in request.roles.items()}
        variables = [TransferVariable(v.name, v.src_role, tuple(v.dst_roles)) for v in request.variables]
        self._registry.register(request.job_id, roles, variables)
        local = [f"{role}:{party}" for role, parties in sorted(roles.items()) for party in parties
                 if self._local_parties is None or party in self._local_parties]
        return scheduler_pb2.RegisterJobReply(local_parties=local)
