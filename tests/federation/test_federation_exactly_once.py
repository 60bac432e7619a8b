"""Exactly once: a repeated push stores nothing twice; a cut-off push is never visible and leaves nothing."""

from __future__ import annotations

from typing import Iterator

import grpc
import pytest

from federation import TransferTimeout, TransferVariable
from federation.wire import table_chunks
from federation_helpers import (Cluster, federation_stub, header, job_id, make_table, object_files, object_stream,
                                received_tables, staging_entries, table_chunk, table_digest, table_stream,
                                wait_for)
from protos import federation_pb2 as pb
from storage import Table, encode

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST = "9999", "10000"
SRC, DST = ("guest", GUEST), ("host", HOST)
VARIABLES = [TransferVariable("x", "guest", ("host",))]


@pytest.fixture(scope="module")
def job(cluster3: Cluster) -> str:
    job = job_id("once")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    return job


@pytest.fixture(scope="module")
def host_stub(cluster3: Cluster) -> Iterator:
    channel, stub = federation_stub(cluster3.node(HOST).address)
    yield stub
    channel.close()


@pytest.fixture(scope="module")
def source_table(cluster3: Cluster, job: str) -> Table:
    rows = 20_000
    return make_table(cluster3.store(GUEST), "fedtest", f"once_{job}", 4, list(range(rows)),
                      [f"value {i}" for i in range(rows)])


def _table_header(job: str, tag: str, table: Table, **overrides) -> pb.TransferHeader:
    fields = dict(kind=pb.TABLE, partitions=table.partitions, total_rows=table.count())
    fields.update(overrides)
    return header(job, "x", tag, SRC, DST, **fields)


def _assert_not_visible(cluster3: Cluster, job: str, tag: str) -> None:
    host = cluster3.client(job, "host", HOST, VARIABLES)
    with pytest.raises(TransferTimeout):
        host.get("x", tag, [SRC], timeout=0.3)


def _no_staged_table_left(cluster3: Cluster) -> None:
    node = cluster3.node(HOST)
    wait_for(lambda: staging_entries(node) == [], what="the receiver discarding its staged table")


# ---- the same push twice ---------------------------------------------------------------


def test_object_pushed_twice_is_stored_once(cluster3: Cluster, job: str, host_stub) -> None:
    data = encode({"once": [1, 2, 3]})
    first = host_stub.Push(iter(object_stream(job, "x", "obj", SRC, DST, data)), timeout=60)
    files = object_files(cluster3.node(HOST))
    second = host_stub.Push(iter(object_stream(job, "x", "obj", SRC, DST, encode("something else"))), timeout=60)
    assert not first.duplicate and first.bytes == len(data)
    assert second.duplicate and second.bytes == len(data)
    assert object_files(cluster3.node(HOST)) == files
    host = cluster3.client(job, "host", HOST, VARIABLES)
    assert host.get("x", "obj", [SRC], timeout=10) == [{"once": [1, 2, 3]}]


def test_table_pushed_twice_is_stored_once(cluster3: Cluster, job: str, host_stub, source_table: Table) -> None:
    rows = source_table.count()
    first = host_stub.Push(table_chunks(_table_header(job, "table", source_table), source_table), timeout=60)
    second = host_stub.Push(table_chunks(_table_header(job, "table", source_table), source_table), timeout=60)
    assert (first.rows, first.duplicate) == (rows, False)
    assert (second.rows, second.duplicate) == (rows, True)
    host = cluster3.client(job, "host", HOST, VARIABLES)
    (received,) = host.get("x", "table", [SRC], timeout=10)
    assert received.count() == rows
    assert table_digest(received) == table_digest(source_table)
    # and through the client: remote() of the same key again changes nothing
    guest = cluster3.client(job, "guest", GUEST, VARIABLES)
    guest.remote(source_table, "x", "table", [DST])
    guest.remote(source_table, "x", "table", [DST])
    assert received.count() == rows
    assert received_tables(cluster3.node(HOST), job).count(received.name) == 1
    assert staging_entries(cluster3.node(HOST)) == []


def test_remote_twice_through_the_client(cluster3: Cluster, job: str, source_table: Table) -> None:
    guest = cluster3.client(job, "guest", GUEST, VARIABLES)
    host = cluster3.client(job, "host", HOST, VARIABLES)
    guest.remote(source_table, "x", "client_twice", [DST])
    (received,) = host.get("x", "client_twice", [SRC], timeout=10)
    digest = table_digest(received)
    guest.remote(source_table, "x", "client_twice", [DST])
    assert table_digest(host.get("x", "client_twice", [SRC], timeout=10)[0]) == digest
    guest.remote("first", "x", "client_twice_obj", [DST])
    guest.remote("second", "x", "client_twice_obj", [DST])
    assert host.get("x", "client_twice_obj", [SRC], timeout=10) == ["first"]


# ---- cut-off pushes ------------------------------------------------------------------


class _Broken(Exception):
    pass


