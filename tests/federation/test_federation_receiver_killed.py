"""The receiving node dies (SIGKILL) in the middle of a table push.

The sender gives up after its bounded retries with PeerUnreachable naming the peer and the
variable; the receiver, restarted on the same port and data dir, takes the push again and
holds every row exactly once. The push is paused (inside the table's own batches) until the
receiver has been killed, so the kill always lands mid-stream.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator

import grpc
import pytest

from federation import (Declarations, FederationClient, FederationError, PeerUnreachable, RetryPolicy, RouteTable,
                        TransferTimeout, TransferVariable)
from federation_helpers import (Cluster, FlakyProxy, federation_stub, job_id, job_token, make_table, object_files,
                                object_stream, staging_entries, start_cluster, table_digest, table_stream, wait_for,
                                wait_reachable)
from integration_helpers import reap_all
from storage import Table, encode

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST = "9999", "10000"
VARIABLES = [TransferVariable("rows", "guest", ("host",))]
ROWS = 400_000


class PausingTable(Table):
    """A table handle whose push pauses after a few batches until `resume` is set (the first time only)."""

    def __init__(self, table: Table, after_batches: int) -> None:
        super().__init__(table.store, table.directory, table.meta)
        self.after_batches = after_batches
        self.paused = threading.Event()
        self.resume = threading.Event()
        self._sent = 0

    def encoded_batches(self, index: int) -> Iterator[list[tuple[bytes, bytes]]]:
        for batch in super().encoded_batches(index):
            yield batch
            self._sent += 1
            if self._sent == self.after_batches and not self.paused.is_set():
                self.paused.set()
                assert self.resume.wait(120), "the test never resumed the push"


def test_receiver_killed_mid_transfer_then_restarted(pair: Cluster) -> None:
    cluster = pair
    job = job_id("killed")
    cluster.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
    host_node = cluster.node(HOST)
    keys = list(range(ROWS))
    source = make_table(cluster.store(GUEST), "fedtest", f"killed_{job}", 4, keys, [(k, "payload") for k in keys])
    del keys
    pausing = PausingTable(source, after_batches=6)
    guest = cluster.client(job, "guest", GUEST, VARIABLES, retry=RetryPolicy(3, 0.05))

    outcome: list[Any] = []

    def push() -> None:
        try:
            guest.remote(pausing, "rows", "epoch.1", [("host", HOST)])
            outcome.append("completed")
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            outcome.append(exc)

    sender = threading.Thread(target=push, name="push", daemon=True)
    sender.start()
    try:
        assert pausing.paused.wait(120), f"the push never started: {outcome}"
        # the receiver has begun to stage the table (the chunks sent so far may still be on their way)
        wait_for(lambda: staging_entries(host_node) != [], what="the receiver starting to stage the table")
        host_node.kill()
    finally:
        pausing.resume.set()
    sender.join(120)
    assert not sender.is_alive(), "the sender hung after the receiver died"

    assert len(outcome) == 1 and isinstance(outcome[0], FederationError), outcome
    error = outcome[0]
    assert isinstance(error, PeerUnreachable), repr(error)
    message = str(error)
    for word in ("host", HOST, host_node.address, "'rows'", "epoch.1", job):
        assert word in message, f"{word!r} not in {message!r}"
    assert "3 attempts" in message, message

    # the receiver comes back on the same port and data dir; the job is still registered there
    host_node.start()
    wait_reachable(host_node.address)  # (see test_retries_reach_a_peer_that_is_back for why)
    host = cluster.client(job, "host", HOST, VARIABLES)
    with pytest.raises(TransferTimeout):
        host.get("rows", "epoch.1", [("guest", GUEST)], timeout=0.2)  # the cut-off push is not visible
    guest.remote(source, "rows", "epoch.1", [("host", HOST)])
    (received,) = host.get("rows", "epoch.1", [("guest", GUEST)], timeout=60)
    assert received.count() == ROWS
    assert received.partition_counts() == source.partition_counts()
    assert table_digest(received) == table_digest(source)
    seen = 0
    for key, value in received.collect():
        assert value == (key, "payload")
        seen += 1
    assert seen == ROWS
    # pushing it once more changes nothing
    guest.remote(source, "rows", "epoch.1", [("host", HOST)])
    assert received.count() == ROWS


def test_sender_to_a_dead_node_gives_up_with_a_clear_error(pair: Cluster) -> None:
    cluster = pair
    job = job_id("dead")
    cluster.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
    host_node = cluster.node(HOST)
    guest = cluster.client(job, "guest", GUEST, VARIABLES, retry=RetryPolicy(2, 0.01))
    guest.remote("before", "rows", "before", [("host", HOST)])
    host_node.stop()
    with pytest.raises(PeerUnreachable) as caught:
        guest.remote({"a": 1}, "rows", "t", [("host", HOST)])
    message = str(caught.value)
    for word in ("host", HOST, host_node.address, "'rows'", job, "2 attempts"):
        assert word in message, f"{word!r} not in {message!r}"
    host_node.start()
    wait_reachable(host_node.address)
    guest.remote({"a": 1}, "rows", "t", [("host", HOST)])
    host = cluster.client(job, "host", HOST, VARIABLES)
    assert host.get("rows", "t", [("guest", GUEST)], timeout=30) == [{"a": 1}]
    # what was received before the restart is still known: pushing it again stores nothing
    channel, stub = federation_stub(host_node.address)
    try:
        ack = stub.Push(iter(object_stream(job, "rows", "before", ("guest", GUEST), ("host", HOST),
                                           encode("changed"))), timeout=30)
    finally:
        channel.close()
    assert ack.duplicate
    assert host.get("rows", "before", [("guest", GUEST)], timeout=30) == ["before"]


def test_restart_after_a_crash_mid_push_leaves_nothing_half_received(tmp_path) -> None:
    """Pushes of a table and of an object cut off by a crash leave no staged table and no partial object
    once the node has started again."""
    cluster = start_cluster(tmp_path, [HOST])
    try:
        node = cluster.node(HOST)
        job = job_id("crash_leftovers")
        cluster.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
        pairs = [(encode(i), encode("v" * 50)) for i in range(20_000)]
        table_push = table_stream(job, "rows", "t", ("guest", GUEST), ("host", HOST), pairs, 2, rows_per_chunk=1000)
        object_push = object_stream(job, "rows", "o", ("guest", GUEST), ("host", HOST), encode(bytes(5 << 20)))
        release = threading.Event()

        def paused(chunks: list) -> Iterator:
            yield from chunks[:4]
            release.wait(60)  # never sends the rest: the node dies first

        partial_objects = lambda: [f for f in object_files(node) if f.endswith(".part")]  # noqa: E731
        channel, stub = federation_stub(node.address)
        pushes = [threading.Thread(target=_ignore_errors, args=(lambda c=chunks: stub.Push(paused(c), timeout=60),),
                                   daemon=True) for chunks in (table_push, object_push)]
        for push in pushes:
            push.start()
        try:
            wait_for(lambda: staging_entries(node) != [] and partial_objects() != [],
                     what="the receiver staging the table and the object")
            node.kill()
        finally:
            release.set()
            for push in pushes:
                push.join(60)
            channel.close()
        assert staging_entries(node) and partial_objects()  # the crash left them
        node.start()
        assert staging_entries(node) == []
        assert partial_objects() == []
        # and the same pushes, complete, are taken as new
        wait_reachable(node.address)
        channel, stub = federation_stub(node.address)
        try:
            assert not stub.Push(iter(table_push), timeout=60).duplicate
            assert not stub.Push(iter(object_push), timeout=60).duplicate
        finally:
            channel.close()
        host = cluster.client(job, "host", HOST, VARIABLES)
        assert host.get("rows", "t", [("guest", GUEST)], timeout=30)[0].count() == 20_000
        assert host.get("rows", "o", [("guest", GUEST)], timeout=30) == [bytes(5 << 20)]
    finally:
        reap_all(cluster.nodes.values())


def _ignore_errors(call) -> None:
    try:
        call()
    except grpc.RpcError:
        pass


def test_retries_reach_a_peer_that_is_back(cluster3: Cluster) -> None:
    job = job_id("flaky")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    proxy = FlakyProxy(cluster3.node(HOST).address, drop_first=1)
    try:
        routes = RouteTable([GUEST], cluster3.node(GUEST).address, {HOST: proxy.address})
        guest = FederationClient(job, "guest", GUEST, routes, Declarations(VARIABLES), cluster3.store(GUEST),
                                 cluster3.node(GUEST).local_target, job_token(job), retry=RetryPolicy(4, 0.05))
        try:
            guest.remote({"a": 1}, "rows", "t", [("host", HOST)])  # the first connection is dropped
        finally:
            guest.close()
            attempts_that_reached_the_peer = proxy.accepted
    finally:
        proxy.close()
    assert attempts_that_reached_the_peer >= 2
    host = cluster3.client(job, "host", HOST, VARIABLES)
    assert host.get("rows", "t", [("guest", GUEST)], timeout=30) == [{"a": 1}]


def test_push_through_a_forwarding_proxy(cluster3: Cluster) -> None:
    """The proxy of the test above forwards faithfully once it stops dropping connections."""
    job = job_id("proxy")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    proxy = FlakyProxy(cluster3.node(HOST).address, drop_first=0)
    try:
        routes = RouteTable([GUEST], cluster3.node(GUEST).address, {HOST: proxy.address})
        guest = FederationClient(job, "guest", GUEST, routes, Declarations(VARIABLES), cluster3.store(GUEST),
                                 cluster3.node(GUEST).local_target, job_token(job), retry=RetryPolicy(4, 0.05))
        try:
            guest.remote({"a": 2}, "rows", "t", [("host", HOST)])
        finally:
            guest.close()
    finally:
        proxy.close()
    assert proxy.accepted == 1
    host = cluster3.client(job, "host", HOST, VARIABLES)
    assert host.get("rows", "t", [("guest", GUEST)], timeout=30) == [{"a": 2}]
