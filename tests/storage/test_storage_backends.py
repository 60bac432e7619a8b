"""The backend-independent table tests: each runs on the LMDB store and on Spark (`backend` fixture).

A table's contents, partition layout (storage.partitioner's hash, keys in byte order within a partition)
and every operation's result must be the same on both.
"""

from __future__ import annotations

import operator
import os
import uuid

import pytest

from storage import Table, TableNotFound
from storage.computing import ComputingTable
from storage_testlib import Point, expected_partition_counts, partition_groups
from strict_equality import same

ROWS = [(i, {"i": i, "s": "v" * (i % 5)}) for i in range(30)] + [
    ("key", [1, 2]), (("t", 1), 2.5), (b"raw", None), (-7, Point(3, "p")), ("é", (1, "x"))]


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_table(backend, partitions, pairs=ROWS):
    table = backend.create_table("ns", unique(), partitions)
    table.put_all(pairs)
    return table


def assert_laid_out(table, expected: dict) -> None:
    """The table holds `expected`, partitioned and ordered as storage.partitioner lays out any table."""
    groups = partition_groups(expected, table.partitions)
    order = [pair for index in range(table.partitions) for pair in groups.get(index, [])]
    assert same(list(table.collect()), order)
    assert table.count() == len(expected)
    assert table.partition_counts() == expected_partition_counts(expected, table.partitions)


def test_tables_of_both_backends_are_computing_tables(backend):
    table = new_table(backend, 2, [(1, 1)])
    assert isinstance(table, ComputingTable)
    assert isinstance(table.map_values(str), ComputingTable)


def test_put_all_get_collect_take(backend):
    table = new_table(backend, 3, ROWS + [(0, "last wins")])
    expected = dict(ROWS) | {0: "last wins"}
    assert_laid_out(table, expected)
    assert same(table.get(-7), Point(3, "p"))
    assert same(table.get(("t", 1)), 2.5)
    assert table.get("absent") is None
    collected = list(table.collect())
    assert same(table.take(4), collected[:4])
    assert table.take(0) == []
    assert same(table.first(), collected[0])

    assert table.put_all([(1, "new"), ("added", 0)]) == 2
    assert_laid_out(table, expected | {1: "new", "added": 0})


def test_empty_table(backend):
    table = new_table(backend, 4, [])
    assert_laid_out(table, {})
    assert table.first() is None
    assert table.reduce(operator.add) is None
    assert list(table.glom().collect()) == []


def test_map_values_filter_map_flat_map(backend):
    table = new_table(backend, 3)
    ref = dict(ROWS)
    assert_laid_out(table.map_values(repr), {key: repr(value) for key, value in ref.items()})
    assert_laid_out(table.filter(lambda key, value: isinstance(key, int) and key % 3 == 0),
                    {key: value for key, value in ref.items() if isinstance(key, int) and key % 3 == 0})
    assert_laid_out(table.map(lambda key, value: (repr(key), key)), {repr(key): key for key in ref})
    assert_laid_out(table.flat_map(lambda key, value: [((key, n), n) for n in range(2)]),
                    {(key, n): n for key in ref for n in range(2)})


def test_reduce_glom_map_partitions_sample(backend):
    table = new_table(backend, 3, [(i, i) for i in range(40)])
    assert table.reduce(operator.add) == sum(range(40))
    groups = partition_groups({i: i for i in range(40)}, 3)
    assert_laid_out(table.glom(), {pairs[-1][0]: pairs for pairs in groups.values()})
    assert_laid_out(table.map_partitions(lambda pairs: sum(value for _, value in pairs)),
                    {pairs[-1][0]: sum(value for _, value in pairs) for pairs in groups.values()})
    sampled = dict(table.sample(0.5, seed=7).collect())
    assert 0 < len(sampled) < 40 and all(sampled[key] == key for key in sampled)
    assert dict(table.sample(0.5, seed=7).collect()) == sampled
    with pytest.raises(ValueError):
        table.sample(1.5)


def test_join_union_subtract_across_partition_counts(backend):
    left = new_table(backend, 3, [(i, i) for i in range(0, 20)])
    right = new_table(backend, 2, [(i, -i) for i in range(10, 30)])
    assert_laid_out(left.join(right, operator.sub), {i: 2 * i for i in range(10, 20)})
    assert_laid_out(left.union(right), {i: i for i in range(20)} | {i: -i for i in range(20, 30)})
    assert_laid_out(left.union(right, operator.add),
                    {i: i for i in range(10)} | {i: 0 for i in range(10, 20)} | {i: -i for i in range(20, 30)})
    assert_laid_out(left.subtract_by_key(right), {i: i for i in range(10)})
    assert all(result.partitions == 3 for result in (left.join(right, operator.add), left.subtract_by_key(right)))


def test_save_as_and_named_results_are_stored_tables(backend):
    table = new_table(backend, 3)
    name = unique("saved")
    saved = table.save_as(name, namespace="other", partitions=5)
    assert (saved.namespace, saved.name, saved.partitions) == ("other", name, 5)
    reopened = backend.table("other", name)
    assert_laid_out(reopened, dict(ROWS))

    doubled = table.map_values(repr, namespace="other", name=unique("named"))
    assert_laid_out(backend.table("other", doubled.name), {key: repr(value) for key, value in ROWS})

    reopened.destroy()
    assert not backend.exists("other", name)
    with pytest.raises(TableNotFound):
        backend.table("other", name)


@pytest.mark.spark
def test_both_backends_lay_out_keys_and_compute_results_alike(inline_store, spark_store):
    """The same key in the same partition index on both; every operation's result equal."""
    pairs = ROWS + [(f"k{i}", i) for i in range(40)]
    lmdb, spark = (new_table(store, 4, pairs) for store in (inline_store, spark_store))
    other_pairs = [(i, i * 3) for i in range(15, 45)]
    lmdb_other, spark_other = (new_table(store, 3, other_pairs) for store in (inline_store, spark_store))
    assert lmdb.partition_counts() == spark.partition_counts()

    def results(table: ComputingTable, other: ComputingTable) -> list:
        return [list(result.collect()) for result in (
            table, table.map_values(repr), table.filter(lambda key, value: isinstance(value, int)),
            table.map(lambda key, value: (repr(key), 1)), table.glom(), table.sample(0.3, seed=11),
            table.join(other, lambda a, b: [a, b]), table.union(other), table.subtract_by_key(other),
            table.save_as(unique("copy"), partitions=7))]

    for lmdb_result, spark_result in zip(results(lmdb, lmdb_other), results(spark, spark_other)):
        assert same(spark_result, lmdb_result)
    assert isinstance(lmdb, Table)


@pytest.mark.spark
def test_a_stored_spark_table_is_files_another_store_reads_back(spark_store):
    """Saved under spark.storage_dir as meta.json and one file per partition, a table outlives the store that wrote it."""
    from storage.spark.store import SparkStore

    saved = new_table(spark_store, 3).save_as(unique("kept"))
    directory = spark_store.table_dir("ns", saved.name)
    assert sorted(os.listdir(directory)) == ["meta.json", "part-00000", "part-00001", "part-00002"]
    assert_laid_out(SparkStore(spark_store.settings).table("ns", saved.name), dict(ROWS))