def _raising_after(chunks: Iterator[pb.TransferChunk], count: int) -> Iterator[pb.TransferChunk]:
    for index, chunk in enumerate(chunks):
        if index == count:
            raise _Broken("the sender broke")
        yield chunk


def _stopping_after(chunks: Iterator[pb.TransferChunk], count: int) -> Iterator[pb.TransferChunk]:
    for index, chunk in enumerate(chunks):
        if index == count:
            return
        yield chunk


def _table_stream(job: str, tag: str, table: Table) -> list[pb.TransferChunk]:
    """The complete push of `table`, long enough to be cut in the middle."""
    chunks = list(table_chunks(_table_header(job, tag, table), table))
    assert len(chunks) >= 4
    return chunks


def _complete_push_succeeds_once(cluster3: Cluster, job: str, tag: str, host_stub, table: Table) -> None:
    ack = host_stub.Push(table_chunks(_table_header(job, tag, table), table), timeout=60)
    assert (ack.rows, ack.duplicate) == (table.count(), False)
    again = host_stub.Push(table_chunks(_table_header(job, tag, table), table), timeout=60)
    assert again.duplicate
    host = cluster3.client(job, "host", HOST, VARIABLES)
    (received,) = host.get("x", tag, [SRC], timeout=10)
    assert table_digest(received) == table_digest(table)
    assert staging_entries(cluster3.node(HOST)) == []


