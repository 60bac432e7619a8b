"""Pushes the receiver must refuse: unknown job, party not in the job, undeclared or wrong-way variables.

A refusal is TransferRefused on the sender (PERMISSION_DENIED on the wire, never retried) and
leaves nothing on the receiver: no table, no object file, nothing a `get` could return.
"""

from __future__ import annotations

from typing import Iterator

import grpc
import pytest

import federation.client
from federation import (Declarations, FederationClient, FederationError, PeerUnreachable, RetryPolicy, RouteTable,
                        TransferRefused, TransferTimeout, TransferVariable)
from federation_helpers import (Cluster, federation_stub, job_id, job_token, make_table, object_files, object_stream,
                                received_tables, staging_entries, table_stream)
from integration_helpers import free_port
from storage import Table, encode

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST, ARBITER = "9999", "10000", "10001"
REGISTERED = [
    TransferVariable("g2h", "guest", ("host",)),
    TransferVariable("h2g", "host", ("guest",)),
]


@pytest.fixture(scope="module")
def job(cluster3: Cluster) -> str:
    job = job_id("refuse")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, REGISTERED, parties=[GUEST, HOST])
    return job


@pytest.fixture(scope="module")
def table(cluster3: Cluster, job: str) -> Table:
    return make_table(cluster3.store(GUEST), "fedtest", f"refuse_{job}", 2, list(range(3000)),
                      [str(i) for i in range(3000)])


@pytest.fixture
def nothing_stored(cluster3: Cluster, job: str) -> Iterator[None]:
    """After the test: the host node stored nothing for the job (and for the unknown job ids used)."""
    node = cluster3.node(HOST)
    files = object_files(node)
    yield
    assert object_files(node) == files
    assert received_tables(node, job) == []
    assert staging_entries(node) == []


def _refused(call, *words: str) -> str:
    with pytest.raises(TransferRefused) as caught:
        call()
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def _never_arrives(client, name: str, tag: str, src: tuple[str, str]) -> None:
    with pytest.raises(TransferTimeout):
        client.get(name, tag, [src], timeout=0.2)


def test_unknown_job_is_refused(cluster3: Cluster, job: str, table: Table, nothing_stored: None) -> None:
    unknown = job_id("never_registered")
    guest = cluster3.client(unknown, "guest", GUEST, REGISTERED, retry=RetryPolicy(5, 0.05))
    message = _refused(lambda: guest.remote({"a": 1}, "g2h", "t", [("host", HOST)]), unknown, "host", HOST)
    assert "not known" in message
    _refused(lambda: guest.remote(table, "g2h", "t_table", [("host", HOST)]), unknown)
    host = cluster3.client(unknown, "host", HOST, REGISTERED)
    _never_arrives(host, "g2h", "t", ("guest", GUEST))
    _never_arrives(host, "g2h", "t_table", ("guest", GUEST))
    assert received_tables(cluster3.node(HOST), unknown) == []


def test_source_party_not_in_the_job_is_refused(cluster3: Cluster, job: str, table: Table,
                                                nothing_stored: None) -> None:
    # a process on the guest's node that claims to be guest 8888 (not a party of the job)
    routes = RouteTable(["8888"], cluster3.node(GUEST).address, {HOST: cluster3.node(HOST).address})
    impostor = FederationClient(job, "guest", "8888", routes, Declarations(REGISTERED), cluster3.store(GUEST),
                                cluster3.node(GUEST).local_target, job_token(job), retry=RetryPolicy(5, 0.05))
    _refused(lambda: impostor.remote("x", "g2h", "from_8888", [("host", HOST)]), "8888", job)
    _refused(lambda: impostor.remote(table, "g2h", "from_8888_table", [("host", HOST)]), "8888")
    host = cluster3.client(job, "host", HOST, REGISTERED)
    _never_arrives(host, "g2h", "from_8888", ("guest", "8888"))


def test_party_in_the_wrong_role_is_refused(cluster3: Cluster, job: str, nothing_stored: None) -> None:
    # host 10000 claims to be the guest: 10000 is a party of the job, but not a guest
    channel, stub = federation_stub(cluster3.node(HOST).address)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            stub.Push(iter(object_stream(job, "g2h", "wrong_role", ("guest", HOST), ("host", HOST), encode(1))),
                      timeout=30)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # a destination the node does not serve, or not in the job
        for dst in (("host", GUEST), ("host", ARBITER), ("arbiter", HOST)):
            with pytest.raises(grpc.RpcError) as caught:
                stub.Push(iter(object_stream(job, "g2h", "wrong_dst", ("guest", GUEST), dst, encode(1))), timeout=30)
            assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED, dst
    finally:
        channel.close()


def test_destination_served_by_another_node_is_refused(cluster3: Cluster, job: str, nothing_stored: None) -> None:
    """A push for host 10000 sent to the guest's node: that node does not serve 10000."""
    channel, stub = federation_stub(cluster3.node(GUEST).address)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            stub.Push(iter(object_stream(job, "g2h", "misrouted", ("guest", GUEST), ("host", HOST), encode(1))),
                      timeout=30)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert HOST in caught.value.details()
    finally:
        channel.close()
    assert received_tables(cluster3.node(GUEST), job) == []


