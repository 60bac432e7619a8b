"""Unit tests without a server: wire chunks, routes, declarations, client settings."""

from __future__ import annotations

from zlib import crc32

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation import (Declarations, FederationClient, FederationError, RouteTable, TransferRefused,
                        TransferVariable, parse_route)
from federation.wire import CHUNK_BYTES, chunk_pairs, object_chunks, read_object, table_chunks
from federation_helpers import header, partitioned
from protos import federation_pb2 as pb
from storage import Store, encode


def _chunk(partition: int, pairs: list[tuple[bytes, bytes]]) -> pb.TableChunk:
    flat = [piece for pair in pairs for piece in pair]
    return pb.TableChunk(partition=partition, data=b"".join(flat), sizes=[len(p) for p in flat])


def _keys_of(partition: int, partitions: int, count: int) -> list[bytes]:
    """`count` encoded keys that belong to `partition`, in increasing byte order."""
    keys, i = [], 0
    while len(keys) < count:
        key = encode(i)
        if crc32(key) % partitions == partition:
            keys.append(key)
        i += 1
    return sorted(keys)


# ---- wire: chunk_pairs --------------------------------------------------------------


def test_chunk_pairs_reads_a_well_formed_chunk() -> None:
    keys = _keys_of(2, 4, 20)
    pairs = [(k, b"value" * (i % 3)) for i, k in enumerate(keys)]  # empty values too
    assert chunk_pairs(_chunk(2, pairs), 4) == pairs


def test_chunk_pairs_of_an_empty_chunk_is_empty() -> None:
    assert chunk_pairs(pb.TableChunk(partition=0), 3) == []


@given(st.lists(st.tuples(st.integers(-10**30, 10**30), st.binary(max_size=40)), max_size=60),
       st.integers(1, 8))
@settings(max_examples=60, deadline=None)
def test_chunk_pairs_reads_back_any_partition_sorted_pairs(rows: list[tuple[int, bytes]], partitions: int) -> None:
    pairs = {encode(k): encode(v) for k, v in rows}
    for index, bucket in enumerate(partitioned(pairs.items(), partitions)):
        assert chunk_pairs(_chunk(index, bucket), partitions) == bucket


@pytest.mark.parametrize("sizes, data", [
    ([3], b"abc"),                      # a key without its value
    ([1, 1, 1], b"abc"),                # odd number of sizes
    ([2, 2], b"abc"),                   # sizes add up to more than the data
    ([1, 1], b"abc"),                   # sizes add up to less than the data
    ([], b"x"),                         # data without sizes
    ([2**32 - 1, 1], b"ab"),            # a huge size
])
def test_chunk_pairs_refuses_malformed_sizes(sizes: list[int], data: bytes) -> None:
    with pytest.raises(TransferRefused, match="malformed"):
        chunk_pairs(pb.TableChunk(partition=0, data=data, sizes=sizes), 1)


@pytest.mark.parametrize("partition", [-1, 4, 5, 2**31 - 1])
def test_chunk_pairs_refuses_a_partition_out_of_range(partition: int) -> None:
    with pytest.raises(TransferRefused):
        chunk_pairs(_chunk(partition, []), 4)


def test_chunk_pairs_refuses_keys_of_another_partition() -> None:
    mine = _keys_of(1, 4, 3)
    other = _keys_of(3, 4, 1)
    pairs = sorted([(k, b"v") for k in mine + other])
    with pytest.raises(TransferRefused, match="another partition"):
        chunk_pairs(_chunk(1, pairs), 4)


def test_chunk_pairs_refuses_unsorted_keys() -> None:
    keys = _keys_of(0, 2, 5)
    pairs = [(k, b"v") for k in reversed(keys)]
    with pytest.raises(TransferRefused, match="order"):
        chunk_pairs(_chunk(0, pairs), 2)
    swapped = [(k, b"v") for k in keys]
    swapped[1], swapped[2] = swapped[2], swapped[1]
    with pytest.raises(TransferRefused, match="order"):
        chunk_pairs(_chunk(0, swapped), 2)


def test_chunk_pairs_refuses_repeated_keys() -> None:
    key = _keys_of(0, 1, 1)[0]
    with pytest.raises(TransferRefused):
        chunk_pairs(_chunk(0, [(key, b"1"), (key, b"2")]), 1)


# ---- wire: object_chunks and table_chunks -------------------------------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 12345])
def test_object_chunks_are_bounded_and_complete(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    head = header("job", "x", "t", ("guest", "9999"), ("host", "10000"), kind=pb.OBJECT, total_bytes=size)
    chunks = list(object_chunks(head, data))
    assert chunks[0].WhichOneof("part") == "header" and chunks[0].header == head
    body = chunks[1:]
    assert all(c.WhichOneof("part") == "object_data" for c in body)
    assert all(0 < len(c.object_data) <= CHUNK_BYTES for c in body)
    assert b"".join(c.object_data for c in body) == data
    assert len(body) == -(-size // CHUNK_BYTES)


def test_table_chunks_cover_every_pair_once_in_valid_chunks(tmp_path) -> None:
    store = Store(str(tmp_path / "storage"), workers=1)
    table = store.create_table("ns", "t", 3)
    rows = 30_000
    table.put_batch(list(range(rows)), [("v" * (i % 200), i) for i in range(rows)])
    head = header("job", "x", "t", ("guest", "9999"), ("host", "10000"), kind=pb.TABLE, partitions=3,
                  total_rows=rows)
    chunks = list(table_chunks(head, table))
    assert chunks[0].header == head
    seen: dict[int, list[tuple[bytes, bytes]]] = {0: [], 1: [], 2: []}
    for chunk in chunks[1:]:
        assert chunk.WhichOneof("part") == "table_data"
        assert chunk.ByteSize() <= 2 * CHUNK_BYTES  # about CHUNK_BYTES each (the last pair may overflow)
        seen[chunk.table_data.partition].extend(chunk_pairs(chunk.table_data, 3))
    for index in range(3):
        assert seen[index] == [pair for batch in table.encoded_batches(index) for pair in batch]
    assert sum(map(len, seen.values())) == rows
    assert len(chunks) > 3  # large enough to need several chunks per partition


# ---- routes --------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "", "10000", "10000=", "=127.0.0.1:9360", "10000=127.0.0.1", "10000=127.0.0.1:", "10000=:9360x",
    "10000=127.0.0.1:port", "10000=127.0.0.1:123456", "10000=host name:9360", "10000 127.0.0.1:9360",
    "10000=http://127.0.0.1:9360",
])
def test_parse_route_refuses_malformed_routes(text: str) -> None:
    with pytest.raises(FederationError, match="PARTY_ID=HOST:PORT"):
        parse_route(text)


