"""The model calls of the Flow gRPC service (load, bind, transfer, store, restore, export, import): translation
only."""

from __future__ import annotations

import json
from typing import Any, Iterator

import grpc

from fate_runtime.errors import BadRequest
from fate_runtime.jobs.model_lifecycle import ModelLifecycle, PublishConf, Published
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.jobs.model_transport import ModelTransport, Moved, VersionRequest
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from fate_runtime.state.model_versions import FeatureTable
from protos import flow_pb2

ARCHIVE_PIECE = 1 << 20  # bytes of an exported archive per stream message


def _conf(request: flow_pb2.ModelPublishRequest) -> PublishConf:
    return PublishConf(request.model_id, request.model_version, (request.initiator.role, request.initiator.party_id),
                       tuple((p.role, p.party_id) for p in request.parties),
                       request.work_mode if request.HasField("work_mode") else None, request.service_id,
                       {t.party_id: FeatureTable(t.namespace, t.table_name) for t in request.feature_tables})


def _reply(published: Published) -> flow_pb2.ModelPublishReply:
    return flow_pb2.ModelPublishReply(job_id=published.job_id, parties=[
        flow_pb2.PartyStepResult(role=o.role, party_id=o.party_id, status_code=o.code.value[0], message=o.message)
        for o in published.outcomes])


def _version(ref: flow_pb2.ModelVersionRef) -> VersionRequest:
    return VersionRequest(ref.model_id, ref.model_version, ref.role, ref.party_id)


def _store_address(request: flow_pb2.ModelRepositoryRequest) -> dict[str, Any] | None:
    if not request.store_address_json:
        return None
    try:
        address = json.loads(request.store_address_json)
    except ValueError:
        raise BadRequest("store_address is not valid JSON") from None
    if address is not None and not isinstance(address, dict):
        raise BadRequest("store_address is not an object")
    return address


def _moved(moved: Moved) -> flow_pb2.ModelPartiesReply:
    return flow_pb2.ModelPartiesReply(
        model_id=moved.model_id, model_version=moved.model_version, repository=moved.repository,
        parties=[flow_pb2.PartyRef(role=role, party_id=party_id) for role, party_id in moved.parties])


class ModelMethods:
    """Flow service methods about model versions; mixed into the FlowServicer."""

    _lifecycle: ModelLifecycle
    _model_party: ModelParty
    _transport: ModelTransport

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

    @translate_errors
    def StoreModel(self, request: flow_pb2.ModelRepositoryRequest,
                   context: grpc.ServicerContext) -> flow_pb2.ModelPartiesReply:
        return _moved(self._transport.store(_version(request.version), _store_address(request)))

    @translate_errors
    def RestoreModel(self, request: flow_pb2.ModelRepositoryRequest,
                     context: grpc.ServicerContext) -> flow_pb2.ModelPartiesReply:
        return _moved(self._transport.restore(_version(request.version), _store_address(request),
                                              request.force_update))

    @translate_stream_errors
    def ExportModel(self, request: flow_pb2.ModelVersionRef,
                    context: grpc.ServicerContext) -> Iterator[flow_pb2.ModelArchivePiece]:
        exported = self._transport.export(_version(request))
        yield flow_pb2.ModelArchivePiece(file_name=exported.file_name)
        for start in range(0, len(exported.data), ARCHIVE_PIECE):
            yield flow_pb2.ModelArchivePiece(data=exported.data[start:start + ARCHIVE_PIECE])

    @translate_errors
    def ImportModel(self, request_iterator: Iterator[flow_pb2.ModelImportChunk],
                    context: grpc.ServicerContext) -> flow_pb2.ModelPartiesReply:
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("part") != "settings":
            raise BadRequest("an import must start with its settings")
        settings = first.settings
        version = _version(settings.version)
        if settings.file:
            return _moved(self._transport.import_file(version, settings.file, settings.force_update))
        return _moved(self._transport.import_stream(version, (chunk.data for chunk in request_iterator),
                                                    settings.force_update))
