"""A table sent in parts (each part its own push, as Spark's executors send them): parts in any order and at once,
each stored exactly once, the transfer complete only when every part has come and the rows add up; a part that
breaks a check is refused with its reason and stores nothing. The receiver runs in this process (no node)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterator, NoReturn

import pytest

from federation import Receiver, TransferRefused, TransferVariable
from federation.landing import StoreLanding
from federation.receiver import table_location
from federation.table_parts import parts_namespace
from federation.transfers import TransferKey
from federation_helpers import job_id, job_token, part_stream, partitioned, receiver_in_process, table_chunk
from storage import Store, encode

GUEST, HOST = "9999", "10000"
SRC, DST = ("guest", GUEST), ("host", HOST)
VARIABLES = [TransferVariable("x", "guest", ("host",))]
PARTITIONS = 8
PAIRS = [(encode(i), encode(f"value {i}")) for i in range(2_000)]


@pytest.fixture
def job() -> str:
    return job_id("parts")


@pytest.fixture
def receiver(tmp_path: Path, job: str) -> Iterator[Receiver]:
    with receiver_in_process(tmp_path, {"guest": [GUEST], "host": [HOST]}, VARIABLES, job) as receiver:
        yield receiver


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(str(tmp_path / "storage"), workers=1)


def _key(job: str, tag: str) -> TransferKey:
    return TransferKey(job, "x", tag, *SRC, *DST)


def _push(receiver: Receiver, job: str, tag: str, part: int, count: int, **overrides):
    chunks = part_stream(job, "x", tag, SRC, DST, PAIRS, PARTITIONS, part, count, **overrides)
    return receiver.receive(iter(chunks), None, job_token(job))


def _parts_kept(store: Store, job: str) -> list[str]:
    return [meta.name for meta in store.list_tables(parts_namespace(job))]


def _assert_received_as_sent(receiver: Receiver, store: Store, job: str, tag: str) -> None:
    found = receiver.wait(_key(job, tag), 0)
    assert found is not None and found.rows == len(PAIRS)
    table = store.table(found.namespace, found.table_name)
    assert (found.namespace, found.table_name) == table_location(_key(job, tag))
    assert table.partitions == PARTITIONS
    assert [[pair for batch in table.encoded_batches(index) for pair in batch] for index in range(PARTITIONS)] == \
        partitioned(PAIRS, PARTITIONS)
    assert _parts_kept(store, job) == []  # the parts went once the table was whole


def test_parts_in_any_order_make_the_table_once_all_have_come(receiver: Receiver, store: Store, job: str) -> None:
    order = [2, 0, 3, 1]
    for pushed, part in enumerate(order):
        assert receiver.wait(_key(job, "t"), 0) is None
        ack = _push(receiver, job, "t", part, len(order))
        assert not ack.duplicate and ack.rows == sum(len(b) for b in partitioned(PAIRS, PARTITIONS)[2 * part:2 * part + 2])
        assert len(_parts_kept(store, job)) == (pushed + 1) % len(order)
    _assert_received_as_sent(receiver, store, job, "t")


def test_parts_pushed_at_once_each_twice_are_stored_once(receiver: Receiver, store: Store, job: str) -> None:
    acks = []
    threads = [threading.Thread(target=lambda part=part: acks.append(_push(receiver, job, "t", part, PARTITIONS)))
               for part in [*range(PARTITIONS), *range(PARTITIONS)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(acks) == 2 * PARTITIONS
    assert sum(not ack.duplicate for ack in acks) == PARTITIONS  # each part stored by exactly one of its pushes
    _assert_received_as_sent(receiver, store, job, "t")


def test_a_part_pushed_again_is_acknowledged_and_not_stored_again(receiver: Receiver, store: Store, job: str) -> None:
    first = _push(receiver, job, "t", 1, 4)
    again = _push(receiver, job, "t", 1, 4)
    assert not first.duplicate and again.duplicate and again.rows == first.rows
    assert len(_parts_kept(store, job)) == 1
    for part in (0, 2, 3):
        _push(receiver, job, "t", part, 4)
    assert _push(receiver, job, "t", 1, 4).duplicate  # and once the transfer is complete
    _assert_received_as_sent(receiver, store, job, "t")


def test_a_missing_part_leaves_the_transfer_incomplete(receiver: Receiver, store: Store, job: str) -> None:
    for part in (0, 1, 3):
        _push(receiver, job, "t", part, 4)
    assert receiver.wait(_key(job, "t"), 0.2) is None
    assert len(_parts_kept(store, job)) == 3
    assert receiver.forget_job(job) == []  # the job ends: its parts go with it
    assert _parts_kept(store, job) == []


def _out_of_order(job: str) -> list:
    chunks = part_stream(job, "x", "t", SRC, DST, PAIRS, PARTITIONS, 0, 4)
    bucket = partitioned(PAIRS, PARTITIONS)[0]
    return [chunks[0], table_chunk(0, bucket[10:]), table_chunk(0, bucket[:10]), chunks[2]]


def _foreign_partition(job: str) -> list:
    chunks = part_stream(job, "x", "t", SRC, DST, PAIRS, PARTITIONS, 0, 4)
    return [*chunks, table_chunk(3, partitioned(PAIRS, PARTITIONS)[3])]


def _changed(job: str, **fields: int) -> list:
    """Part 0 of 4, its header's numbers then changed."""
    chunks = part_stream(job, "x", "t", SRC, DST, PAIRS, PARTITIONS, 0, 4)
    for field, value in fields.items():
        setattr(chunks[0].header, field, value)
    return chunks


