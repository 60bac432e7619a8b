"""/board/events: the node's job changes as server-sent events, one gRPC watch stream per open page.

Each event is `event: job` with one job row (the board's shape) as its data; a comment line every
KEEPALIVE_SECONDS keeps the connection open and finds a client that went away. A stream ends when
the client goes (its next write fails), when the node ends the watch (it stops), or when a client
that stopped reading leaves a write blocked for WRITE_TIMEOUT_SECONDS. At most MAX_STREAMS are open
at once; more are refused with HTTP 503.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from typing import Any, Iterator

import grpc
from flask import Response, request

from flow_api.board import shapes
from flow_api.board.calls import node
from flow_api.envelope import ApiError
from protos import flow_pb2

log = logging.getLogger("fate_flow.rest")

MAX_STREAMS = 32
KEEPALIVE_SECONDS = 15
WRITE_TIMEOUT_SECONDS = 60
RETRY_MILLISECONDS = 3000


class StreamSlots:
    """A bounded number of open event streams, and how often each sends a keep-alive."""

    def __init__(self, limit: int = MAX_STREAMS, keepalive: int = KEEPALIVE_SECONDS) -> None:
        self.limit = limit
        self.keepalive = keepalive
        self._open = 0
        self._lock = threading.Lock()

    @property
    def open(self) -> int:
        with self._lock:
            return self._open

    def take(self) -> None:
        with self._lock:
            if self._open >= self.limit:
                raise ApiError(f"the board has {self.limit} event streams open already; close a board tab and "
                               "reload this one", http_status=503)
            self._open += 1

    def give_back(self) -> None:
        with self._lock:
            self._open -= 1


def _event(change: flow_pb2.JobChange) -> str:
    if change.WhichOneof("change") == "job":
        return f"event: job\ndata: {json.dumps(shapes.job(change.job))}\n\n"
    return ": keep-alive\n\n"


class _Stream:
    """One page's event stream: its slot is given back and its watch cancelled exactly once, whichever end goes."""

    def __init__(self, slots: StreamSlots, watch: Any) -> None:
        self._slots = slots
        self._watch = watch
        self._closed = False
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._watch.cancel()
        self._slots.give_back()

    def lines(self) -> Iterator[str]:
        try:
            yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n"
            for change in self._watch:
                yield _event(change)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.CANCELLED:
                log.warning("the board's event stream from the node ended: %s %s", exc.code(), exc.details())
        finally:
            self.close()


def event_stream(slots: StreamSlots) -> Response:
    slots.take()
    try:
        watch = node().flow.WatchJobs(flow_pb2.WatchJobsRequest(keepalive_seconds=slots.keepalive))
    except BaseException:
        slots.give_back()
        raise
    stream = _Stream(slots, watch)
    connection = request.environ.get("werkzeug.socket")
    if isinstance(connection, socket.socket):
        connection.settimeout(WRITE_TIMEOUT_SECONDS)  # a client that stops reading cannot hold the thread
    response = Response(stream.lines(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    response.call_on_close(stream.close)  # also when the body is never read
    return response
