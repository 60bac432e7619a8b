"""The store: creating, publishing, discarding, finding, listing and destroying tables."""

from __future__ import annotations

import os

import pytest

from storage import MAX_PARTITIONS, InvalidTableArgument, Store, TableExists, TableNotFound
from storage.meta import TEMP_NAMESPACE
from storage_testlib import assert_table_equals

INVALID_PARTITIONS = [0, -1, MAX_PARTITIONS + 1, 1025, "3", True, False, 2.0, None]
INVALID_NAMES = ["", ".", "..", "a\x00b", "tab\tname", "new\nline", "x" * 201, "x" * 300, None, 5, b"bytes"]


def names(store, namespace=None) -> list[tuple[str, str]]:
    return [(meta.namespace, meta.name) for meta in store.list_tables(namespace)]


def test_create_and_reopen(inline_store):
    table = inline_store.create_table("ns", "t", 3, schema={"sid": "id"})
    assert (table.namespace, table.name, table.partitions, table.schema) == ("ns", "t", 3, {"sid": "id"})
    table.put("k", "v")
    again = inline_store.table("ns", "t")
    assert (again.partitions, again.schema, again.get("k")) == (3, {"sid": "id"}, "v")
    assert inline_store.exists("ns", "t")
    assert not inline_store.exists("ns", "u") and not inline_store.exists("other", "t")
    # a second Store object on the same directory sees the same tables
    assert Store(inline_store.config.data_dir).table("ns", "t").get("k") == "v"


def test_partition_limits_are_valid(inline_store):
    assert inline_store.create_table("ns", "one", 1).partitions == 1
    assert inline_store.create_table("ns", "max", MAX_PARTITIONS).partition_counts() == [0] * MAX_PARTITIONS


def test_create_existing_raises_and_replace_replaces(inline_store):
    old = inline_store.create_table("ns", "t", 2)
    old.put_all([(1, "old"), (2, "old")])
    with pytest.raises(TableExists):
        inline_store.create_table("ns", "t", 4)
    assert_table_equals(inline_store.table("ns", "t"), {1: "old", 2: "old"})

    new = inline_store.create_table("ns", "t", 4, replace=True)
    assert new.partitions == 4 and new.count() == 0
    reopened = inline_store.table("ns", "t")
    assert reopened.partitions == 4 and reopened.count() == 0
    new.put(3, "new")
    assert_table_equals(inline_store.table("ns", "t"), {3: "new"})
    assert names(inline_store) == [("ns", "t")]


@pytest.mark.parametrize("partitions", INVALID_PARTITIONS, ids=repr)
def test_invalid_partition_counts(inline_store, partitions):
    with pytest.raises(InvalidTableArgument):
        inline_store.create_table("ns", "t", partitions)
    with pytest.raises(InvalidTableArgument):
        inline_store.staging(partitions)
    with pytest.raises(InvalidTableArgument):
        inline_store.temporary(partitions)
    assert issubclass(InvalidTableArgument, ValueError)
    assert names(inline_store) == []
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


@pytest.mark.parametrize("bad", INVALID_NAMES, ids=repr)
def test_invalid_names(inline_store, bad):
    for namespace, name in ((bad, "t"), ("ns", bad)):
        with pytest.raises(InvalidTableArgument):
            inline_store.create_table(namespace, name, 1)
        with pytest.raises(InvalidTableArgument):
            inline_store.table(namespace, name)
        with pytest.raises(InvalidTableArgument):
            inline_store.destroy(namespace, name)
        staged = inline_store.staging(1)
        with pytest.raises(InvalidTableArgument):
            inline_store.publish(staged, namespace, name)
        inline_store.discard(staged)
    assert names(inline_store) == []
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


def test_staging_is_invisible_until_published(inline_store):
    staged = inline_store.staging(3, schema={"header": ["x"]})
    staged.put_all([(i, i * i) for i in range(50)])
    assert staged.count() == 50
    assert names(inline_store) == []
    assert not inline_store.exists("ns", "pub")
    with pytest.raises(TableNotFound):
        inline_store.table("ns", "pub")

    published = inline_store.publish(staged, "ns", "pub")
    assert (published.namespace, published.name, published.partitions) == ("ns", "pub", 3)
    assert names(inline_store) == [("ns", "pub")]
    reopened = inline_store.table("ns", "pub")
    assert reopened.schema == {"header": ["x"]}
    assert_table_equals(reopened, {i: i * i for i in range(50)})
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


