"""Federation of Spark tables: the executors push a Spark table's partitions themselves, each exactly once; a
table lands in the backend the receiving party computes on, with the partition layout it was sent with. The
receiver serves in this process; the session's SparkStore (local[2]) sends and reads."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from federation import (Declarations, FederationClient, PeerUnreachable, Receiver, RetryPolicy, RouteTable,
                        TransferVariable)
from federation.landing import LMDB_TABLES, SPARK_TABLES
from federation.spark_push import PartPush, push_parts
from federation.transfers import TransferKey
from federation_helpers import (CertificateAuthority, job_id, job_token, make_table, partitioned, receiver_in_process,
                                serving)
from protos import federation_pb2 as pb
from storage import Store, encode

pytestmark = pytest.mark.spark

GUEST, HOST = "9999", "10000"
VARIABLES = [TransferVariable("x", "guest", ("host",))]
ROWS = 3_000
RETRY = RetryPolicy(3, 0.05)


@pytest.fixture
def job() -> str:
    return job_id("spark")


def _serve(tmp_path: Path, job: str, spark_store: Any, lands_on: str) -> Iterator[tuple[Receiver, str]]:
    with receiver_in_process(tmp_path, {"guest": [GUEST], "host": [HOST]}, VARIABLES, job, spark_store.files,
                             lambda *_: lands_on) as receiver, serving(receiver) as address:
        yield receiver, address


@pytest.fixture
def to_lmdb(tmp_path: Path, job: str, spark_store: Any) -> Iterator[tuple[Receiver, str]]:
    yield from _serve(tmp_path, job, spark_store, LMDB_TABLES)


@pytest.fixture
def to_spark(tmp_path: Path, job: str, spark_store: Any) -> Iterator[tuple[Receiver, str]]:
    yield from _serve(tmp_path, job, spark_store, SPARK_TABLES)


def _client(job: str, role: str, party: str, address: str, store: Any) -> FederationClient:
    other = HOST if party == GUEST else GUEST
    return FederationClient(job, role, party, RouteTable([party], address, {other: address}), Declarations(VARIABLES),
                            store, address, job_token(job), retry=RETRY, get_timeout=30)


@pytest.fixture(scope="module")
def source(spark_store: Any) -> Any:
    """The Spark table the tests send (4 partitions)."""
    table = spark_store.create_table("fedtest", f"source_{job_id('spark source')}", 4)
    table.put_all((i, {"row": i, "text": f"value {i}"}) for i in range(ROWS))
    return table


def _spark_partitions(table: Any) -> list[list[tuple[bytes, bytes]]]:
    return [list(map(tuple, part)) for part in table.rdd.glom().collect()]


def _lmdb_partitions(table: Any) -> list[list[tuple[bytes, bytes]]]:
    return [[pair for batch in table.encoded_batches(index) for pair in batch] for index in range(table.partitions)]


def test_a_spark_table_reaches_an_lmdb_receiver_as_it_was_laid_out(spark_store: Any, source: Any, to_lmdb,
                                                                   tmp_path: Path, job: str) -> None:
    _, address = to_lmdb
    _client(job, "guest", GUEST, address, spark_store).remote(source, "x", "t", [("host", HOST)])
    host_store = Store(str(tmp_path / "storage"), workers=1)  # the receiver's (receiver_in_process)
    received = _client(job, "host", HOST, address, host_store).get("x", "t", [("guest", GUEST)])[0]
    assert received.partitions == 4 and received.count() == ROWS
    assert _lmdb_partitions(received) == _spark_partitions(source)
    assert dict(received.collect())[7] == {"row": 7, "text": "value 7"}


def _plan(job: str, address: str, rows: tuple[int, ...], tag: str) -> PartPush:
    header = pb.TransferHeader(job_id=job, name="x", tag=tag, src=pb.Party(role="guest", party_id=GUEST),
                               dst=pb.Party(role="host", party_id=HOST), kind=pb.TABLE, partitions=len(rows),
                               total_rows=sum(rows))
    return PartPush(header.SerializeToString(), rows, address, HOST, None, RETRY, job_token(job), "x", "host")


def test_executors_push_the_parts_and_a_part_pushed_again_stores_nothing(source: Any, to_lmdb, job: str) -> None:
    receiver, address = to_lmdb
    plan = _plan(job, address, tuple(source.partition_counts()), "t")
    first = push_parts(source.rdd, plan)
    assert [ack.part for ack in first] == [0, 1, 2, 3]
    assert sum(ack.rows for ack in first) == ROWS and not any(ack.duplicate for ack in first)
    assert os.getpid() not in {ack.pid for ack in first}  # pushed by Spark's workers, not by this driver
    again = push_parts(source.rdd, plan)  # as Spark runs tasks again
    assert all(ack.duplicate for ack in again)
    found = receiver.wait(_key(job), 0)
    assert found is not None and found.rows == ROWS


def _key(job: str) -> TransferKey:
    return TransferKey(job, "x", "t", "guest", GUEST, "host", HOST)


def test_an_unreachable_peer_is_named_by_the_driver(source: Any, job: str) -> None:
    plan = _plan(job, "127.0.0.1:1", tuple(source.partition_counts()), "t")
    plan = dataclasses.replace(plan, retry=RetryPolicy(2, 0.01, connect_timeout=0.2), peer="host 10000 at 127.0.0.1:1")
    with pytest.raises(PeerUnreachable, match=r"^cannot send part \d of 4 of x to host 10000 at 127\.0\.0\.1:1: it is not "
                                               r"reachable \(gave up after 2 attempts\)$"):
        push_parts(source.rdd, plan)


def test_an_lmdb_table_lands_in_the_spark_directory_of_a_spark_party(spark_store: Any, to_spark, tmp_path: Path,
                                                                      job: str) -> None:
    receiver, address = to_spark
    lmdb = Store(str(tmp_path / "sender"), workers=1)
    keys = list(range(ROWS))
    source = make_table(lmdb, "fedtest", "source", 3, keys, [f"value {i}" for i in keys])
    _client(job, "guest", GUEST, address, lmdb).remote(source, "x", "t", [("host", HOST)])
    received = _client(job, "host", HOST, address, spark_store).get("x", "t", [("guest", GUEST)])[0]
    assert type(received).__name__ == "SparkTable" and received.partitions == 3
    assert _spark_partitions(received) == _lmdb_partitions(source) == partitioned(
        [(encode(k), encode(f"value {k}")) for k in keys], 3)
    assert not lmdb.exists(received.namespace, received.name)
    assert receiver.forget_job(job) == [(received.namespace, received.name)]
    assert not spark_store.exists(received.namespace, received.name)


def test_a_spark_table_lands_in_the_spark_directory_in_parts(spark_store: Any, source: Any, to_spark,
                                                              job: str) -> None:
    _, address = to_spark
    _client(job, "guest", GUEST, address, spark_store).remote(source, "x", "t", [("host", HOST)])
    received = _client(job, "host", HOST, address, spark_store).get("x", "t", [("guest", GUEST)])[0]
    assert _spark_partitions(received) == _spark_partitions(source)


def test_executors_push_over_mutual_tls_with_the_node_s_certificate(spark_store: Any, source: Any, tmp_path: Path,
                                                                    job: str) -> None:
    authority = CertificateAuthority(tmp_path / "certs", "federation")
    with receiver_in_process(tmp_path, {"guest": [GUEST], "host": [HOST]}, VARIABLES, job) as receiver, \
            serving(receiver, authority.issue(HOST)) as address:
        plan = _plan(job, address, tuple(source.partition_counts()), "t")
        acks = push_parts(source.rdd, dataclasses.replace(plan, tls=authority.issue(GUEST)))
        assert sum(ack.rows for ack in acks) == ROWS
        found = receiver.wait(_key(job), 0)
        assert found is not None and found.rows == ROWS
