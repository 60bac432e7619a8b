"""The node's gRPC Storage service: tables written and read as codec-encoded pairs."""

from __future__ import annotations

from typing import Any, Iterator

import grpc
import pytest

from protos import storage_pb2, storage_pb2_grpc
from storage import decode, encode

from integration_helpers import Node

pytestmark = pytest.mark.integration

NS = "grpc_storage"
TIMEOUT = 60


@pytest.fixture(scope="module")
def stub(node: Node) -> Iterator[storage_pb2_grpc.StorageStub]:
    with grpc.insecure_channel(node.local_target) as channel:
        yield storage_pb2_grpc.StorageStub(channel)


def _ref(name: str) -> storage_pb2.TableRef:
    return storage_pb2.TableRef(namespace=NS, name=name)


def _pairs() -> list[tuple[Any, Any]]:
    pairs: list[tuple[Any, Any]] = [(i, f"value {i}") for i in range(500)]
    pairs += [(f"key-{i}", {"row": [i, i * 1.5, None, True], "tag": b"\x00\xff"}) for i in range(300)]
    pairs += [((i, "t"), (i, [1, 2])) for i in range(200)]
    pairs += [(10**30 + i, -(10**25)) for i in range(5)]
    return pairs


def _batches(ref: storage_pb2.TableRef, pairs: list[tuple[Any, Any]], size: int) -> Iterator[storage_pb2.PutBatch]:
    for start in range(0, len(pairs), size):
        chunk = pairs[start:start + size]
        batch = storage_pb2.PutBatch(keys=[encode(k) for k, _ in chunk], values=[encode(v) for _, v in chunk])
        if start == 0:
            batch.table.CopyFrom(ref)
        yield batch


def _scan(stub: storage_pb2_grpc.StorageStub, ref: storage_pb2.TableRef, limit: int = 0) -> list[tuple[Any, Any]]:
    found = []
    for batch in stub.Scan(storage_pb2.ScanRequest(table=ref, limit=limit), timeout=TIMEOUT):
        assert len(batch.keys) == len(batch.values)
        found += [(decode(k), decode(v)) for k, v in zip(batch.keys, batch.values)]
    return found


def _key(pair: tuple[Any, Any]) -> bytes:
    return encode(pair[0])


def test_create_put_describe_scan_destroy(stub: storage_pb2_grpc.StorageStub) -> None:
    ref = _ref("round_trip")
    created = stub.CreateTable(storage_pb2.CreateTableRequest(table=ref, partitions=4), timeout=TIMEOUT)
    assert (created.table.namespace, created.table.name, created.partitions, created.count) == (
        NS, "round_trip", 4, 0)

    pairs = _pairs()
    written = stub.Put(_batches(ref, pairs, 128), timeout=TIMEOUT)
    assert written.written == len(pairs)
    described = stub.DescribeTable(ref, timeout=TIMEOUT)
    assert described.count == len(pairs)
    assert described.partitions == 4

    assert sorted(_scan(stub, ref), key=_key) == sorted(pairs, key=_key)
    assert len(_scan(stub, ref, limit=10)) == 10

    with pytest.raises(grpc.RpcError) as exists:
        stub.CreateTable(storage_pb2.CreateTableRequest(table=ref, partitions=2), timeout=TIMEOUT)
    assert exists.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert stub.DescribeTable(ref, timeout=TIMEOUT).count == len(pairs)

    assert stub.DestroyTable(ref, timeout=TIMEOUT).existed is True
    assert stub.DestroyTable(ref, timeout=TIMEOUT).existed is False
    with pytest.raises(grpc.RpcError) as gone:
        stub.DescribeTable(ref, timeout=TIMEOUT)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    assert "does not exist" in gone.value.details()


@pytest.mark.parametrize("key,value", [
    (b"\xc1", encode(1)),            # 0xc1 is never used by msgpack
    (encode(1), b"\xd4\x63\x00"),    # an extension type the codec does not know
    (encode(1), encode(2) + b"\x00"),  # trailing bytes
    (b"", encode(1)),
], ids=["never-used byte", "unknown extension", "trailing bytes", "empty"])
def test_put_of_undecodable_bytes_is_refused(stub: storage_pb2_grpc.StorageStub, key: bytes, value: bytes) -> None:
    ref = _ref("undecodable")
    stub.CreateTable(storage_pb2.CreateTableRequest(table=ref, partitions=2, replace=True), timeout=TIMEOUT)
    good = (encode("good"), encode("row"))
    batch = storage_pb2.PutBatch(table=ref, keys=[good[0], key], values=[good[1], value])
    with pytest.raises(grpc.RpcError) as refused:
        stub.Put(iter([batch]), timeout=TIMEOUT)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = refused.value.details()
    assert details and "\n" not in details and len(details) < 200 and "Traceback" not in details
    assert stub.DescribeTable(ref, timeout=TIMEOUT).count == 0


def test_put_stream_shape_errors(stub: storage_pb2_grpc.StorageStub) -> None:
    ref = _ref("shapes")
    stub.CreateTable(storage_pb2.CreateTableRequest(table=ref, partitions=2, replace=True), timeout=TIMEOUT)
    with pytest.raises(grpc.RpcError) as unnamed:
        stub.Put(iter([storage_pb2.PutBatch(keys=[encode(1)], values=[encode(1)])]), timeout=TIMEOUT)
    assert unnamed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as uneven:
        stub.Put(iter([storage_pb2.PutBatch(table=ref, keys=[encode(1), encode(2)], values=[encode(1)])]),
                 timeout=TIMEOUT)
    assert uneven.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as missing:
        stub.Put(iter([storage_pb2.PutBatch(table=_ref("no_such_table"), keys=[encode(1)], values=[encode(1)])]),
                 timeout=TIMEOUT)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert stub.DescribeTable(ref, timeout=TIMEOUT).count == 0


def test_put_failing_after_many_good_batches_writes_nothing(stub: storage_pb2_grpc.StorageStub) -> None:
    # More good pairs than one internal write batch, then a bad one: the table stays as it was.
    ref = _ref("all_or_nothing")
    stub.CreateTable(storage_pb2.CreateTableRequest(table=ref, partitions=3, replace=True), timeout=TIMEOUT)
    stub.Put(_batches(ref, [("kept", 1)], 1), timeout=TIMEOUT)

    def batches() -> Iterator[storage_pb2.PutBatch]:
        yield from _batches(ref, [(i, i) for i in range(60_000)], 5_000)
        yield storage_pb2.PutBatch(keys=[b"\xc1"], values=[encode(1)])

    with pytest.raises(grpc.RpcError) as refused:
        stub.Put(batches(), timeout=TIMEOUT)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _scan(stub, ref) == [("kept", 1)]
