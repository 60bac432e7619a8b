"""The board's calls of the node: a refusal keeps the node's sentence and gets the HTTP status it deserves."""

from __future__ import annotations

from typing import Any, Callable, Iterator, TypeVar

import grpc
from flask import current_app

from flow_api.envelope import ApiError
from flow_api.node_client import NodeClient, api_error

T = TypeVar("T")

_HTTP_STATUS = {grpc.StatusCode.INVALID_ARGUMENT: 400, grpc.StatusCode.NOT_FOUND: 404,
                grpc.StatusCode.PERMISSION_DENIED: 403, grpc.StatusCode.UNAVAILABLE: 503,
                grpc.StatusCode.DEADLINE_EXCEEDED: 504}


def node() -> NodeClient:
    return current_app.config["NODE"]


def board_error(exc: grpc.RpcError, target: str) -> ApiError:
    error = api_error(exc, target)
    error.http_status = _HTTP_STATUS.get(exc.code(), 500)
    return error


def call(method: Callable[..., T], request: Any) -> T:
    """method(request) of the node; a failure raised as ApiError with its HTTP status."""
    try:
        return method(request)
    except grpc.RpcError as exc:
        raise board_error(exc, node().target) from None


def every(method: Callable[..., Iterator[T]], request: Any) -> list[T]:
    """Every message of a server stream of the node."""
    return call(lambda message: list(method(message)), request)


def found_or_none(method: Callable[..., T], request: Any) -> T | None:
    """call(), with None when the node has nothing of the kind (NOT_FOUND: a component that has not run, a component
    without output data)."""
    try:
        return call(method, request)
    except ApiError as error:
        if error.http_status == 404:
            return None
        raise
