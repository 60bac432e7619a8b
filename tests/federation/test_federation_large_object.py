"""A 300 MB object crosses without the receiving node holding it in memory, and reaches a task in chunks.

The nodes are this module's own: the receiver's peak RSS (VmHWM) must not already be
raised by earlier tests' transfers.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

import numpy as np
import pytest

from federation import TransferVariable
from federation.servicer import INLINE_OBJECT_BYTES
from federation.wire import CHUNK_BYTES
from federation_helpers import Cluster, await_reply, job_id, read_object_stream, start_cluster, vm_hwm_kb
from integration_helpers import reap_all
from storage import encode

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST = "9999", "10000"
VARIABLES = [TransferVariable("big", "guest", ("host",))]
SIZE = 300 << 20
RSS_ALLOWANCE_KB = 150 << 10  # the receiver may grow by at most 150 MB for a 300 MB object


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, str]]:
    cluster = start_cluster(tmp_path_factory.mktemp("large"), [GUEST, HOST])
    try:
        job = job_id("large")
        cluster.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
        yield cluster, job
    finally:
        reap_all(cluster.nodes.values())


def test_300mb_object_crosses_with_receiver_memory_bounded(pair: tuple[Cluster, str]) -> None:
    cluster, job = pair
    receiver = cluster.node(HOST)
    array = np.random.default_rng(3).integers(0, 256, SIZE, dtype=np.uint8)
    encoded = encode(array)
    expected, encoded_size = hashlib.sha256(encoded).hexdigest(), len(encoded)
    del encoded
    guest = cluster.client(job, "guest", GUEST, VARIABLES)
    before = vm_hwm_kb(receiver.pid)
    guest.remote(array, "big", "array", [("host", HOST)])
    after = vm_hwm_kb(receiver.pid)
    assert after - before < RSS_ALLOWANCE_KB, (
        f"receiving a {SIZE >> 20} MB object raised the receiver's peak RSS by {(after - before) >> 10} MB "
        f"({before >> 10} -> {after >> 10} MB)")
    # what the receiver stored is exactly the encoded object: too large for Await's reply, it is streamed in chunks
    reply = await_reply(receiver.local_target, job, "big", "array", ("guest", GUEST), ("host", HOST))
    assert reply.complete and reply.total_bytes == encoded_size > INLINE_OBJECT_BYTES and reply.object_data == b""
    stream = read_object_stream(receiver.local_target, job, "big", "array", ("guest", GUEST), ("host", HOST))
    head = next(stream)
    assert head.WhichOneof("part") == "header" and head.header.total_bytes == encoded_size
    digest = hashlib.sha256()
    for chunk in stream:
        assert 0 < len(chunk.object_data) <= CHUNK_BYTES
        digest.update(chunk.object_data)
    assert digest.hexdigest() == expected


def test_300mb_bytes_object_round_trips_through_get(pair: tuple[Cluster, str]) -> None:
    cluster, job = pair
    receiver = cluster.node(HOST)
    payload = np.random.default_rng(4).integers(0, 256, SIZE, dtype=np.uint8).tobytes()
    guest = cluster.client(job, "guest", GUEST, VARIABLES)
    host = cluster.client(job, "host", HOST, VARIABLES)
    before = vm_hwm_kb(receiver.pid)
    guest.remote(payload, "big", "bytes", [("host", HOST)])
    after = vm_hwm_kb(receiver.pid)
    assert after - before < RSS_ALLOWANCE_KB, f"receiver peak RSS grew by {(after - before) >> 10} MB"
    (received,) = host.get("big", "bytes", [("guest", GUEST)], timeout=60)
    assert type(received) is bytes and len(received) == SIZE
    assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()


def test_numpy_array_over_100mb_round_trips_through_get(pair: tuple[Cluster, str]) -> None:
    cluster, job = pair
    array = np.arange((110 << 20) // 8, dtype=np.int64)
    guest = cluster.client(job, "guest", GUEST, VARIABLES)
    host = cluster.client(job, "host", HOST, VARIABLES)
    guest.remote(array, "big", "array110", [("host", HOST)])
    (received,) = host.get("big", "array110", [("guest", GUEST)], timeout=60)
    assert received.dtype == array.dtype and np.array_equal(received, array)
