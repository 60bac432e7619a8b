"""Spark tables on disk without Spark: written partition by partition (as a received push arrives), listed, read,
re-schema'd and removed by the node; a SparkStore computes on what was written."""

from __future__ import annotations

import os

import pytest

from storage import TableExists, TableNotFound, encode
from storage.partitioner import partition_of
from storage.spark.directory import STAGING, SparkDirectory

PAIRS = sorted(((encode(i), encode({"v": i})) for i in range(40)), key=lambda pair: pair[0])


def written(directory: SparkDirectory, name: str, partitions: int = 3) -> None:
    staged = directory.staging(partitions, {"header": ["v"]})
    for index in range(partitions):
        staged.append_sorted(index, [pair for pair in PAIRS if partition_of(pair[0], partitions) == index])
    staged.publish("ns", name)


def test_a_staged_table_becomes_visible_only_when_published(tmp_path):
    directory = SparkDirectory(str(tmp_path))
    staged = directory.staging(2)
    staged.append_sorted(0, [pair for pair in PAIRS if partition_of(pair[0], 2) == 0])
    assert not directory.exists("ns", "t") and directory.list_tables() == []
    staged.publish("ns", "t")
    assert directory.exists("ns", "t")
    assert sorted(os.listdir(directory.table_dir("ns", "t"))) == ["meta.json", "part-00000", "part-00001"]
    assert os.listdir(os.path.join(str(tmp_path), STAGING)) == []


def test_written_pairs_read_back_partition_by_partition(tmp_path):
    directory = SparkDirectory(str(tmp_path))
    written(directory, "t")
    expected = [pair for index in range(3) for pair in PAIRS if partition_of(pair[0], 3) == index]
    assert list(directory.pairs("ns", "t")) == expected
    assert directory.meta("ns", "t").schema == {"header": ["v"]}


def test_a_table_is_not_replaced_unless_asked(tmp_path):
    directory = SparkDirectory(str(tmp_path))
    written(directory, "t")
    with pytest.raises(TableExists):
        written(directory, "t")
    staged = directory.staging(1)
    staged.publish("ns", "t", replace=True)
    assert directory.meta("ns", "t").partitions == 1 and list(directory.pairs("ns", "t")) == []


def test_a_discarded_table_leaves_nothing(tmp_path):
    directory = SparkDirectory(str(tmp_path))
    staged = directory.staging(2)
    staged.append_sorted(1, PAIRS[:1])
    staged.discard()
    assert os.listdir(os.path.join(str(tmp_path), STAGING)) == [] and directory.list_tables() == []


def test_list_schema_and_destroy(tmp_path):
    directory = SparkDirectory(str(tmp_path))
    written(directory, "a")
    written(directory, "b/with slash")
    assert [meta.name for meta in directory.list_tables("ns")] == ["a", "b/with slash"]
    assert directory.set_schema("ns", "a", {"sid": "id"}).schema == {"sid": "id"}
    assert directory.meta("ns", "a").schema == {"sid": "id"}
    assert directory.destroy_namespace("ns") == 2 and not directory.destroy("ns", "a")
    with pytest.raises(TableNotFound):
        directory.meta("ns", "a")


@pytest.mark.spark
def test_a_spark_store_computes_on_a_table_written_without_spark(spark_store):
    written(SparkDirectory(spark_store.settings.storage_dir), "from-files")
    table = spark_store.table("ns", "from-files")
    assert table.partition_counts() == [sum(partition_of(k, 3) == i for k, _ in PAIRS) for i in range(3)]
    assert dict(table.map_values(lambda value: value["v"] * 2).collect()) == {i: 2 * i for i in range(40)}


def test_clear_staging_removes_what_dead_writers_left_and_keeps_tables(tmp_path):
    directory = SparkDirectory(str(tmp_path))
    written(directory, "kept")
    directory.staging(2).append_sorted(0, PAIRS[:1])  # a writer that died before publishing
    os.makedirs(os.path.join(str(tmp_path), STAGING, "upload-parts", "part-00000"))
    assert directory.clear_staging() == 2
    assert os.listdir(os.path.join(str(tmp_path), STAGING)) == []
    assert [meta.name for meta in directory.list_tables()] == ["kept"]
