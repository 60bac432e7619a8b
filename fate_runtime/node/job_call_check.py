"""A gRPC server interceptor of the peer port: a Scheduler call that drives a known job passes ControlAuth first.

WatchJob, StartTask, UpdateJob and StopJob must carry the job's token (and under TLS come from the job's
initiator) before their servicer method runs; a refusal is PERMISSION_DENIED (NOT_FOUND for a job this node
does not know) with ControlAuth's sentence. CheckJob and CreateJob check who creates the job in the servicer,
which needs the parsed plan for it.
"""

from __future__ import annotations

from typing import Any, Callable

import grpc
from google.protobuf.message import Message

from fate_runtime.jobs.control_auth import ControlAuth
from fate_runtime.node.grpc_errors import translate_errors

JOB_CALLS = frozenset(f"/fate_runtime.scheduler.Scheduler/{method}"
                      for method in ("WatchJob", "StartTask", "UpdateJob", "StopJob"))


class _Check:
    def __init__(self, auth: ControlAuth) -> None:
        self._auth = auth

    @translate_errors
    def job_call(self, request: Message, context: grpc.ServicerContext) -> None:
        self._auth.job_call(getattr(request, "job_id"), context)


class JobCallCheck(grpc.ServerInterceptor):
    def __init__(self, auth: ControlAuth) -> None:
        self._check = _Check(auth)

    def _checked(self, behavior: Callable[..., Any]) -> Callable[..., Any]:
        def checked(request: Message, context: grpc.ServicerContext) -> Any:
            self._check.job_call(request, context)
            return behavior(request, context)
        return checked

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None or details.method not in JOB_CALLS:
            return handler
        options = {"request_deserializer": handler.request_deserializer,
                   "response_serializer": handler.response_serializer}
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(self._checked(handler.unary_stream), **options)
        return grpc.unary_unary_rpc_method_handler(self._checked(handler.unary_unary), **options)
