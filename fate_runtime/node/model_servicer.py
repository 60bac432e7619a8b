"""The model calls of the Flow gRPC service (load, bind, transfer): translation only."""

from __future__ import annotations

import grpc

from fate_runtime.jobs.model_lifecycle import ModelLifecycle, PublishConf, Published
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.node.grpc_errors import translate_errors
from protos import flow_pb2


def _conf(request: flow_pb2.ModelPublishRequest) -> PublishConf:
    return PublishConf(request.model_id, request.model_version, (request.initiator.role, request.initiator.party_id),
                       tuple((p.role, p.party_id) for p in request.parties),
                       request.work_mode if request.HasField("work_mode") else None, request.service_id)


def _reply(published: Published) -> flow_pb2.ModelPublishReply:
    return flow_pb2.ModelPublishReply(job_id=published.job_id, parties=[
        flow_pb2.PartyStepResult(role=o.role, party_id=o.party_id, status_code=o.code.value[0], message=o.message)
        for o in published.outcomes])


class ModelMethods:
    """Flow service methods about model versions; mixed into the FlowServicer."""

    _lifecycle: ModelLifecycle
    _model_party: ModelParty

    @translate_errors
    def LoadModel(self, request: flow_pb2.ModelPublishRequest,
                  context: grpc.ServicerContext) -> flow_pb2.ModelPublishReply:
        return _reply(self._lifecycle.load(_conf(request)))

    @translate_errors
    def BindModel(self, request: flow_pb2.ModelPublishRequest,
                  context: grpc.ServicerContext) -> flow_pb2.ModelPublishReply:
        return _reply(self._lifecycle.bind(_conf(request)))

    @translate_errors
    def TransferModel(self, request: flow_pb2.ModelTransferRequest,
                      context: grpc.ServicerContext) -> flow_pb2.ModelTransferReply:
        buffers = self._model_party.transfer(request.model_id, request.model_version)
        return flow_pb2.ModelTransferReply(buffers=[flow_pb2.TransferredBuffer(key=key, data=data)
                                                    for key, data in buffers])
