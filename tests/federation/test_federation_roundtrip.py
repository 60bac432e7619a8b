"""Objects and tables cross between two and three cluster nodes exactly; `get` times out clearly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from federation import TransferTimeout, TransferVariable
from federation_helpers import Cluster, job_id, make_table, sample_objects, table_digest
from strict_equality import same
from storage import Table

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST, ARBITER = "9999", "10000", "10001"
TWO_PARTY_ROLES = {"guest": [GUEST], "host": [HOST]}
THREE_PARTY_ROLES = {"guest": [GUEST], "host": [HOST], "arbiter": [ARBITER]}
VARIABLES = [
    TransferVariable("g2h", "guest", ("host",)),
    TransferVariable("h2g", "host", ("guest",)),
    TransferVariable("g2all", "guest", ("host", "arbiter")),
    TransferVariable("a2all", "arbiter", ("guest", "host")),
    TransferVariable("to_arbiter", "guest", ("arbiter",)),
    TransferVariable("to_arbiter", "host", ("arbiter",)),
]
OBJECTS = sample_objects()


@pytest.fixture(scope="module")
def two_party(cluster3: Cluster) -> str:
    """A job of guest 9999 and host 10000 only (registered on their two nodes)."""
    job = job_id("two")
    cluster3.register(job, TWO_PARTY_ROLES, VARIABLES, parties=[GUEST, HOST])
    return job


@pytest.fixture(scope="module")
def three_party(cluster3: Cluster) -> str:
    job = job_id("three")
    cluster3.register(job, THREE_PARTY_ROLES, VARIABLES)
    return job


def _assert_same_list(sent: list[Any], received: list[Any]) -> None:
    assert len(received) == len(sent)
    for index, (a, b) in enumerate(zip(sent, received)):
        assert same(a, b), f"object {index} changed on the way: sent {a!r}, received {b!r}"


# ---- objects --------------------------------------------------------------------------


def test_objects_round_trip_between_two_nodes(cluster3: Cluster, two_party: str) -> None:
    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    for index, obj in enumerate(OBJECTS):
        guest.remote(obj, "g2h", f"obj.{index}", [("host", HOST)])
    received = [host.get("g2h", f"obj.{index}", [("guest", GUEST)], timeout=30)[0] for index in range(len(OBJECTS))]
    _assert_same_list(OBJECTS, received)
    # and back the other way, all of them as one object
    host.remote(OBJECTS, "h2g", "all", [("guest", GUEST)])
    (back,) = guest.get("h2g", "all", [("host", HOST)], timeout=30)
    _assert_same_list(OBJECTS, back)


def test_big_integer_lists_round_trip(cluster3: Cluster, two_party: str) -> None:
    import gmpy2

    rng = np.random.default_rng(7)
    ints = [int.from_bytes(rng.bytes(256), "big") | (1 << 2047) for _ in range(300)]  # 2048-bit
    ints += [-x for x in ints[:10]] + [x * x for x in ints[:10]]  # negatives and 4096-bit
    mpzs = [gmpy2.mpz(x) for x in ints]
    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    guest.remote(ints, "g2h", "ints", [("host", HOST)])
    guest.remote(mpzs, "g2h", "mpzs", [("host", HOST)])
    got_ints, = host.get("g2h", "ints", [("guest", GUEST)], timeout=30)
    got_mpzs, = host.get("g2h", "mpzs", [("guest", GUEST)], timeout=30)
    assert got_ints == ints and all(type(x) is int for x in got_ints)
    assert got_mpzs == mpzs and all(type(x) is type(gmpy2.mpz(0)) for x in got_mpzs)


def test_one_object_to_several_parties_at_once(cluster3: Cluster, three_party: str) -> None:
    guest = cluster3.client(three_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(three_party, "host", HOST, VARIABLES)
    arbiter = cluster3.client(three_party, "arbiter", ARBITER, VARIABLES)
    obj = {"weights": np.arange(1000, dtype=np.float64) / 7, "round": 3, "ids": (1, 2, 3)}
    guest.remote(obj, "g2all", 0, [("host", HOST), ("arbiter", ARBITER)])
    for client in (host, arbiter):
        (got,) = client.get("g2all", 0, [("guest", GUEST)], timeout=30)
        assert same(obj, got)


def test_arbiter_exchanges_with_guest_and_host(cluster3: Cluster, three_party: str) -> None:
    guest = cluster3.client(three_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(three_party, "host", HOST, VARIABLES)
    arbiter = cluster3.client(three_party, "arbiter", ARBITER, VARIABLES)
    public_key = {"n": (1 << 2047) + 159, "g": (1 << 2047) + 160}
    arbiter.remote(public_key, "a2all", "pubkey", [("guest", GUEST), ("host", HOST)])
    assert guest.get("a2all", "pubkey", [("arbiter", ARBITER)], timeout=30) == [public_key]
    assert host.get("a2all", "pubkey", [("arbiter", ARBITER)], timeout=30) == [public_key]
    guest.remote(np.array([1.0, 2.0]), "to_arbiter", "loss", [("arbiter", ARBITER)])
    host.remote(np.array([3.0]), "to_arbiter", "loss", [("arbiter", ARBITER)])
    from_guest, from_host = arbiter.get("to_arbiter", "loss", [("guest", GUEST), ("host", HOST)], timeout=30)
    assert same(from_guest, np.array([1.0, 2.0])) and same(from_host, np.array([3.0]))


def test_same_variable_with_different_tags_and_sources_stays_apart(cluster3: Cluster, three_party: str) -> None:
    guest = cluster3.client(three_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(three_party, "host", HOST, VARIABLES)
    arbiter = cluster3.client(three_party, "arbiter", ARBITER, VARIABLES)
    for tag in range(3):
        guest.remote(("guest", tag), "to_arbiter", f"iter.{tag}", [("arbiter", ARBITER)])
        host.remote(("host", tag), "to_arbiter", f"iter.{tag}", [("arbiter", ARBITER)])
    for tag in range(3):
        got = arbiter.get("to_arbiter", f"iter.{tag}", [("host", HOST), ("guest", GUEST)], timeout=30)
        assert got == [("host", tag), ("guest", tag)]


# ---- tables ---------------------------------------------------------------------------


def _assert_same_table(sent: Table, received: Table) -> None:
    assert received.partitions == sent.partitions
    assert received.partition_counts() == sent.partition_counts()
    assert table_digest(received) == table_digest(sent)


def test_million_row_table_round_trips(cluster3: Cluster, two_party: str) -> None:
    rows = 1_000_000
    store = cluster3.store(GUEST)
    keys = list(range(rows))
    table = make_table(store, "fedtest", f"million_{two_party}", 8, keys, [[k % 97, "v"] for k in keys])
    del keys
    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    guest.remote(table, "g2h", "million", [("host", HOST)])
    (received,) = host.get("g2h", "million", [("guest", GUEST)], timeout=60)
    assert isinstance(received, Table)
    assert received.store.config.data_dir == str(cluster3.node(HOST).storage_dir)
    assert received.count() == rows
    _assert_same_table(table, received)
    # decoded content, checked against what was put, without holding it all in memory
    seen = key_sum = 0
    for key, value in received.collect():
        assert value == [key % 97, "v"]
        seen += 1
        key_sum += key
    assert (seen, key_sum) == (rows, rows * (rows - 1) // 2)
    table.destroy()


@pytest.mark.parametrize("partitions", [1, 16])
def test_tables_with_one_and_sixteen_partitions_round_trip(cluster3: Cluster, two_party: str,
                                                          partitions: int) -> None:
    store = cluster3.store(GUEST)
    keys: list[Any] = [*range(3000), *(f"id_{i}" for i in range(3000)), *((i, "t") for i in range(500))]
    values = [{"x": np.full(3, i, dtype=np.float32), "big": (1 << 300) + i, "s": "é" * (i % 5)}
              for i in range(len(keys))]
    table = make_table(store, "fedtest", f"p{partitions}_{two_party}", partitions, keys, values)
    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    guest.remote(table, "g2h", f"parts.{partitions}", [("host", HOST)])
    (received,) = host.get("g2h", f"parts.{partitions}", [("guest", GUEST)], timeout=60)
    _assert_same_table(table, received)
    got = dict(received.collect())
    assert len(got) == len(keys)
    for key, value in zip(keys, values):
        assert same(value, got[key])


def test_empty_table_round_trips(cluster3: Cluster, two_party: str) -> None:
    table = make_table(cluster3.store(GUEST), "fedtest", f"empty_{two_party}", 4, [], [])
    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    guest.remote(table, "g2h", "empty", [("host", HOST)])
    (received,) = host.get("g2h", "empty", [("guest", GUEST)], timeout=30)
    assert isinstance(received, Table)
    assert received.partitions == 4 and received.count() == 0 and list(received.collect()) == []


def test_table_to_several_parties_and_from_arbiter(cluster3: Cluster, three_party: str) -> None:
    guest = cluster3.client(three_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(three_party, "host", HOST, VARIABLES)
    arbiter = cluster3.client(three_party, "arbiter", ARBITER, VARIABLES)
    table = make_table(cluster3.store(GUEST), "fedtest", f"multi_{three_party}", 3, list(range(5000)),
                       [str(i) for i in range(5000)])
    guest.remote(table, "g2all", "table", [("host", HOST), ("arbiter", ARBITER)])
    for client in (host, arbiter):
        (received,) = client.get("g2all", "table", [("guest", GUEST)], timeout=30)
        _assert_same_table(table, received)
    from_arbiter = make_table(cluster3.store(ARBITER), "fedtest", f"arb_{three_party}", 2, list(range(100)),
                              [i * i for i in range(100)])
    arbiter.remote(from_arbiter, "a2all", "table", [("guest", GUEST), ("host", HOST)])
    for client in (guest, host):
        (received,) = client.get("a2all", "table", [("arbiter", ARBITER)], timeout=30)
        assert dict(received.collect()) == {i: i * i for i in range(100)}


# ---- get timeout ----------------------------------------------------------------------


def test_get_times_out_naming_variable_tag_source_and_job(cluster3: Cluster, two_party: str) -> None:
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    with pytest.raises(TransferTimeout) as caught:
        host.get("g2h", "never.sent", [("guest", GUEST)], timeout=0.5)
    message = str(caught.value)
    for word in ("g2h", "never.sent", "guest", GUEST, two_party):
        assert word in message, f"{word!r} not in {message!r}"


def test_get_timeout_from_the_client_default(cluster3: Cluster, two_party: str) -> None:
    host = cluster3.client(two_party, "host", HOST, VARIABLES, get_timeout=0.3)
    with pytest.raises(TransferTimeout, match="g2h"):
        host.get("g2h", "never.sent.either", [("guest", GUEST)])


def test_get_waits_for_a_transfer_that_arrives_later(cluster3: Cluster, two_party: str) -> None:
    import threading

    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES)
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    result: list[Any] = []
    waiter = threading.Thread(target=lambda: result.extend(host.get("g2h", "later", [("guest", GUEST)],
                                                                    timeout=60)))
    waiter.start()
    guest.remote("arrived", "g2h", "later", [("host", HOST)])
    waiter.join(90)
    assert not waiter.is_alive()
    assert result == ["arrived"]


# ---- limits a table push should not have ----------------------------------------------


def test_table_with_a_value_over_16_mib_round_trips(cluster3: Cluster, two_party: str) -> None:
    from federation import RetryPolicy

    value = bytes(range(256)) * ((17 << 20) // 256)
    table = make_table(cluster3.store(GUEST), "fedtest", f"bigvalue_{two_party}", 2, ["big", "small"],
                       [value, b"x"])
    guest = cluster3.client(two_party, "guest", GUEST, VARIABLES, retry=RetryPolicy(2, 0.01))
    host = cluster3.client(two_party, "host", HOST, VARIABLES)
    guest.remote(table, "g2h", "big_value", [("host", HOST)])
    (received,) = host.get("g2h", "big_value", [("guest", GUEST)], timeout=60)
    assert received.get("big") == value and received.get("small") == b"x"


def test_table_variable_with_a_long_name_and_tag_round_trips(cluster3: Cluster) -> None:
    name, tag = "HeteroSecureBoostingTree." + "encrypted_grad_and_hess_" * 4, "train.iteration_0." + "node_12." * 8
    variables = [TransferVariable(name, "guest", ("host",))]
    job = job_id("long")
    cluster3.register(job, TWO_PARTY_ROLES, variables, parties=[GUEST, HOST])
    guest = cluster3.client(job, "guest", GUEST, variables)
    host = cluster3.client(job, "host", HOST, variables)
    guest.remote("an object crosses", name, tag + "obj", [("host", HOST)])
    assert host.get(name, tag + "obj", [("guest", GUEST)], timeout=30) == ["an object crosses"]
    table = make_table(cluster3.store(GUEST), "fedtest", f"long_{job}", 2, [1, 2, 3], ["a", "b", "c"])
    guest.remote(table, name, tag, [("host", HOST)])
    (received,) = host.get(name, tag, [("guest", GUEST)], timeout=30)
    assert dict(received.collect()) == {1: "a", 2: "b", 3: "c"}
