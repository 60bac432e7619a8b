"""The Federation gRPC service (the peer port) and LocalFederation (the node's local socket)."""

from __future__ import annotations

import logging
import os
from typing import Iterator

import grpc

from federation.errors import FederationError, JobEnded, TransferRefused
from federation.receiver import Receiver, transfer_key
from federation.job_token import call_token
from federation.tls import peer_party
from federation.transfers import OBJECT
from federation.wire import file_chunks
from protos import federation_pb2 as pb
from protos import federation_pb2_grpc
from storage import CodecError, InvalidTableArgument

log = logging.getLogger("fate_flow.federation")

INLINE_OBJECT_BYTES = 4 << 20  # an awaited object up to this size comes in the reply; larger ones are streamed


def _abort_local(context: grpc.ServicerContext, exc: FederationError) -> None:
    code = grpc.StatusCode.FAILED_PRECONDITION if isinstance(exc, JobEnded) else grpc.StatusCode.NOT_FOUND
    context.abort(code, str(exc))


class FederationServicer(federation_pb2_grpc.FederationServicer, federation_pb2_grpc.LocalFederationServicer):
    """Push and JobState are served on the peer port; Await and ReadObject only on the node's local socket."""

    def __init__(self, receiver: Receiver) -> None:
        self._receiver = receiver

    def Push(self, request_iterator: Iterator[pb.TransferChunk], context: grpc.ServicerContext) -> pb.PushAck:
        try:
            ack = self._receiver.receive(request_iterator, peer_party(context), call_token(context))
        except TransferRefused as exc:
            log.warning("push refused (from %s): %s", context.peer(), exc)
            context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
        except (InvalidTableArgument, CodecError) as exc:
            log.warning("push refused (from %s): %s", context.peer(), exc)
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except FederationError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        except Exception:  # noqa: BLE001 - the stream broke or the node failed: the sender retries
            if not context.is_active():
                log.warning("push from %s ended before it was complete", context.peer())
                context.abort(grpc.StatusCode.CANCELLED, "the push ended before it was complete")
            log.exception("push from %s failed", context.peer())
            context.abort(grpc.StatusCode.INTERNAL, "the receiving node failed to store the push")
        return pb.PushAck(bytes=ack.bytes, rows=ack.rows, duplicate=ack.duplicate)

    def JobState(self, request: pb.JobStateRequest, context: grpc.ServicerContext) -> pb.JobStateReply:
        try:
            running = self._receiver.running(request.job_id, peer_party(context), call_token(context))
        except TransferRefused as exc:
            log.warning("question about job %s refused (from %s): %s", request.job_id, context.peer(), exc)
            context.abort(grpc.StatusCode.PERMISSION_DENIED, str(exc))
        return pb.JobStateReply(running=running)

    def Await(self, request: pb.AwaitRequest, context: grpc.ServicerContext) -> pb.AwaitReply:
        key = transfer_key(request.job_id, request.name, request.tag, request.src, request.dst)
        try:
            found = self._receiver.wait(key, max(0.0, request.timeout_seconds))
            if found is None:
                return pb.AwaitReply(complete=False)
            reply = pb.AwaitReply(complete=True, kind=pb.OBJECT if found.kind == OBJECT else pb.TABLE,
                                  namespace=found.namespace, table_name=found.table_name,
                                  total_bytes=found.bytes, total_rows=found.rows)
            if found.kind == OBJECT and found.bytes <= INLINE_OBJECT_BYTES:
                with self._receiver.open_object(key) as source:
                    reply.object_data = source.read()
        except FederationError as exc:
            _abort_local(context, exc)
        return reply

    def ReadObject(self, request: pb.AwaitRequest, context: grpc.ServicerContext) -> Iterator[pb.TransferChunk]:
        key = transfer_key(request.job_id, request.name, request.tag, request.src, request.dst)
        try:
            source = self._receiver.open_object(key)
        except FederationError as exc:
            _abort_local(context, exc)
        with source:
            header = pb.TransferHeader(job_id=request.job_id, name=request.name, tag=request.tag, src=request.src,
                                       dst=request.dst, kind=pb.OBJECT, total_bytes=os.fstat(source.fileno()).st_size)
            yield from file_chunks(header, source)
