"""Bytes from another party are data, never code: crafted pickle payloads are stored but never run.

The payloads are built with pickle.dumps of an object whose __reduce__ would call os.system to
create a sentinel file; this test never unpickles them. The receiver stores them (a push is
just bytes); decoding on `get` / `collect` must raise the codec's CodecError, and the sentinel
must never appear.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from zlib import crc32

import pytest

from federation import TransferVariable
from federation_helpers import Cluster, federation_stub, job_id, object_stream, table_stream
from storage import CodecError, Table, encode

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST = "9999", "10000"
SRC, DST = ("guest", GUEST), ("host", HOST)
VARIABLES = [TransferVariable("x", "guest", ("host",))]


class _RunsCode:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (self.command,))


def _payloads(sentinel: Path) -> list[bytes]:
    """Pickles that would create `sentinel` when loaded, in several protocols (never loaded here)."""
    command = f"touch {sentinel}"
    payloads = [pickle.dumps(_RunsCode(command), protocol=p) for p in (0, 2, pickle.HIGHEST_PROTOCOL)]
    for payload in payloads:
        assert b"system" in payload and str(sentinel).encode() in payload
    return payloads


@pytest.fixture(scope="module")
def job(cluster3: Cluster) -> str:
    job = job_id("safety")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    return job


def test_pickled_object_is_stored_but_never_unpickled(cluster3: Cluster, job: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "object_pwned"
    channel, stub = federation_stub(cluster3.node(HOST).address)
    host = cluster3.client(job, "host", HOST, VARIABLES)
    try:
        for index, payload in enumerate(_payloads(sentinel)):
            ack = stub.Push(iter(object_stream(job, "x", f"pickle.{index}", SRC, DST, payload)), timeout=30)
            assert ack.bytes == len(payload) and not ack.duplicate  # stored: it is only bytes
            with pytest.raises(CodecError):
                host.get("x", f"pickle.{index}", [SRC], timeout=10)
    finally:
        channel.close()
    assert not sentinel.exists()


def test_table_of_pickled_values_never_runs_code(cluster3: Cluster, job: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "table_pwned"
    payloads = _payloads(sentinel)
    pairs = [(encode(i), payloads[i % len(payloads)]) for i in range(60)]
    channel, stub = federation_stub(cluster3.node(HOST).address)
    try:
        ack = stub.Push(iter(table_stream(job, "x", "pickled_values", SRC, DST, pairs, 3, rows_per_chunk=7)),
                        timeout=30)
    finally:
        channel.close()
    assert ack.rows == 60
    host = cluster3.client(job, "host", HOST, VARIABLES)
    (table,) = host.get("x", "pickled_values", [SRC], timeout=10)
    assert isinstance(table, Table) and table.count() == 60
    with pytest.raises(CodecError):
        list(table.collect())
    for key in (0, 1, 2, 59):
        with pytest.raises(CodecError):
            table.get(key)
    with pytest.raises(CodecError):
        table.take(1)
    assert not sentinel.exists()


def test_table_of_pickled_keys_never_runs_code(cluster3: Cluster, job: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "keys_pwned"
    keys = sorted({payload + bytes([i]) for payload in _payloads(sentinel) for i in range(10)})
    pairs = [(key, encode(index)) for index, key in enumerate(keys)]
    assert all(len(key) < 500 for key in keys)
    channel, stub = federation_stub(cluster3.node(HOST).address)
    try:
        ack = stub.Push(iter(table_stream(job, "x", "pickled_keys", SRC, DST, pairs, 2)), timeout=30)
    finally:
        channel.close()
    assert ack.rows == len(pairs)
    host = cluster3.client(job, "host", HOST, VARIABLES)
    (table,) = host.get("x", "pickled_keys", [SRC], timeout=10)
    assert table.count() == len(pairs)
    with pytest.raises(CodecError):
        list(table.collect())
    assert {crc32(k) % 2 for k in keys} == {0, 1}  # both partitions hold crafted keys
    assert not sentinel.exists()