def test_undeclared_variable_is_refused_before_sending(cluster3: Cluster, job: str, table: Table,
                                                      nothing_stored: None) -> None:
    guest = cluster3.client(job, "guest", GUEST, REGISTERED)
    _refused(lambda: guest.remote(1, "undeclared", "t", [("host", HOST)]), "undeclared")
    _refused(lambda: guest.remote(table, "undeclared", "t", [("host", HOST)]), "undeclared")
    host = cluster3.client(job, "host", HOST, REGISTERED)
    _refused(lambda: host.get("undeclared", "t", [("guest", GUEST)], timeout=0.2), "undeclared")


def test_sender_side_check_covers_every_target_before_sending_any(cluster3: Cluster, job: str,
                                                                  nothing_stored: None) -> None:
    guest = cluster3.client(job, "guest", GUEST, REGISTERED)
    # host is a declared destination, guest is not: nothing goes to host either
    _refused(lambda: guest.remote(1, "g2h", "partly", [("host", HOST), ("guest", GUEST)]), "g2h")
    host = cluster3.client(job, "host", HOST, REGISTERED)
    _never_arrives(host, "g2h", "partly", ("guest", GUEST))


def test_undeclared_variable_pushed_straight_to_the_node_is_permission_denied(cluster3: Cluster, job: str,
                                                                             nothing_stored: None) -> None:
    channel, stub = federation_stub(cluster3.node(HOST).address)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            stub.Push(iter(object_stream(job, "undeclared", "t", ("guest", GUEST), ("host", HOST), encode(1))),
                      timeout=30)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "undeclared" in caught.value.details()
        pairs = [(encode(i), encode(i)) for i in range(100)]
        with pytest.raises(grpc.RpcError) as caught:
            stub.Push(iter(table_stream(job, "undeclared", "t2", ("guest", GUEST), ("host", HOST), pairs, 2)),
                      timeout=30)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        channel.close()


def test_variable_declared_only_the_other_way_is_refused_by_the_receiver(cluster3: Cluster, job: str,
                                                                        table: Table,
                                                                        nothing_stored: None) -> None:
    # The node registered h2g as host -> guest only; a client whose own declarations (wrongly) allow
    # guest -> host is refused by the receiving node.
    lax = REGISTERED + [TransferVariable("h2g", "guest", ("host",))]
    guest = cluster3.client(job, "guest", GUEST, lax, retry=RetryPolicy(5, 0.05))
    _refused(lambda: guest.remote("x", "h2g", "wrong_way", [("host", HOST)]), "h2g", "guest", "host")
    _refused(lambda: guest.remote(table, "h2g", "wrong_way_table", [("host", HOST)]), "h2g")
    # with the job's own declarations the sender refuses before sending
    strict = cluster3.client(job, "guest", GUEST, REGISTERED)
    _refused(lambda: strict.remote("x", "h2g", "wrong_way", [("host", HOST)]), "h2g", "guest", "host")
    host = cluster3.client(job, "host", HOST, lax)
    _never_arrives(host, "h2g", "wrong_way", ("guest", GUEST))


def test_party_without_a_route_is_named(cluster3: Cluster, job: str) -> None:
    variables = [TransferVariable("g2h", "guest", ("host",))]
    guest = cluster3.client(job, "guest", GUEST, variables)
    with pytest.raises(FederationError, match="7777"):
        guest.remote(1, "g2h", "no_route", [("host", "7777")])


def test_refusal_is_not_retried(cluster3: Cluster, job: str, nothing_stored: None,
                                monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A refused push fails at its first attempt: it is not retried as if the peer were unreachable."""
    pushes: list[str] = []

    class CountPushes(grpc.StreamUnaryClientInterceptor):
        def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
            pushes.append(client_call_details.method)
            return continuation(client_call_details, request_iterator)

    real_open_channel = federation.client.open_channel
    monkeypatch.setattr(federation.client, "open_channel",
                        lambda *args, **kwargs: grpc.intercept_channel(real_open_channel(*args, **kwargs),
                                                                       CountPushes()))
    unknown = job_id("not_retried")
    guest = cluster3.client(unknown, "guest", GUEST, REGISTERED, retry=RetryPolicy(4, 0.01))
    _refused(lambda: guest.remote(1, "g2h", "t", [("host", HOST)]), unknown)
    assert len(pushes) == 1, pushes
    # (while an unreachable peer is tried every attempt)
    gone = FederationClient(job, "guest", GUEST, RouteTable([GUEST], cluster3.node(GUEST).address,
                                                             {"7777": f"127.0.0.1:{free_port()}"}),
                            Declarations(REGISTERED), cluster3.store(GUEST), cluster3.node(GUEST).local_target,
                            job_token(job), retry=RetryPolicy(4, 0.01, connect_timeout=0.5))
    caplog.clear()
    with caplog.at_level("WARNING", logger="fate_flow.federation"), pytest.raises(PeerUnreachable):
        gone.remote(1, "g2h", "t", [("host", "7777")])
    attempts = [r for r in caplog.records if "failed (attempt" in r.getMessage()]
    assert len(attempts) == 4, [r.getMessage() for r in attempts]
