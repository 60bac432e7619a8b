"""Every table operation against a plain-Python model, on hypothesis-generated data.

Each test runs twice: with partition work inline in the test process and in the worker pool.
"""

from __future__ import annotations

import operator
import os
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage import TableNotFound, encode
from storage.meta import TEMP_NAMESPACE
from storage_strategies import int_pair_lists, pair_lists, partition_counts, table_settings
from storage_testlib import assert_table_equals, collect_checked, destroy_all, partition_groups
from strict_equality import same

PAIRS_OF_PARTITIONS = [(1, 7), (5, 2), (4, 3), (3, 4), (3, 3), (1, 1)]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_table(store, partitions, pairs=(), namespace="ns"):
    table = store.create_table(namespace, unique("t"), partitions)
    if pairs:
        table.put_all(pairs)
    return table


def temp_names(store) -> set[str]:
    return {meta.name for meta in store.list_tables(TEMP_NAMESPACE)}


def assert_new_result(result, source) -> None:
    assert (result.namespace, result.name) != (source.namespace, source.name)
    assert result.directory != source.directory


# ---- writing and reading ----------------------------------------------------------


@table_settings
@given(pairs=pair_lists, partitions=partition_counts, batch_rows=st.sampled_from([1, 3, 50_000]))
def test_put_all_get_count_collect(store, pairs, partitions, batch_rows):
    try:
        table = new_table(store, partitions)
        assert table.put_all(iter(pairs), batch_rows=batch_rows) == len(pairs)
        ref = dict(pairs)  # duplicate keys: the last one wins
        assert_table_equals(table, ref)

        # collect(): partition after partition, each in key-byte order
        groups = partition_groups(ref, partitions)
        expected_order = [pair for index in range(partitions) for pair in groups.get(index, [])]
        collected = list(table.collect())
        assert same(collected, expected_order)
        for n in (0, 1, 3, len(ref), len(ref) + 5):
            assert same(table.take(n), collected[:n])
        assert same(table.first(), collected[0] if collected else None)

        assert table.get(("absent", "key")) is None
        assert table.delete(("absent", "key")) is False
        for key in list(ref)[::2]:
            assert table.delete(key) is True
            assert table.delete(key) is False
            assert table.get(key) is None
            del ref[key]
        assert_table_equals(table, ref)

        for key in list(ref)[:3]:
            table.put(key, ["overwritten", key])
            ref[key] = ["overwritten", key]
        table.put(("new", "key"), {"x": 1})
        ref[("new", "key")] = {"x": 1}
        assert_table_equals(table, ref)

        reopened = store.table(table.namespace, table.name)
        assert reopened.partitions == partitions
        assert_table_equals(reopened, ref)
    finally:
        destroy_all(store)


def test_put_all_duplicates_last_wins_across_batches(store):
    table = new_table(store, 3)
    pairs = [(i % 10, i) for i in range(100)]
    assert table.put_all(pairs, batch_rows=7) == 100
    assert_table_equals(table, {k: 90 + k for k in range(10)})
    table.put_all([("k", 1), ("k", 2), ("j", 0), ("k", 3)])
    assert table.get("k") == 3


def test_put_batch_and_unsynced_put_all(store):
    table = new_table(store, 3)
    keys = [1, "a", (2, "b"), 1, 2**80]
    values = ["first", {"x": 1}, [1, 2], "last", None]
    assert table.put_batch(keys, values) == 5
    assert_table_equals(table, {1: "last", "a": {"x": 1}, (2, "b"): [1, 2], 2**80: None})
    with pytest.raises(ValueError):
        table.put_batch([1, 2], [1])
    assert table.put_batch([], []) == 0
    assert table.put_all(((i, i) for i in range(10, 20)), sync=False) == 10
    table.sync()
    assert table.count() == 14
    assert dict(table.collect_encoded()) == {encode(k): encode(v) for k, v in table.collect()}


def test_put_all_atomic_writes_all_or_nothing(store):
    table = new_table(store, 3, [(i, "old") for i in range(10)])

    def broken_source():
        yield from ((i, "new") for i in range(5, 20))
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError):
        table.put_all_atomic(broken_source())
    assert_table_equals(table, {i: "old" for i in range(10)})
    assert table.put_all_atomic((i, "new") for i in range(5, 20)) == 15
    assert_table_equals(table, {**{i: "old" for i in range(5)}, **{i: "new" for i in range(5, 20)}})
    assert os.listdir(os.path.join(store.config.data_dir, "staging")) == []


def test_empty_table(store):
    table = new_table(store, 4)
    assert table.count() == 0
    assert table.partition_counts() == [0, 0, 0, 0]
    assert list(table.collect()) == []
    assert table.take(3) == [] and table.first() is None
    assert table.reduce(operator.add) is None
    assert table.map_values(str).count() == 0
    assert table.glom().count() == 0
    assert table.map_partitions(lambda it: 1).count() == 0


# ---- per-row operations -------------------------------------------------------------


