"""The one channel helper: message limits shared by clients and servers, retries of the calls named safe to
repeat, and a clear error for a TLS channel without the party its server must prove."""

from __future__ import annotations

import time
from concurrent import futures
from typing import Iterator

import grpc
import pytest

from federation import TlsConfig, open_channel, server_options
from federation_helpers import FlakyProxy

SERVICE, METHOD = "test.Echo", "Echo"


@pytest.fixture
def echo_address() -> Iterator[str]:
    """An echo server (bytes in, the same bytes out) with a node's server options, on a free loopback port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=server_options())
    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: request)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, {METHOD: handler})])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(0)


def _echo(channel: grpc.Channel, data: bytes) -> bytes:
    return channel.unary_unary(f"/{SERVICE}/{METHOD}")(data, timeout=30)


def test_a_message_far_over_grpc_s_default_limit_crosses_both_ways(echo_address: str) -> None:
    data = bytes(range(256)) * ((40 << 20) // 256)  # (gRPC's default limit is 4 MiB, the REST layer's was 16 MiB)
    with open_channel(echo_address) as channel:
        assert _echo(channel, data) == data


def test_the_calls_named_safe_to_repeat_are_retried_while_the_server_is_unavailable(echo_address: str) -> None:
    for retried, expected in (((), grpc.StatusCode.UNAVAILABLE), (((SERVICE, METHOD),), None)):
        proxy = FlakyProxy(echo_address, drop_first=1)  # the first connection fails, as a restarting server's
        try:
            with open_channel(proxy.address, retried=retried) as channel:
                if expected is None:
                    assert _echo(channel, b"again") == b"again"
                    assert proxy.accepted == 2
                else:
                    with pytest.raises(grpc.RpcError) as caught:
                        _echo(channel, b"once")
                    assert caught.value.code() == expected
                    assert proxy.accepted == 1
        finally:
            proxy.close()


def test_a_tls_channel_must_name_the_party_of_its_server(tmp_path) -> None:
    tls = TlsConfig(str(tmp_path / "node.crt"), str(tmp_path / "node.key"), str(tmp_path / "ca.pem"))
    with pytest.raises(ValueError, match="server_party"):
        open_channel("127.0.0.1:9360", tls)



def test_servers_take_their_clients_keepalive_pings_on_quiet_streams() -> None:
    """gRPC's default server closes a connection whose client pings more often than every 5 minutes while a stream
    sends nothing (GOAWAY "too_many_pings" after two strikes): a node's servers take one every half keepalive."""
    import federation.channels

    options = dict(server_options())
    assert options["grpc.http2.min_recv_ping_interval_without_data_ms"] <= federation.channels.KEEPALIVE_MS
    assert options["grpc.http2.max_ping_strikes"] == 0


@pytest.mark.slow
def test_a_stream_quiet_longer_than_four_keepalive_pings_stays_open() -> None:
    """The real thing (about 2.5 minutes; --run-slow): a server stream that sends nothing for 150 s - a job's watch
    stream while a long task runs - keeps its connection (it broke at 120 s before the servers took the pings)."""
    def quiet(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
        yield b"started"
        deadline = time.monotonic() + 150
        while context.is_active() and time.monotonic() < deadline:
            time.sleep(0.5)
        yield b"done"

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=server_options())
    handler = grpc.unary_stream_rpc_method_handler(quiet)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, {"Quiet": handler})])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with open_channel(f"127.0.0.1:{port}") as channel:
            assert list(channel.unary_stream(f"/{SERVICE}/Quiet")(b"", timeout=300)) == [b"started", b"done"]
    finally:
        server.stop(0)
