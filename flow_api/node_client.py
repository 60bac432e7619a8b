"""The REST layer's gRPC connection to its node, and gRPC errors as FATE retcodes."""

from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

import grpc

from federation import TlsConfig, open_channel
from flow_api.envelope import EXCEPTION_ERROR, NOT_FOUND, ApiError
from protos import flow_pb2_grpc, inference_service_pb2_grpc, storage_pb2_grpc

log = logging.getLogger("fate_flow.rest")

T = TypeVar("T")

# Status codes whose message the node wrote for people to read.
_NODE_MESSAGES = {
    grpc.StatusCode.INVALID_ARGUMENT: EXCEPTION_ERROR,
    grpc.StatusCode.ALREADY_EXISTS: EXCEPTION_ERROR,
    grpc.StatusCode.FAILED_PRECONDITION: EXCEPTION_ERROR,
    grpc.StatusCode.ABORTED: NOT_FOUND,
    grpc.StatusCode.INTERNAL: EXCEPTION_ERROR,
    grpc.StatusCode.NOT_FOUND: NOT_FOUND,
}


def api_error(exc: grpc.RpcError, target: str) -> ApiError:
    """An ApiError with one readable sentence for a failed call; the raw status goes to the log."""
    code = exc.code()
    job_id = next((str(item.value) for item in exc.trailing_metadata() or () if item.key == "job-id"), "")
    if code in _NODE_MESSAGES:
        return ApiError(exc.details() or "the node refused the request", _NODE_MESSAGES[code], job_id)
    log.warning("call to node %s failed: %s %s", target, code, exc.details())
    if code == grpc.StatusCode.UNAVAILABLE:
        return ApiError(f"the node's gRPC service at {target} is not reachable")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return ApiError("the node did not answer in time")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return ApiError("the request is too large for the node")
    return ApiError(f"the node could not handle the request ({code.name.lower()})", job_id=job_id)


class NodeClient:
    """Stubs for the node's services over one channel; with TLS, as `party` (the node's own certificate)."""

    def __init__(self, target: str, tls: TlsConfig | None = None, party: str | None = None) -> None:
        self.target = target
        self._channel = open_channel(target, tls, party)
        self.flow = flow_pb2_grpc.FlowStub(self._channel)
        self.storage = storage_pb2_grpc.StorageStub(self._channel)
        self.inference = inference_service_pb2_grpc.InferenceServiceStub(self._channel)

    def call(self, method: Callable[..., T], request: Any, **kwargs: Any) -> T:
        """method(request), with a failed call raised as ApiError."""
        try:
            return method(request, **kwargs)
        except grpc.RpcError as exc:
            raise api_error(exc, self.target) from None

    def close(self) -> None:
        self._channel.close()