@table_settings
@given(pairs=pair_lists, partitions=partition_counts)
def test_map_values_and_filter(store, pairs, partitions):
    try:
        ref = dict(pairs)
        source = new_table(store, partitions, pairs)

        mapped = source.map_values(lambda v: ("mv", v, [v]))
        assert_new_result(mapped, source)
        assert mapped.namespace == TEMP_NAMESPACE and mapped.partitions == partitions
        assert_table_equals(mapped, {k: ("mv", v, [v]) for k, v in ref.items()})

        def keep(k, v):
            return len(repr(k)) % 2 == 0

        kept = source.filter(keep)
        assert_new_result(kept, source)
        assert_table_equals(kept, {k: v for k, v in ref.items() if keep(k, v)})
        assert source.filter(lambda k, v: False).count() == 0
        assert_table_equals(source.filter(lambda k, v: True), ref)

        named = source.map_values(lambda v: v, name=unique("named"))
        assert named.namespace == source.namespace
        assert store.exists(source.namespace, named.name)
        assert_table_equals(store.table(source.namespace, named.name), ref)

        assert_table_equals(source, ref)  # the source is unchanged
    finally:
        destroy_all(store)


@table_settings
@given(pairs=pair_lists, partitions=partition_counts)
def test_map_and_flat_map_repartition_by_new_key(store, pairs, partitions):
    try:
        ref = dict(pairs)
        source = new_table(store, partitions, pairs)

        mapped = source.map(lambda k, v: (("m", repr(k)), [k, v]))
        assert_new_result(mapped, source)
        assert_table_equals(mapped, {("m", repr(k)): [k, v] for k, v in ref.items()})

        def explode(k, v):
            if isinstance(k, int):
                return [(("a", k), v), (("b", k), 1), (("c", k), None)]
            return iter([(f"s:{k}", v)])  # any iterable will do

        flat = source.flat_map(explode)
        assert_table_equals(flat, {nk: nv for k, v in ref.items() for nk, nv in explode(k, v)})
        assert source.flat_map(lambda k, v: []).count() == 0

        # many rows to one key: one row, holding one of the values
        merged = source.map(lambda k, v: ("same", v))
        merged_rows = collect_checked(merged)
        if ref:
            assert list(merged_rows) == ["same"]
            assert any(same(merged_rows["same"], v) for v in ref.values())
        else:
            assert merged_rows == {}

        assert_table_equals(source, ref)
    finally:
        destroy_all(store)


@table_settings
@given(pairs=int_pair_lists, partitions=partition_counts)
def test_reduce(store, pairs, partitions):
    try:
        ref = dict(pairs)
        table = new_table(store, partitions, pairs)
        if ref:
            assert table.reduce(operator.add) == sum(ref.values())
            assert table.reduce(lambda a, b: max(a, b)) == max(ref.values())
            assert table.reduce(lambda a, b: a if a < b else b) == min(ref.values())
        else:
            assert table.reduce(operator.add) is None
        assert_table_equals(table, ref)
    finally:
        destroy_all(store)


# ---- per-partition operations ----------------------------------------------------------


@table_settings
@given(pairs=pair_lists, partitions=partition_counts)
def test_glom_and_map_partitions(store, pairs, partitions):
    try:
        ref = dict(pairs)
        source = new_table(store, partitions, pairs)
        groups = partition_groups(ref, partitions)  # non-empty partitions only

        glommed = source.glom()
        assert_new_result(glommed, source)
        assert glommed.count() == len(groups)
        assert_table_equals(glommed, {group[-1][0]: group for group in groups.values()})

        keys = source.map_partitions(lambda it: [k for k, _ in it])
        assert_table_equals(keys, {group[-1][0]: [k for k, _ in group] for group in groups.values()})

        # fn that stops early: still stored under the partition's last key
        firsts = source.map_partitions(lambda it: next(it))
        assert_table_equals(firsts, {group[-1][0]: group[0] for group in groups.values()})

        sizes = source.map_partitions(lambda it: sum(1 for _ in it))
        assert sizes.reduce(operator.add) == (len(ref) or None)

        assert_table_equals(source, ref)
    finally:
        destroy_all(store)


@table_settings
@given(pairs=pair_lists, partitions=partition_counts, seed=st.integers(0, 3))
def test_sample(store, pairs, partitions, seed):
    try:
        ref = dict(pairs)
        source = new_table(store, partitions, pairs)

        first = collect_checked(source.sample(0.5, seed=seed))
        second = collect_checked(source.sample(0.5, seed=seed))
        assert same(first, second)  # deterministic for a seed
        assert all(key in ref and same(value, ref[key]) for key, value in first.items())

        assert source.sample(0.0, seed=seed).count() == 0
        assert_table_equals(source.sample(1.0), ref)
        assert_table_equals(source, ref)
    finally:
        destroy_all(store)


def test_sample_rejects_fractions_outside_zero_one(store):
    table = new_table(store, 2, [(1, 1)])
    for fraction in (-0.01, 1.01, 2):
        with pytest.raises(ValueError):
            table.sample(fraction)


