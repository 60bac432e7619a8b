"""One place that builds gRPC channels between nodes: message limits, keepalive, TLS."""

from __future__ import annotations

import grpc

from federation.tls import TlsConfig, server_name

MAX_MESSAGE = 128 << 20  # chunks are ~1 MiB; only a single larger table value makes a larger one

CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE),
    ("grpc.max_send_message_length", MAX_MESSAGE),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    # Reconnect as quickly as the sender's own retries ask, not after gRPC's default growing
    # delay (up to 120 s), so a peer that is back is reached on the next attempt.
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2_000),
]


def open_channel(address: str, tls: TlsConfig | None = None, server_party: str | None = None) -> grpc.Channel:
    """A channel to the node at `address`; with TLS, that node must prove it serves `server_party`."""
    if tls is None:
        return grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
    if server_party is None:
        raise ValueError("a TLS channel needs the party id its server must prove")
    options = [*CHANNEL_OPTIONS, ("grpc.ssl_target_name_override", server_name(server_party))]
    return grpc.secure_channel(address, tls.channel_credentials(), options=options)
