"""Calls to a peer's node with bounded retries and backoff, then one clear error; the push of a transfer."""

from __future__ import annotations

import logging
import time
from typing import Callable, Iterator, TypeVar

import grpc

from federation.errors import PeerUnreachable, TransferRefused
from federation.job_token import token_metadata
from protos import federation_pb2 as pb
from protos import federation_pb2_grpc

log = logging.getLogger("fate_flow.federation")

T = TypeVar("T")

_RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED,
              grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.CANCELLED}
_REFUSED = {grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT,
            grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.FAILED_PRECONDITION}


class RetryPolicy:
    """How often and how patiently to retry a push to an unreachable peer."""

    def __init__(self, attempts: int = 5, first_delay: float = 0.2, factor: float = 2.0,
                 connect_timeout: float = 5.0) -> None:
        self.attempts = attempts
        self.first_delay = first_delay
        self.factor = factor
        self.connect_timeout = connect_timeout

    def delays(self) -> Iterator[float]:
        delay = self.first_delay
        for _ in range(self.attempts - 1):
            yield delay
            delay *= self.factor


def push(channel: grpc.Channel, chunks: Callable[[], Iterator[pb.TransferChunk]], what: str, peer: str,
         retry: RetryPolicy, token: str) -> pb.PushAck:
    """Send one transfer (`chunks()` makes the stream afresh for every attempt) with its job's token."""
    stub = federation_pb2_grpc.FederationStub(channel)
    started = time.monotonic()
    ack = retried(channel, lambda: stub.Push(chunks(), wait_for_ready=False, metadata=token_metadata(token)),
                  retry, f"push of {what} to {peer}", f"cannot send {what} to {peer}", f"{peer} refused {what}")
    log.info("sent %s to %s: %d bytes, %d rows in %.3f s%s", what, peer, ack.bytes, ack.rows,
             time.monotonic() - started, " (already there)" if ack.duplicate else "")
    return ack


def retried(channel: grpc.Channel, call: Callable[[], T], retry: RetryPolicy, doing: str, failed: str,
            refused: str) -> T:
    """`call()` once `channel` is connected, again after each delay of `retry` while the peer is unreachable.

    A refusal raises TransferRefused ("<refused>: <the peer's reason>") at once; a peer that never answers
    PeerUnreachable ("<failed>: <why> (gave up after N attempts)"). Each failed attempt is logged as `doing`.
    """
    delays = retry.delays()
    attempt = 0
    while True:
        attempt += 1
        try:
            _connect(channel, retry.connect_timeout)
            return call()
        except grpc.RpcError as exc:
            code = exc.code()
            if code in _REFUSED:
                raise TransferRefused(f"{refused}: {exc.details()}") from None
            delay = next(delays, None) if code in _RETRYABLE else None
            log.warning("%s failed (attempt %d): %s %s", doing, attempt, code, exc.details())
            if delay is None:
                raise PeerUnreachable(f"{failed}: {_reason(code)} (gave up after {attempt} attempts)") from None
            time.sleep(delay)


class _NotConnected(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "could not connect"


def _connect(channel: grpc.Channel, timeout: float) -> None:
    """Wait (a bounded time) until the channel is connected: this makes it try now."""
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        raise _NotConnected() from None


def _reason(code: grpc.StatusCode) -> str:
    return {grpc.StatusCode.UNAVAILABLE: "it is not reachable",
            grpc.StatusCode.DEADLINE_EXCEEDED: "it did not answer in time",
            grpc.StatusCode.RESOURCE_EXHAUSTED: "it is out of resources"}.get(code, "the transfer failed")
