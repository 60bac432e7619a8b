"""What a task's node hands it (LocalFederation): a small object inside Await's reply, a large one in chunks
(ReadObject), a table by name - never a path into the node's files - and 'not yet' while a transfer is missing."""

from __future__ import annotations

import time

import grpc
import numpy as np
import pytest

from federation import TransferVariable
from federation.servicer import INLINE_OBJECT_BYTES
from federation.wire import CHUNK_BYTES
from federation_helpers import Cluster, await_reply, job_id, make_table, read_object_stream
from protos import federation_pb2 as pb
from storage import encode

pytestmark = pytest.mark.integration

GUEST, HOST = "9999", "10000"
SRC, DST = ("guest", GUEST), ("host", HOST)
VARIABLES = [TransferVariable("x", "guest", ("host",))]


@pytest.fixture(scope="module")
def job(cluster3: Cluster) -> str:
    job = job_id("await")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    return job


def _sent(cluster3: Cluster, job: str, obj: object, tag: str) -> None:
    cluster3.client(job, "guest", GUEST, VARIABLES).remote(obj, "x", tag, [DST])


def test_a_small_object_comes_inside_the_reply(cluster3: Cluster, job: str) -> None:
    obj = {"weights": np.arange(10.0), "round": 3}
    _sent(cluster3, job, obj, "small")
    reply = await_reply(cluster3.node(HOST).local_target, job, "x", "small", SRC, DST)
    assert reply.complete and reply.kind == pb.OBJECT
    assert reply.object_data == encode(obj) and reply.total_bytes == len(reply.object_data)
    assert (reply.namespace, reply.table_name) == ("", "")


def test_a_large_object_comes_in_chunks(cluster3: Cluster, job: str) -> None:
    payload = bytes(range(256)) * ((INLINE_OBJECT_BYTES + (3 << 20)) // 256)
    _sent(cluster3, job, payload, "large")
    target = cluster3.node(HOST).local_target
    reply = await_reply(target, job, "x", "large", SRC, DST)
    assert reply.complete and reply.object_data == b"" and reply.total_bytes == len(encode(payload))
    chunks = list(read_object_stream(target, job, "x", "large", SRC, DST))
    assert chunks[0].header.total_bytes == reply.total_bytes and chunks[0].header.kind == pb.OBJECT
    assert all(0 < len(c.object_data) <= CHUNK_BYTES for c in chunks[1:])
    assert b"".join(c.object_data for c in chunks[1:]) == encode(payload)
    host = cluster3.client(job, "host", HOST, VARIABLES)
    assert host.get("x", "large", [SRC], timeout=30) == [payload]


def test_a_table_comes_by_name(cluster3: Cluster, job: str) -> None:
    table = make_table(cluster3.store(GUEST), "fedtest", f"await_{job}", 2, list(range(50)), list(range(50)))
    _sent(cluster3, job, table, "table")
    reply = await_reply(cluster3.node(HOST).local_target, job, "x", "table", SRC, DST)
    assert reply.complete and reply.kind == pb.TABLE and reply.object_data == b""
    assert (reply.namespace, reply.table_name, reply.total_rows) == \
        (f"federation.{job}", f"x.table.guest.{GUEST}.host.{HOST}", 50)


def test_a_missing_transfer_is_not_yet_complete(cluster3: Cluster, job: str) -> None:
    started = time.monotonic()
    reply = await_reply(cluster3.node(HOST).local_target, job, "x", "missing", SRC, DST, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 5
    assert reply == pb.AwaitReply(complete=False)
    with pytest.raises(grpc.RpcError) as caught:
        list(read_object_stream(cluster3.node(HOST).local_target, job, "x", "missing", SRC, DST))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details() == (f"variable 'x' (tag 'missing') from guest {GUEST} to host {HOST} in job {job} "
                                      "has not been received as an object")
