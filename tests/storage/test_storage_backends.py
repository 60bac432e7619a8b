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


def test_a_schema_set_on_a_table_stays_with_it_and_its_results(backend):
    table = new_table(backend, 2)
    table.set_schema({"header": ["x"], "sid_name": "id"})
    assert backend.table("ns", table.name).schema == {"header": ["x"], "sid_name": "id"}
    derived = table.map_values(repr)
    assert derived.schema == {"header": ["x"], "sid_name": "id"}
    derived.set_schema({"header": ["y"]})
    assert derived.save_as(unique("schema")).schema == {"header": ["y"]}


def test_heavy_row_tables_hold_the_same_rows_and_the_backend_tells_its_parallelism(backend):
    table = new_table(backend, 3)
    for heavy in (table.with_heavy_rows(), backend.for_heavy_rows().table("ns", table.name)):
        assert_laid_out(heavy, dict(ROWS))
        assert_laid_out(heavy.map_values(lambda value: value), dict(ROWS))
    assert backend.parallelism() >= 1
    assert table.map_values(repr).namespace == backend.temp_namespace


@pytest.mark.spark
def test_a_spark_store_keeps_its_tasks_temporary_tables_in_its_temp_namespace(spark_store):
    """Unnamed results and tables created under temp_namespace go there; destroy_namespace removes the stored ones."""
    from storage.spark.store import SparkStore

    task_store = SparkStore(spark_store.settings, temp_namespace="__temp__.task")
    assert task_store.parallelism() == spark_store.settings.shuffle_partitions  # spark.default.parallelism
    table = new_table(task_store, 2)
    assert table.map_values(repr).namespace == "__temp__.task"
    task_store.create_table("__temp__.task", "blocks", 2).put_all([(1, 1)])
    assert task_store.destroy_namespace("__temp__.task") == 1
    assert not task_store.exists("__temp__.task", "blocks")


@pytest.mark.spark
def test_a_task_finds_a_table_its_node_keeps_in_the_other_backend(inline_store, spark_store):
    """LMDB -> Spark and Spark -> LMDB: copied once into the task's temporary namespace, laid out and described alike;
    a table in neither backend is not found."""
    from storage.backend_copies import WithOtherBackendTables, lmdb_into_spark, spark_into_lmdb
    from storage.spark.store import SparkStore
    from storage.spark.table import SparkTable

    in_lmdb, in_spark = new_table(inline_store, 3), new_table(spark_store, 4)
    for table in (in_lmdb, in_spark):
        table.set_schema({"header": ["x"]})
    spark_task = WithOtherBackendTables(SparkStore(spark_store.settings, temp_namespace="__temp__.spark_task"),
                                        lmdb_into_spark(inline_store, spark_store.files))
    lmdb_task = WithOtherBackendTables(inline_store, spark_into_lmdb(spark_store.files, inline_store))
    for task, source, kind in ((spark_task, in_lmdb, SparkTable), (lmdb_task, in_spark, Table)):
        found = task.table("ns", source.name)
        assert isinstance(found, kind) and found.namespace == task.temp_namespace
        assert (found.partitions, found.schema) == (source.partitions, {"header": ["x"]})
        assert_laid_out(found, dict(ROWS))
        assert task.table("ns", source.name).name == found.name  # brought in once
        with pytest.raises(TableNotFound):
            task.table("ns", "absent")
    assert spark_task.table("ns", in_spark.name).namespace == "ns"  # its own backend's table, as it is


def test_a_result_outlives_the_tables_it_was_computed_from(backend):
    """As the toy job does: results taken, then their sources destroyed, and the results still read."""
    source = new_table(backend, 2, [(i, float(i)) for i in range(20)])
    halves = source.map_values(lambda value: (value / 2, value / 2))
    first = halves.map_values(lambda pair: pair[0])
    for table in (source, halves):
        table.destroy()
    assert first.reduce(operator.add) == sum(range(20)) / 2


def test_put_all_into_a_table_with_rows_adds_and_replaces(backend):
    table = new_table(backend, 3, [(i, i) for i in range(10)])
    table.put_all([(5, "new"), (20, 20)])
    expected = {**{i: i for i in range(10)}, 5: "new", 20: 20}
    assert_laid_out(table, expected)
    assert_laid_out(backend.table("ns", table.name), expected)