def test_discard_leaves_nothing_behind(inline_store):
    staging_dir = os.path.join(inline_store.config.data_dir, "staging")
    staged = inline_store.staging(4)
    staged.put_all([(i, "x" * 100) for i in range(500)])
    assert len(os.listdir(staging_dir)) == 1
    inline_store.discard(staged)
    assert os.listdir(staging_dir) == []
    assert names(inline_store) == []
    with pytest.raises(TableNotFound):
        staged.count()


def test_publish_over_existing_table(inline_store):
    old = inline_store.create_table("ns", "t", 2)
    old.put_all([("a", 1), ("b", 2)])
    staged = inline_store.staging(5)
    staged.put_all([("c", 3)])

    with pytest.raises(TableExists):
        inline_store.publish(staged, "ns", "t")
    intact = inline_store.table("ns", "t")
    assert intact.partitions == 2
    assert_table_equals(intact, {"a": 1, "b": 2})
    assert_table_equals(old, {"a": 1, "b": 2})

    # the staged table is still there to publish with replace=True (or to discard)
    replaced = inline_store.publish(staged, "ns", "t", replace=True)
    assert replaced.partitions == 5
    assert_table_equals(inline_store.table("ns", "t"), {"c": 3})
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []
    assert os.listdir(os.path.join(inline_store.config.data_dir, "trash")) == []


def test_destroy(inline_store):
    assert inline_store.destroy("ns", "missing") is False
    table = inline_store.create_table("ns", "t", 2)
    table.put(1, 1)
    assert inline_store.destroy("ns", "t") is True
    assert not inline_store.exists("ns", "t")
    assert inline_store.destroy("ns", "t") is False
    with pytest.raises(TableNotFound):
        inline_store.table("ns", "t")
    with pytest.raises(TableNotFound):
        table.get(1)
    assert names(inline_store) == []
    assert os.listdir(os.path.join(inline_store.config.data_dir, "trash")) == []
    # the name can be used again, and the new table starts empty
    again = inline_store.create_table("ns", "t", 2)
    assert again.count() == 0 and again.get(1) is None
    table.destroy()  # Table.destroy: same as Store.destroy
    assert not inline_store.exists("ns", "t")


def test_table_of_missing_table_raises_table_not_found(inline_store):
    with pytest.raises(TableNotFound) as caught:
        inline_store.table("nope", "missing")
    assert (caught.value.namespace, caught.value.name) == ("nope", "missing")
    inline_store.create_table("nope", "other", 1)
    with pytest.raises(TableNotFound):
        inline_store.table("nope", "missing")


UNUSUAL = ["a/b", "../escape", "a/../b", "#hash#", "with space", " lead", "trail ", "ünïcødé", "中文表", "🚀",
           "a%2Fb", "%", "x" * 200, "dots.in.name", "-dash_", "back\\slash", "?q=1&r", "a:b"]


NAMESPACES = ["ns", "n/s", "n s#", "名前空間"]


def test_unusual_names_work_and_are_listed(inline_store):
    expected = []
    for index, name in enumerate(UNUSUAL):
        namespace = NAMESPACES[index % len(NAMESPACES)]
        inline_store.create_table(namespace, name, 2).put(name, index)
        expected.append((namespace, name))
    for index, (namespace, name) in enumerate(expected):
        assert inline_store.exists(namespace, name)
        table = inline_store.table(namespace, name)
        assert (table.namespace, table.name) == (namespace, name)
        assert table.get(name) == index
    assert sorted(names(inline_store)) == sorted(expected)
    assert sorted(names(inline_store, "n/s")) == sorted(pair for pair in expected if pair[0] == "n/s")
    # nothing was written outside the store's tables directory
    assert sorted(os.listdir(inline_store.config.data_dir)) == [".catalog.lock", "locks", "staging", "tables", "trash"]
    assert len(os.listdir(os.path.join(inline_store.config.data_dir, "tables"))) == len(NAMESPACES)
    for namespace, name in expected:
        assert inline_store.destroy(namespace, name) is True
    assert names(inline_store) == []