REFUSALS = {
    "a partition of another part": (_foreign_partition, "a table part carries partition 3, not one of its "
                                                        "partitions 0 to 1"),
    "keys out of order": (_out_of_order, "a table part sent a partition's keys out of order"),
    "more rows than said": (lambda job: part_stream(job, "x", "t", SRC, DST, PAIRS, PARTITIONS, 0, 4, part_rows=10),
                            "a table part carries more rows than its header says"),
    "fewer rows than said": (lambda job: part_stream(job, "x", "t", SRC, DST, PAIRS, PARTITIONS, 0, 4,
                                                     part_rows=600),
                             r"part 0 of variable 'x' \(tag 't'\) from guest 9999 to host 10000 in job \d+ ended "
                             r"after \d+ of 600 rows"),
    "a part index out of range": (lambda job: _changed(job, part=4),
                                  "a table push names part 4 of a table in 4 parts"),
    "more parts than partitions": (lambda job: _changed(job, part_count=9),
                                   "a table in 9 parts must have between 1 and 8 parts, one for each partition at most"),
    "another partition count than the other parts": (
        lambda job: part_stream(job, "x", "t", SRC, DST, PAIRS, 4, 2, 4),
        "part 2 of variable 'x' .* says the table has 4 partitions in 4 parts, 2000 rows, but its part 3 said "
        "8 partitions in 4 parts, 2000 rows"),
    "rows that cannot add up": (
        lambda job: part_stream(job, "x", "t", SRC, DST, PAIRS, PARTITIONS, 2, 4, part_rows=1999),
        r"the parts of variable 'x' .* hold \d+ rows, not the table's 2000"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_part_that_breaks_a_check_is_refused_and_stores_nothing(receiver: Receiver, store: Store, job: str,
                                                                  tmp_path: Path, case: str) -> None:
    _push(receiver, job, "t", 3, 4)  # a part received before (to compare with)
    make, reason = REFUSALS[case]
    with pytest.raises(TransferRefused, match=f"^{reason}$"):
        receiver.receive(iter(make(job)), None, job_token(job))
    assert _parts_kept(store, job) == [_kept_name(store, job)]
    assert os.listdir(tmp_path / "storage" / "staging") == []
    assert receiver.wait(_key(job, "t"), 0) is None


def _kept_name(store: Store, job: str) -> str:
    (name,) = _parts_kept(store, job)
    assert name.endswith(".3")
    return name


def test_parts_received_before_a_restart_count_after_it(receiver: Receiver, store: Store, job: str,
                                                        tmp_path: Path) -> None:
    for part in (0, 1):
        _push(receiver, job, "t", part, 3)
    with receiver_in_process(tmp_path, {"guest": [GUEST], "host": [HOST]}, VARIABLES, job) as restarted:
        assert _push(restarted, job, "t", 1, 3).duplicate
        assert not _push(restarted, job, "t", 2, 3).duplicate
        _assert_received_as_sent(restarted, store, job, "t")


def _full_disk(*_: object) -> NoReturn:
    raise OSError("the disk is full")


def test_a_last_part_whose_table_cannot_be_gathered_is_dropped_and_completes_when_pushed_again(
        receiver: Receiver, store: Store, job: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for part in (0, 1):
        _push(receiver, job, "t", part, 3)
    gather = StoreLanding.gather
    monkeypatch.setattr(StoreLanding, "gather", _full_disk)
    with pytest.raises(OSError, match="the disk is full"):
        _push(receiver, job, "t", 2, 3)
    assert len(_parts_kept(store, job)) == 2 and receiver.wait(_key(job, "t"), 0) is None
    monkeypatch.setattr(StoreLanding, "gather", gather)
    assert not _push(receiver, job, "t", 2, 3).duplicate  # the sender's retry
    _assert_received_as_sent(receiver, store, job, "t")
