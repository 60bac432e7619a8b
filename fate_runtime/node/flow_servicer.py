"""The Flow gRPC service: translates messages to the node's calls and back, nothing more."""

from __future__ import annotations

from typing import Any, Iterator

import grpc

from fate_runtime.data.download import Downloader, DownloadRequest
from fate_runtime.errors import BadRequest
from fate_runtime.node.grpc_errors import translate_errors, translate_stream_errors
from fate_runtime.jobs.board import BoardQueries
from fate_runtime.jobs.component_queries import ComponentQueries
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.node.board_servicer import BoardMethods
from fate_runtime.node.job_servicer import JobMethods
from fate_runtime.jobs.model_lifecycle import ModelLifecycle
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.jobs.model_transport import ModelTransport
from fate_runtime.node.model_servicer import ModelMethods
from fate_runtime.jobs.scheduler import Scheduler
from fate_runtime.node.proto_convert import to_struct
from fate_runtime.data.tables import Tables
from fate_runtime.data.upload import Uploader, UploadRequest
from protos import flow_pb2, flow_pb2_grpc


_HISTORY_PAGE = 100  # records per reply message (each record's notes are bounded)


def _optional(message: Any, field: str) -> int | None:
    return getattr(message, field) if message.HasField(field) else None


def _upload_request(settings: flow_pb2.UploadSettings) -> UploadRequest:
    return UploadRequest(
        namespace=settings.namespace, table_name=settings.table_name,
        work_mode=_optional(settings, "work_mode"), head=_optional(settings, "head"),
        partition=_optional(settings, "partition"), drop=_optional(settings, "drop"),
        file=settings.file, delimiter=settings.delimiter or ",", notes=settings.notes,
        received_name=settings.file_name, backend=_optional(settings, "backend"))


def _download_request(request: flow_pb2.DownloadRequest) -> DownloadRequest:
    return DownloadRequest(namespace=request.namespace, table_name=request.table_name,
                           output_path=request.output_path, work_mode=_optional(request, "work_mode"),
                           delimiter=request.delimiter or ",")


def _files(result: Any) -> flow_pb2.JobFiles:
    return flow_pb2.JobFiles(job_dsl_path=result.job_dsl_path, job_runtime_conf_path=result.job_runtime_conf_path,
                             logs_directory=result.logs_directory)


class FlowServicer(JobMethods, ModelMethods, BoardMethods, flow_pb2_grpc.FlowServicer):
    def __init__(self, uploader: Uploader, downloader: Downloader, tables: Tables, queries: JobQueries,
                 components: ComponentQueries, model_party: ModelParty, transport: ModelTransport,
                 board: BoardQueries) -> None:
        self._board = board
        self._model_party = model_party
        self._transport = transport
        self._uploader = uploader
        self._downloader = downloader
        self._tables = tables
        self._queries = queries
        self._components = components

    def attach_scheduler(self, scheduler: Scheduler, lifecycle: ModelLifecycle) -> None:
        """The scheduler and the model lifecycle exist once the node knows its own address (after binding its
        port)."""
        self._scheduler = scheduler
        self._lifecycle = lifecycle

    @translate_errors
    def Upload(self, request_iterator: Iterator[flow_pb2.UploadChunk], context: grpc.ServicerContext) -> flow_pb2.UploadReply:
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("part") != "settings":
            raise BadRequest("an upload must start with its settings")
        request = _upload_request(first.settings)
        if first.settings.file_name:
            result = self._uploader.upload_stream(request, (chunk.data for chunk in request_iterator))
        else:
            result = self._uploader.upload(request)
        return flow_pb2.UploadReply(job_id=result.job_id, namespace=result.namespace, table_name=result.table_name,
                                    partition=result.partition, count=result.count, files=_files(result),
                                    table_count=result.table_count, duplicates=result.duplicates)

    @translate_errors
    def Download(self, request: flow_pb2.DownloadRequest, context: grpc.ServicerContext) -> flow_pb2.DownloadReply:
        result = self._downloader.download(_download_request(request))
        return flow_pb2.DownloadReply(job_id=result.job_id, output_path=result.output_path, count=result.count,
                                      files=_files(result))

    @translate_stream_errors
    def DownloadStream(self, request: flow_pb2.DownloadRequest,
                       context: grpc.ServicerContext) -> Iterator[flow_pb2.DownloadPiece]:
        sent = self._downloader.stream(_download_request(request))
        try:
            yield flow_pb2.DownloadPiece(started=flow_pb2.DownloadStarted(
                job_id=sent.job_id, files=_files(sent), header_lines=sent.header_lines))
            for piece in sent.pieces:
                yield flow_pb2.DownloadPiece(data=piece)
        finally:
            sent.pieces.close()  # a call cancelled midway: the download job fails, saying so

    @translate_stream_errors
    def UploadHistory(self, request: flow_pb2.UploadHistoryRequest,
                      context: grpc.ServicerContext) -> Iterator[flow_pb2.UploadHistoryReply]:
        rows = self._tables.upload_history(request.job_id, _optional(request, "limit"))
        for start in range(0, len(rows), _HISTORY_PAGE):
            yield flow_pb2.UploadHistoryReply(records=[flow_pb2.UploadRecord(
                job_id=row.job_id, namespace=row.namespace, table_name=row.table_name, partition=row.partition,
                count=row.count, table_count=row.table_count, notes=row.notes, schema=to_struct(row.schema),
                create_time=row.create_time_ms / 1000.0) for row in rows[start:start + _HISTORY_PAGE]])

    @translate_errors
    def TableInfo(self, request: flow_pb2.TableInfoRequest, context: grpc.ServicerContext) -> flow_pb2.TableInfoReply:
        info = self._tables.info(request.namespace, request.table_name, request.create, _optional(request, "partition"))
        return flow_pb2.TableInfoReply(namespace=info.namespace, table_name=info.table_name, partition=info.partition,
                                       count=info.count, schema=to_struct(info.schema), create_time=info.create_time,
                                       created=info.created)

    @translate_errors
    def TableDelete(self, request: flow_pb2.TableDeleteRequest,
                    context: grpc.ServicerContext) -> flow_pb2.TableDeleteReply:
        deleted = self._tables.delete(request.namespace, request.table_name, request.job_id,
                                      request.component_name, request.role, request.party_id)
        return flow_pb2.TableDeleteReply(deleted=[flow_pb2.TableName(namespace=ns, table_name=name)
                                                  for ns, name in deleted])
