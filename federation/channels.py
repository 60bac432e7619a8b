"""The one place that sets gRPC transport options: every client channel (to a peer's node, to a node's
local socket, from the REST layer) and every server of a node.

Message limits are the same on both ends. Calls that are safe to repeat may be named in `retried`:
their channel's service config retries them (with backoff) when a peer is briefly unavailable.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import grpc

from federation.tls import TlsConfig, server_name

MAX_MESSAGE = 128 << 20  # chunks are ~1 MiB; only a single larger table value makes a larger one

_MESSAGE_LIMITS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE),
    ("grpc.max_send_message_length", MAX_MESSAGE),
]

KEEPALIVE_MS = 30_000  # a client pings its server this often, so a dead peer under a quiet stream is noticed

_CLIENT_OPTIONS = [
    *_MESSAGE_LIMITS,
    ("grpc.keepalive_timeout_ms", 10_000),
    # Reconnect as quickly as the sender's own retries ask, not after gRPC's default growing
    # delay (up to 120 s), so a peer that is back is reached on the next attempt.
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2_000),
]

# gRPC makes at most 5 attempts of a call; with these delays they span about 1.5 s (plus reconnecting).
_RETRY_POLICY = {"maxAttempts": 5, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,
                 "retryableStatusCodes": ["UNAVAILABLE"]}

Method = tuple[str, str]  # (full service name, method name), e.g. ("fate_runtime.scheduler.Scheduler", "StopJob")


def _service_config(retried: Sequence[Method]) -> list[tuple[str, Any]]:
    if not retried:
        return []
    names = [{"service": service, "method": method} for service, method in retried]
    config = {"methodConfig": [{"name": names, "retryPolicy": _RETRY_POLICY}]}
    return [("grpc.enable_retries", 1), ("grpc.service_config", json.dumps(config))]


def open_channel(target: str, tls: TlsConfig | None = None, server_party: str | None = None,
                 retried: Sequence[Method] = ()) -> grpc.Channel:
    """A channel to the node at `target` (host:port or unix:path); with TLS, that node must prove it serves
    `server_party`. The `retried` methods are retried on UNAVAILABLE: name only calls that are safe to repeat."""
    options = [*_CLIENT_OPTIONS, ("grpc.keepalive_time_ms", KEEPALIVE_MS), *_service_config(retried)]
    if tls is None:
        return grpc.insecure_channel(target, options=options)
    if server_party is None:
        raise ValueError("a TLS channel needs the party id whose certificate its server must show "
                         "(server_party); without TLS (tls=None) it needs none")
    options.append(("grpc.ssl_target_name_override", server_name(server_party)))
    return grpc.secure_channel(target, tls.channel_credentials(), options=options)


def server_options() -> list[tuple[str, Any]]:
    """The options of a node's gRPC servers: the same message limits as its clients', and their keepalive pings
    welcome however long a stream stays quiet (gRPC's default takes a ping more often than every 5 minutes on a
    stream without data as abuse and closes the connection after two: a job's watch stream broke ~2 minutes into
    a long task)."""
    return [*_MESSAGE_LIMITS, ("grpc.http2.min_recv_ping_interval_without_data_ms", KEEPALIVE_MS // 2),
            ("grpc.http2.max_ping_strikes", 0)]
