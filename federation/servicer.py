"""The Federation gRPC service: translates pushes and awaits to the receiver, and errors to statuses."""

from __future__ import annotations

import logging
from typing import Iterator

import grpc

from federation.errors import FederationError, TransferRefused, TransferTimeout
from federation.receiver import TABLE, Receiver, transfer_key
from federation.sender import JOB_TOKEN
from federation.tls import peer_party
from protos import federation_pb2 as pb
from protos import federation_pb2_grpc
from storage import CodecError, InvalidTableArgument

log = logging.getLogger("fate_flow.federation")


def _token(context: grpc.ServicerContext) -> str:
    return next((str(value) for key, value in context.invocation_metadata() if key == JOB_TOKEN), "")


class FederationServicer(federation_pb2_grpc.FederationServicer, federation_pb2_grpc.LocalFederationServicer):
    """Push is served on the peer port; Await only on the node's local socket."""

    def __init__(self, receiver: Receiver) -> None:
        self._receiver = receiver

    def Push(self, request_iterator: Iterator[pb.TransferChunk], context: grpc.ServicerContext) -> pb.PushAck:
        try:
            ack = self._receiver.receive(request_iterator, peer_party(context), _token(context))
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

    def Await(self, request: pb.AwaitRequest, context: grpc.ServicerContext) -> pb.AwaitReply:
        key = transfer_key(request.job_id, request.name, request.tag, request.src, request.dst)
        try:
            found = self._receiver.wait(key, max(0.0, request.timeout_seconds))
        except TransferTimeout as exc:
            context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, str(exc))
        kind = pb.TABLE if found.kind == TABLE else pb.OBJECT
        return pb.AwaitReply(kind=kind, object_path=found.object_path, namespace=found.namespace,
                             table_name=found.table_name, bytes=found.bytes, rows=found.rows)
