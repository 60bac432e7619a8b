"""Every table operation on a larger fixed random data set (30k rows), run in the worker pool."""

from __future__ import annotations

import operator
import os
import random

import pytest

from storage import executor
from storage.meta import TEMP_NAMESPACE
from storage_testlib import expected_partition_counts, make_store, partition_groups

ROWS = 30_000
LEFT_PARTITIONS = 7


def _dataset(seed: int, rows: int) -> list[tuple]:
    rnd = random.Random(seed)
    pairs = []
    for _ in range(rows):
        kind = rnd.random()
        if kind < 0.7:
            key = rnd.randrange(60_000)
        elif kind < 0.9:
            key = f"id-{rnd.randrange(20_000)}"
        else:
            key = (rnd.randrange(100), f"s{rnd.randrange(100)}")
        pairs.append((key, rnd.randrange(-(10**6), 10**6)))
    return pairs  # with duplicate keys (about 25%): the last one wins


class Data:
    def __init__(self, store, left_pairs, right_pairs):
        self.store = store
        self.left_ref = dict(left_pairs)
        self.right_ref = dict(right_pairs)
        self.left = store.create_table("ns", "left", LEFT_PARTITIONS)
        assert self.left.put_all(left_pairs) == len(left_pairs)
        self.right = store.create_table("ns", "right", 3)  # another partition count
        self.right.put_all(right_pairs)
        self.right_same = store.create_table("ns", "right7", LEFT_PARTITIONS)  # the same count
        self.right_same.put_all(right_pairs)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("large") / "data", "pool")
    built = Data(store, _dataset(1, ROWS), _dataset(2, ROWS // 2))
    yield built
    executor.shutdown()


@pytest.fixture
def results(data):
    """Drop every result table after the test; the sources stay."""
    yield data
    for meta in data.store.list_tables():
        if meta.namespace == TEMP_NAMESPACE or meta.name.startswith("out"):
            data.store.destroy(meta.namespace, meta.name)
    assert_same_contents(data.left, data.left_ref)  # no operation changed its source
    assert_same_contents(data.right, data.right_ref)


def assert_same_contents(table, expected: dict, probe: int = 300) -> None:
    pairs = list(table.collect())
    assert len(pairs) == len(expected) == table.count()
    assert dict(pairs) == expected
    assert table.partition_counts() == expected_partition_counts(expected, table.partitions)
    for key in random.Random(7).sample(sorted(expected, key=repr), min(probe, len(expected))):
        assert table.get(key) == expected[key]


def test_source_tables(data):
    assert len(data.left_ref) > 20_000  # the data set has what the tests below need
    assert len(data.left_ref.keys() & data.right_ref.keys()) > 2_000
    assert_same_contents(data.left, data.left_ref, probe=len(data.left_ref))
    assert_same_contents(data.right, data.right_ref)
    assert_same_contents(data.right_same, data.right_ref)


def test_map_values_filter_reduce(results):
    d = results
    assert_same_contents(d.left.map_values(lambda v: (v, -v)), {k: (v, -v) for k, v in d.left_ref.items()})
    assert_same_contents(d.left.filter(lambda k, v: v % 3 == 0), {k: v for k, v in d.left_ref.items() if v % 3 == 0})
    assert d.left.reduce(operator.add) == sum(d.left_ref.values())
    assert d.left.reduce(max) == max(d.left_ref.values())


def test_map_and_flat_map(results):
    d = results
    mapped = d.left.map(lambda k, v: (("k", repr(k)), v))
    assert_same_contents(mapped, {("k", repr(k)): v for k, v in d.left_ref.items()})
    flat = d.left.flat_map(lambda k, v: [(k, v), (("x", repr(k)), 1)] if v > 0 else [])
    expected = {}
    for k, v in d.left_ref.items():
        if v > 0:
            expected[k] = v
            expected[("x", repr(k))] = 1
    assert_same_contents(flat, expected)
    # new keys that are mostly shared: one row per distinct key
    buckets = d.left.map(lambda k, v: (v % 1000, 1))
    assert buckets.count() == len({v % 1000 for v in d.left_ref.values()})


def test_glom_and_map_partitions(results):
    d = results
    groups = partition_groups(d.left_ref, LEFT_PARTITIONS)
    assert len(groups) == LEFT_PARTITIONS
    glommed = dict(d.left.glom().collect())
    assert glommed == {group[-1][0]: group for group in groups.values()}
    sums = d.left.map_partitions(lambda it: sum(v for _, v in it), name="out-sums")
    assert dict(sums.collect()) == {group[-1][0]: sum(v for _, v in group) for group in groups.values()}


def test_sample(results):
    d = results
    first = dict(d.left.sample(0.25, seed=11).collect())
    assert first == dict(d.left.sample(0.25, seed=11).collect())
    assert first != dict(d.left.sample(0.25, seed=12).collect())
    assert all(d.left_ref[k] == v for k, v in first.items())
    assert 0.2 * len(d.left_ref) < len(first) < 0.3 * len(d.left_ref)
    assert d.left.sample(0.0, seed=1).count() == 0
    assert d.left.sample(1.0, seed=1).count() == len(d.left_ref)


@pytest.mark.parametrize("right_name", ["right", "right_same"])
def test_join_union_subtract(results, right_name):
    d = results
    right = getattr(d, right_name)
    left_ref, right_ref = d.left_ref, d.right_ref
    assert_same_contents(d.left.join(right, lambda a, b: a - b),
                         {k: v - right_ref[k] for k, v in left_ref.items() if k in right_ref})
    assert_same_contents(d.left.union(right), {**right_ref, **left_ref})
    assert_same_contents(d.left.union(right, lambda a, b: [a, b]),
                         {**right_ref, **left_ref, **{k: [left_ref[k], right_ref[k]] for k in left_ref.keys() & right_ref.keys()}})
    assert_same_contents(d.left.subtract_by_key(right), {k: v for k, v in left_ref.items() if k not in right_ref})
    # and the other way round: the smaller partition count on the left
    assert_same_contents(right.join(d.left, lambda a, b: (a, b)),
                         {k: (v, left_ref[k]) for k, v in right_ref.items() if k in left_ref})
    assert_same_contents(right.subtract_by_key(d.left), {k: v for k, v in right_ref.items() if k not in left_ref})


def test_save_as_and_copy_into(results):
    d = results
    saved = d.left.save_as("out-saved", partitions=4)
    assert saved.partitions == 4
    assert_same_contents(d.store.table("ns", "out-saved"), d.left_ref)
    target = d.store.create_table("ns", "out-target", 5)
    target.put_all((("pre", i), i) for i in range(100))
    target.put_all(list(d.right_ref.items())[:500])
    d.left.copy_into(target)
    assert_same_contents(target, {**{("pre", i): i for i in range(100)}, **dict(list(d.right_ref.items())[:500]), **d.left_ref})


def test_work_ran_in_worker_processes(results):
    pids = set(dict(results.left.map_values(lambda v: os.getpid()).collect()).values())
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