@pytest.mark.parametrize("text, expected", [
    ("10000=127.0.0.1:9360", ("10000", "127.0.0.1:9360")),
    (" 10000 = node-b.example.org:50051 ", ("10000", "node-b.example.org:50051")),
    ("9999=[::1]:9360", ("9999", "[::1]:9360")),
])
def test_parse_route_reads_valid_routes(text: str, expected: tuple[str, str]) -> None:
    assert parse_route(text) == expected


def test_route_table_addresses() -> None:
    routes = RouteTable(["9999"], "127.0.0.1:1", {"10000": "127.0.0.1:2", 10001: "127.0.0.1:3"})
    assert routes.address_of("9999") == "127.0.0.1:1"
    assert routes.address_of(9999) == "127.0.0.1:1"
    assert routes.address_of("10000") == "127.0.0.1:2"
    assert routes.address_of(10001) == "127.0.0.1:3"
    assert routes.known("10000") and not routes.known("8888")
    with pytest.raises(FederationError, match="8888"):
        routes.address_of("8888")


def test_route_table_refuses_a_malformed_route() -> None:
    with pytest.raises(FederationError):
        RouteTable(["9999"], "127.0.0.1:1", {"10000": "nowhere"})


def test_standalone_routes_every_party_to_the_node() -> None:
    routes = RouteTable(["10000"], "127.0.0.1:7", {}, standalone=True)
    for party in ("10000", "9999", "anything"):
        assert routes.address_of(party) == "127.0.0.1:7"
        assert routes.known(party)


# ---- declarations --------------------------------------------------------------------


def test_declarations_check() -> None:
    declarations = Declarations([
        TransferVariable("gradient", "guest", ("host", "arbiter")),
        TransferVariable("gradient", "host", ("arbiter",)),
        TransferVariable("loss", "arbiter", ("guest",)),
    ])
    declarations.check("gradient", "guest", "host")
    declarations.check("gradient", "guest", "arbiter")
    declarations.check("gradient", "host", "arbiter")
    declarations.check("loss", "arbiter", "guest")
    assert len(list(declarations)) == 3
    with pytest.raises(TransferRefused, match="'weights' is not declared"):
        declarations.check("weights", "guest", "host")
    with pytest.raises(TransferRefused, match="'gradient' may not be sent from host to guest"):
        declarations.check("gradient", "host", "guest")
    with pytest.raises(TransferRefused, match="from guest to guest"):
        declarations.check("gradient", "guest", "guest")
    with pytest.raises(TransferRefused, match="from guest to arbiter"):
        declarations.check("loss", "guest", "arbiter")  # only the other way round


def test_empty_declarations_refuse_everything() -> None:
    with pytest.raises(TransferRefused, match="not declared"):
        Declarations([]).check("x", "guest", "host")


# ---- wire: read_object (the twin of object_chunks) -------------------------------------


def _object_stream(data: bytes, total: int | None = None) -> list[pb.TransferChunk]:
    head = header("job", "x", "t", ("guest", "9999"), ("host", "10000"), kind=pb.OBJECT,
                  total_bytes=len(data) if total is None else total)
    return list(object_chunks(head, data))


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES, 2 * CHUNK_BYTES + 7])
def test_read_object_reassembles_what_object_chunks_cut(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert read_object(_object_stream(data), "the object") == data


@pytest.mark.parametrize("stream, words", [
    ([], "came without its header"),
    (_object_stream(b"abc")[1:], "came without its header"),
    (_object_stream(b"abc" * 1000, total=5000), "ended after 3000 of 5000 bytes"),
    (_object_stream(b"abc" * 1000, total=2000), "is larger than its header says"),
    (_object_stream(b"abc") + [pb.TransferChunk(header=pb.TransferHeader())], "something other than object data"),
])
def test_read_object_refuses_an_empty_truncated_or_overlong_stream(stream: list, words: str) -> None:
    with pytest.raises(TransferRefused, match=words):
        read_object(stream, "the object")


def test_a_client_asks_the_sender_s_node_at_a_positive_interval() -> None:
    with pytest.raises(ValueError, match="check_every must be a positive number of seconds, not 0"):
        FederationClient("job", "host", "10000", RouteTable(["10000"], "127.0.0.1:1"), Declarations([]),
                         Store.__new__(Store), "unix:/nowhere", "token", check_every=0)