def test_names_that_look_alike_are_different_tables(inline_store):
    inline_store.create_table("ns", "a/b", 1).put("k", 1)
    inline_store.create_table("ns", "a%2Fb", 1).put("k", 2)
    inline_store.create_table("ns", "a_b", 1).put("k", 3)
    inline_store.create_table("ns/a", "b", 1).put("k", 4)
    assert [inline_store.table(*n).get("k") for n in [("ns", "a/b"), ("ns", "a%2Fb"), ("ns", "a_b"), ("ns/a", "b")]] == [1, 2, 3, 4]
    assert len(names(inline_store)) == 4


def test_list_tables(inline_store):
    assert names(inline_store) == []
    inline_store.create_table("b", "2", 1)
    inline_store.create_table("b", "1", 1)
    inline_store.create_table("a", "9", 3, schema={"k": 1})
    listed = inline_store.list_tables()
    assert {(m.namespace, m.name) for m in listed} == {("a", "9"), ("b", "1"), ("b", "2")}
    assert [m for m in listed if m.name == "9"][0].partitions == 3
    assert [m for m in listed if m.name == "9"][0].schema == {"k": 1}
    assert {m.name for m in inline_store.list_tables("b")} == {"1", "2"}
    assert inline_store.list_tables("missing") == []


def test_temporary_tables(inline_store):
    first = inline_store.temporary(2)
    second = inline_store.temporary(3, schema={"s": 1})
    assert first.namespace == second.namespace == TEMP_NAMESPACE
    assert first.name != second.name
    assert (second.partitions, second.schema) == (3, {"s": 1})
    assert {m.name for m in inline_store.list_tables(TEMP_NAMESPACE)} == {first.name, second.name}


LONG_NAMES = ["é" * 100, "#" * 100, "/" * 90, "中" * 60, "x" * 200, "%" * 200]


@pytest.mark.parametrize("name", LONG_NAMES, ids=["e-acute", "hash", "slash", "cjk", "ascii-200", "percent-200"])
def test_long_names_work(inline_store, name):
    # Within the 200-character limit, even when the quoted directory name would pass the
    # file system's 255-byte limit.
    table = inline_store.create_table(name, name, 1)
    table.put(1, name)
    assert inline_store.table(name, name).get(1) == name
    assert names(inline_store) == [(name, name)]
    assert inline_store.destroy(name, name) is True
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


def test_long_names_with_a_common_prefix_are_different_tables(inline_store):
    first, second = "é" * 100, "é" * 99 + "e"
    inline_store.create_table("ns", first, 1).put("k", 1)
    inline_store.create_table("ns", second, 1).put("k", 2)
    assert inline_store.table("ns", first).get("k") == 1
    assert inline_store.table("ns", second).get("k") == 2
    assert sorted(names(inline_store)) == sorted([("ns", first), ("ns", second)])


@pytest.mark.parametrize("partitions", [0, -1, 1025, "3", True, 2.0], ids=repr)
def test_save_as_rejects_invalid_partition_counts(inline_store, partitions):
    table = inline_store.create_table("ns", "t", 2)
    table.put(1, 1)
    with pytest.raises(InvalidTableArgument):
        table.save_as("copy", partitions=partitions)
    assert not inline_store.exists("ns", "copy")


def test_keys_longer_than_lmdb_allows_are_refused_clearly(tmp_path):
    table = Store(str(tmp_path / "data")).create_table("ns", "long_keys", 2)
    too_long = "k" * 600
    with pytest.raises(InvalidTableArgument, match="at most 511 bytes"):
        table.put(too_long, 1)
    with pytest.raises(InvalidTableArgument):
        table.put_all([("short", 1), (too_long, 2)])
    assert table.get(too_long) is None
    assert table.delete(too_long) is False


def test_a_namespace_folder_goes_with_its_last_table(inline_store):
    tables_dir = os.path.join(inline_store.config.data_dir, "tables")
    inline_store.create_table("ns", "a", 1)
    inline_store.create_table("ns", "b", 1)
    inline_store.destroy("ns", "a")
    assert os.listdir(tables_dir) == ["ns"]
    inline_store.destroy("ns", "b")
    assert os.listdir(tables_dir) == []
    assert inline_store.create_table("ns", "a", 1).count() == 0  # and it comes back when needed