def test_table_push_whose_stream_raises_is_not_visible(cluster3: Cluster, job: str, host_stub,
                                                      source_table: Table) -> None:
    tag = "raises"
    chunks = _table_stream(job, tag, source_table)
    stream = _raising_after(iter(chunks), len(chunks) // 2)
    with pytest.raises(grpc.RpcError):
        host_stub.Push(stream, timeout=60)
    _no_staged_table_left(cluster3)
    _assert_not_visible(cluster3, job, tag)
    assert received_tables(cluster3.node(HOST), job).count(f"x.{tag}.guest.{GUEST}.host.{HOST}") == 0
    _complete_push_succeeds_once(cluster3, job, tag, host_stub, source_table)


def test_table_push_that_stops_short_is_refused(cluster3: Cluster, job: str, host_stub,
                                               source_table: Table) -> None:
    tag = "short"
    chunks = _table_stream(job, tag, source_table)
    stream = _stopping_after(iter(chunks), len(chunks) // 2)
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(stream, timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "rows" in caught.value.details()
    _no_staged_table_left(cluster3)
    _assert_not_visible(cluster3, job, tag)
    _complete_push_succeeds_once(cluster3, job, tag, host_stub, source_table)


def test_table_push_claiming_more_rows_than_sent_is_refused(cluster3: Cluster, job: str, host_stub,
                                                           source_table: Table) -> None:
    tag = "more_rows"
    head = _table_header(job, tag, source_table, total_rows=source_table.count() + 1)
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(table_chunks(head, source_table), timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    _no_staged_table_left(cluster3)
    _assert_not_visible(cluster3, job, tag)
    _complete_push_succeeds_once(cluster3, job, tag, host_stub, source_table)


def test_table_push_carrying_more_rows_than_its_header_is_refused(cluster3: Cluster, job: str, host_stub,
                                                                 source_table: Table) -> None:
    tag = "fewer_rows"
    head = _table_header(job, tag, source_table, total_rows=source_table.count() - 1)
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(table_chunks(head, source_table), timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    _no_staged_table_left(cluster3)
    _assert_not_visible(cluster3, job, tag)
    _complete_push_succeeds_once(cluster3, job, tag, host_stub, source_table)


@pytest.mark.parametrize("bad", ["unsorted", "wrong_partition", "malformed", "object_data", "second_header",
                                 "partition_out_of_range"])
def test_table_push_with_a_bad_chunk_is_refused(cluster3: Cluster, job: str, host_stub, bad: str) -> None:
    tag = f"bad_{bad}"
    pairs = [(encode(i), encode(i * 2)) for i in range(400)]
    chunks = table_stream(job, "x", tag, SRC, DST, pairs, 2, rows_per_chunk=50)
    data = chunks[3].table_data
    if bad == "unsorted":
        pieces, offset = [], 0
        for size in data.sizes:
            pieces.append(data.data[offset:offset + size])
            offset += size
        chunks[3] = table_chunk(data.partition, list(zip(pieces[0::2], pieces[1::2]))[::-1])
    elif bad == "wrong_partition":
        chunks[3].table_data.partition = 1 - data.partition
    elif bad == "malformed":
        chunks[3].table_data.sizes.append(1)
    elif bad == "object_data":
        chunks[3] = pb.TransferChunk(object_data=b"\x01")
    elif bad == "second_header":
        chunks[3] = pb.TransferChunk(header=chunks[0].header)
    elif bad == "partition_out_of_range":
        chunks[3].table_data.partition = 2
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(iter(chunks), timeout=60)
    assert caught.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT)
    _no_staged_table_left(cluster3)
    _assert_not_visible(cluster3, job, tag)
    good = table_stream(job, "x", tag, SRC, DST, pairs, 2, rows_per_chunk=50)
    ack = host_stub.Push(iter(good), timeout=60)
    assert (ack.rows, ack.duplicate) == (400, False)
    host = cluster3.client(job, "host", HOST, VARIABLES)
    (received,) = host.get("x", tag, [SRC], timeout=10)
    assert dict(received.collect()) == {i: i * 2 for i in range(400)}


def test_table_push_repeating_keys_across_chunks_is_refused(cluster3: Cluster, job: str, host_stub) -> None:
    tag = "repeat_across_chunks"
    pairs = [(encode(i), encode(i)) for i in range(200)]
    chunks = table_stream(job, "x", tag, SRC, DST, pairs, 1, rows_per_chunk=50)
    chunks.insert(3, chunks[2])  # the same chunk twice: its keys are not after the previous chunk's
    chunks[0].header.total_rows = 250
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(iter(chunks), timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    _no_staged_table_left(cluster3)
    _assert_not_visible(cluster3, job, tag)


def test_object_push_that_stops_short_or_overflows_is_refused(cluster3: Cluster, job: str, host_stub) -> None:
    node = cluster3.node(HOST)
    data = encode(list(range(700_000)))  # several chunks
    assert len(data) > 3 << 20
    files = object_files(node)
    short = object_stream(job, "x", "obj_short", SRC, DST, data)[:-1]
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(iter(short), timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    long = object_stream(job, "x", "obj_short", SRC, DST, data) + [pb.TransferChunk(object_data=b"extra")]
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(iter(long), timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    raising = _raising_after(iter(object_stream(job, "x", "obj_short", SRC, DST, data)), 2)
    with pytest.raises(grpc.RpcError):
        host_stub.Push(raising, timeout=60)
    wait_for(lambda: object_files(node) == files, what="the receiver removing its partial object")
    _assert_not_visible(cluster3, job, "obj_short")
    ack = host_stub.Push(iter(object_stream(job, "x", "obj_short", SRC, DST, data)), timeout=60)
    assert not ack.duplicate and ack.bytes == len(data)
    assert host_stub.Push(iter(object_stream(job, "x", "obj_short", SRC, DST, data)), timeout=60).duplicate
    host = cluster3.client(job, "host", HOST, VARIABLES)
    assert host.get("x", "obj_short", [SRC], timeout=10) == [list(range(700_000))]
    assert len(object_files(node) - files) == 1


@pytest.mark.parametrize("first", ["nothing", "object_data"])
def test_push_without_a_header_is_refused(cluster3: Cluster, host_stub, first: str) -> None:
    stream = [] if first == "nothing" else [pb.TransferChunk(object_data=b"abc")]
    with pytest.raises(grpc.RpcError) as caught:
        host_stub.Push(iter(stream), timeout=60)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "header" in caught.value.details()


def test_push_of_unspecified_kind_or_bad_partitions_is_refused(cluster3: Cluster, job: str, host_stub) -> None:
    for tag, fields in (("no_kind", {}), ("zero_parts", {"kind": pb.TABLE, "partitions": 0}),
                        ("many_parts", {"kind": pb.TABLE, "partitions": 100_000})):
        with pytest.raises(grpc.RpcError) as caught:
            host_stub.Push(iter([pb.TransferChunk(header=header(job, "x", tag, SRC, DST, **fields))]), timeout=60)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED, tag
        _assert_not_visible(cluster3, job, tag)
    assert staging_entries(cluster3.node(HOST)) == []


def test_concurrent_pushes_of_one_key_store_it_once(cluster3: Cluster, job: str, source_table: Table) -> None:
    """Several senders (or retries) pushing the same key at the same time: one stores it, the rest are duplicates."""
    import threading

    from federation_helpers import federation_stub as make_stub

    acks: list[pb.PushAck] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def push(kind: str) -> None:
        channel, stub = make_stub(cluster3.node(HOST).address)
        try:
            start.wait(30)
            if kind == "table":
                acks.append(stub.Push(table_chunks(_table_header(job, "concurrent", source_table), source_table),
                                      timeout=60))
            else:
                acks.append(stub.Push(iter(object_stream(job, "x", "concurrent_obj", SRC, DST, encode(kind))),
                                      timeout=60))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            channel.close()

    for kind in ("table", "object"):
        acks.clear()
        threads = [threading.Thread(target=push, args=(kind,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        assert sorted(ack.duplicate for ack in acks) == [False, True, True, True], kind
    host = cluster3.client(job, "host", HOST, VARIABLES)
    (received,) = host.get("x", "concurrent", [SRC], timeout=10)
    assert table_digest(received) == table_digest(source_table)
    assert host.get("x", "concurrent_obj", [SRC], timeout=10) == ["object"]
    assert staging_entries(cluster3.node(HOST)) == []
