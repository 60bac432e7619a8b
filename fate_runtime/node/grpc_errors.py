"""Turning the node's errors into gRPC status codes with one-sentence messages."""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, TypeVar

import grpc

from fate_runtime.errors import BadRequest, Conflict, FlowError, Forbidden, JobFailed, NotFound, disk_full
from storage import CodecError, InvalidTableArgument, TableExists, TableNotFound

log = logging.getLogger("fate_flow.grpc")

F = TypeVar("F", bound=Callable[..., Any])

_CODES: list[tuple[type[BaseException], grpc.StatusCode]] = [
    (BadRequest, grpc.StatusCode.INVALID_ARGUMENT),
    (InvalidTableArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (CodecError, grpc.StatusCode.INVALID_ARGUMENT),
    (Conflict, grpc.StatusCode.ALREADY_EXISTS),
    (TableExists, grpc.StatusCode.ALREADY_EXISTS),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (TableNotFound, grpc.StatusCode.NOT_FOUND),
    (JobFailed, grpc.StatusCode.ABORTED),
    (Forbidden, grpc.StatusCode.PERMISSION_DENIED),
]


def _abort(context: grpc.ServicerContext, exc: BaseException, method: str) -> None:
    full = disk_full(exc)
    if full is not None:
        log.error("%s failed: %s", method, full, exc_info=exc)
        context.abort(grpc.StatusCode.INTERNAL, full)
    for kind, code in _CODES:
        if isinstance(exc, kind):
            job_id = getattr(exc, "job_id", "") if isinstance(exc, FlowError) else ""
            if job_id:
                context.set_trailing_metadata((("job-id", job_id),))
            log.info("%s refused: %s", method, exc)
            context.abort(code, str(exc))
    log.exception("%s failed", method)
    context.abort(grpc.StatusCode.INTERNAL, f"the node failed to run {method}; its log has the details")


def translate_errors(method: F) -> F:
    """Decorator for unary-reply servicer methods: domain errors become status codes.

    The decorated methods never call `context.abort` themselves; they raise.
    """

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as exc:  # noqa: BLE001 - every error must become a status
            _abort(context, exc, method.__name__)

    return wrapper  # type: ignore[return-value]


def translate_stream_errors(method: F) -> F:
    """Decorator for server-streaming servicer methods."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            yield from method(self, request, context)
        except Exception as exc:  # noqa: BLE001
            _abort(context, exc, method.__name__)

    return wrapper  # type: ignore[return-value]