def test_sample_is_the_same_inline_and_in_workers(tmp_path):
    from storage_testlib import make_store

    rows = [(i, i) for i in range(3000)]
    results = []
    for mode in ("inline", "pool"):
        store = make_store(tmp_path / mode, mode)
        table = store.create_table("ns", "t", 5)
        table.put_all(rows)
        sampled = dict(table.sample(0.3, seed="fixed").collect())
        assert 600 < len(sampled) < 1200
        results.append(sampled)
    assert results[0] == results[1]


# ---- two-table operations ---------------------------------------------------------------


@st.composite
def two_sides(draw):
    left = dict(draw(pair_lists))
    right = dict(draw(pair_lists))
    if left:  # make keys overlap
        for key in draw(st.lists(st.sampled_from(sorted(left, key=repr)), max_size=10)):
            right[key] = draw(st.integers())
    return left, right


@table_settings
@given(sides=two_sides(), parts=st.sampled_from(PAIRS_OF_PARTITIONS))
def test_join_union_subtract(store, sides, parts):
    try:
        left_ref, right_ref = sides
        left = new_table(store, parts[0], list(left_ref.items()))
        right = new_table(store, parts[1], list(right_ref.items()))
        temps_before = temp_names(store)

        joined = left.join(right, lambda a, b: (a, b))
        assert joined.partitions == left.partitions
        assert_new_result(joined, left)
        assert_table_equals(joined, {k: (v, right_ref[k]) for k, v in left_ref.items() if k in right_ref})

        union = left.union(right)
        assert union.partitions == left.partitions
        assert_table_equals(union, {**right_ref, **left_ref})  # where in both: this table's value

        union_fn = left.union(right, lambda a, b: ["both", a, b])
        expected = {**right_ref, **left_ref}
        for key in left_ref.keys() & right_ref.keys():
            expected[key] = ["both", left_ref[key], right_ref[key]]
        assert_table_equals(union_fn, expected)

        rest = left.subtract_by_key(right)
        assert rest.partitions == left.partitions
        assert_table_equals(rest, {k: v for k, v in left_ref.items() if k not in right_ref})

        # the re-partitioned copy of `right` made for the work is gone again
        assert temp_names(store) - temps_before == {joined.name, union.name, union_fn.name, rest.name}

        assert_table_equals(left, left_ref)
        assert_table_equals(right, right_ref)
    finally:
        destroy_all(store)


@table_settings
@given(pairs=pair_lists, partitions=partition_counts)
def test_binary_operations_with_itself(store, pairs, partitions):
    try:
        ref = dict(pairs)
        table = new_table(store, partitions, pairs)
        assert_table_equals(table.join(table, lambda a, b: [a, b]), {k: [v, v] for k, v in ref.items()})
        assert_table_equals(table.union(table, lambda a, b: (a,)), {k: (v,) for k, v in ref.items()})
        assert table.subtract_by_key(table).count() == 0
        assert_table_equals(table, ref)
    finally:
        destroy_all(store)


# ---- copies -------------------------------------------------------------------------


@table_settings
@given(pairs=pair_lists, partitions=partition_counts, out_partitions=partition_counts,
       target_pairs=pair_lists)
def test_save_as_and_copy_into(store, pairs, partitions, out_partitions, target_pairs):
    try:
        ref = dict(pairs)
        source = new_table(store, partitions, pairs)

        name = unique("saved")
        saved = source.save_as(name, partitions=out_partitions)
        assert (saved.namespace, saved.name, saved.partitions) == (source.namespace, name, out_partitions)
        assert_table_equals(store.table(source.namespace, name), ref)

        same_parts = source.save_as(unique("saved"))
        assert same_parts.partitions == partitions
        assert_table_equals(same_parts, ref)

        elsewhere = source.save_as(unique("saved"), namespace="other-ns", partitions=out_partitions)
        assert elsewhere.namespace == "other-ns"
        assert_table_equals(store.table("other-ns", elsewhere.name), ref)

        # into an empty table with the same partitions, and into a non-empty one
        empty = new_table(store, partitions)
        assert source.copy_into(empty) is empty
        assert_table_equals(empty, ref)
        for target_partitions in {partitions, out_partitions}:
            target = new_table(store, target_partitions, target_pairs)
            source.copy_into(target)
            assert_table_equals(target, {**dict(target_pairs), **ref})

        assert_table_equals(source, ref)
    finally:
        destroy_all(store)


def test_operations_on_a_destroyed_table_raise_table_not_found(store):
    table = new_table(store, 3, [(1, 1)])
    table.destroy()
    for action in (table.count, lambda: table.get(1), lambda: list(table.collect()),
                   lambda: table.map_values(str), lambda: table.put(2, 2)):
        with pytest.raises(TableNotFound):
            action()


def test_schema_travels_to_results(store):
    table = store.create_table("ns", "with-schema", 2, schema={"header": ["a", "b"], "sid": "id"})
    table.put_all([(1, 1)])
    assert table.map_values(str).schema == {"header": ["a", "b"], "sid": "id"}
    assert table.save_as("copy").schema == {"header": ["a", "b"], "sid": "id"}
    table.set_schema({"header": ["c"]})
    assert store.table("ns", "with-schema").schema == {"header": ["c"]}
