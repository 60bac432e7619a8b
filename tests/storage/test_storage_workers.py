"""Where partition work runs, and what happens when it fails."""

from __future__ import annotations

import operator
import os
import pickle
import subprocess
import sys
import textwrap

import pytest

import storage_testlib
from storage import Store, TableExists, TableNotFound, WorkerDied, executor
from storage_testlib import CustomError, Point


def test_inline_store_runs_work_in_this_process(inline_store):
    table = inline_store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(200))
    pids = set(dict(table.map_values(lambda v: os.getpid()).collect()).values())
    assert pids == {os.getpid()}


def test_pool_store_runs_work_in_worker_processes(pool_store):
    table = pool_store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(200))
    pids = set(dict(table.map_values(lambda v: os.getpid()).collect()).values())
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= storage_testlib.WORKERS
    reduced = table.map_values(lambda v: {os.getpid()}).reduce(operator.or_)
    assert os.getpid() not in reduced


def test_inline_rows_is_the_threshold(tmp_path):
    store = Store(str(tmp_path / "data"), workers=2, inline_rows=100)
    try:
        table = store.create_table("ns", "t", 4)
        table.put_all((i, i) for i in range(99))
        assert set(dict(table.map_values(lambda v: os.getpid()).collect()).values()) == {os.getpid()}
        table.put(99, 99)  # now 100 rows: not below inline_rows any more
        assert os.getpid() not in set(dict(table.map_values(lambda v: os.getpid()).collect()).values())
    finally:
        executor.shutdown()



def test_tables_opened_for_heavy_rows_use_the_workers_however_few_rows(tmp_path):
    store = Store(str(tmp_path / "data"), workers=2)  # (a few rows stay in this process by default)
    try:
        store.create_table("ns", "blocks", 2).put_all([(0, 0), (1, 1), (2, 2)])
        assert set(dict(store.table("ns", "blocks").map_values(lambda v: os.getpid()).collect()).values()) == {
            os.getpid()}
        for heavy in (store.for_heavy_rows().table("ns", "blocks"), store.table("ns", "blocks").with_heavy_rows()):
            assert os.getpid() not in set(dict(heavy.map_values(lambda v: os.getpid()).collect()).values())
    finally:
        executor.shutdown()


FAILING_OPERATIONS = {
    "map_values": lambda t, other: t.map_values(lambda v: 1 // (v - 77)),
    "map": lambda t, other: t.map(lambda k, v: (k, 1 // (v - 77))),
    "flat_map": lambda t, other: t.flat_map(lambda k, v: [(k, 1 // (v - 77))]),
    "filter": lambda t, other: t.filter(lambda k, v: 1 // (v - 77) > 0),
    "map_partitions": lambda t, other: t.map_partitions(lambda it: sum(1 // (v - 77) for _, v in it)),
    "reduce": lambda t, other: t.reduce(lambda a, b: 1 // (a - 77) + 1 // (b - 77)),
    "join": lambda t, other: t.join(other, lambda a, b: 1 // (a - 78)),
    "union": lambda t, other: t.union(other, lambda a, b: 1 // (a - 78)),
}


@pytest.mark.parametrize("operation", sorted(FAILING_OPERATIONS))
def test_exception_in_user_function_surfaces_with_its_type(store, operation):
    table = store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(200))
    # `other` has the same partition count: with another count, a failing join/union can
    # break the pool (see test_pool_survives_a_failed_join_of_differently_partitioned_tables)
    other = store.create_table("ns", "other", 4)
    other.put_all((i, -i) for i in range(0, 200, 2))
    with pytest.raises(ZeroDivisionError):
        FAILING_OPERATIONS[operation](table, other)
    # the pool (or this process) still works, and the source is unchanged
    assert dict(table.map_values(lambda v: v * 2).collect()) == {i: i * 2 for i in range(200)}
    assert table.count() == 200


def test_exception_of_a_test_defined_type_surfaces(store):
    table = store.create_table("ns", "t", 3)
    table.put_all((i, i) for i in range(50))
    with pytest.raises(CustomError, match="bad value"):
        table.map_values(storage_testlib.raise_custom)
    with pytest.raises(KeyError):
        table.filter(lambda k, v: {}[k])
    assert table.map_values(str).count() == 50


def test_a_dying_worker_raises_worker_died_and_the_pool_recovers(pool_store):
    table = pool_store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(100))
    with pytest.raises(WorkerDied):
        table.map_values(lambda v: os._exit(3))
    assert dict(table.map_values(lambda v: -v).collect()) == {i: -i for i in range(100)}
    assert table.reduce(operator.add) == sum(range(100))


# ---- failures and clean-up -------------------------------------------------------------------


@pytest.mark.parametrize("error", [TableNotFound("ns", "t"), TableExists("ns", "t")], ids=repr)
def test_storage_errors_survive_pickling(error):
    # Errors raised in workers travel back pickled.
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.namespace, copy.name, str(copy)) == (error.namespace, error.name, str(error))


def test_table_not_found_in_a_worker_surfaces_and_the_pool_survives(pool_store):
    table = pool_store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(100))
    store = pool_store
    with pytest.raises(TableNotFound):
        table.map_values(lambda v: store.table("ns", "missing"))
    assert dict(table.map_values(lambda v: v + 1).collect()) == {i: i + 1 for i in range(100)}


def test_failed_operation_leaves_no_result_table(store):
    table = store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(200))
    other = store.create_table("ns", "other", 3)
    other.put_all((i, i) for i in range(200))
    staging = os.path.join(store.config.data_dir, "staging")
    with pytest.raises(ZeroDivisionError):
        table.map_values(lambda v: 1 // (v - 150), name="result")
    with pytest.raises(ZeroDivisionError):
        table.join(other, lambda a, b: 1 // (a - 150), name="joined")
    with pytest.raises(ZeroDivisionError):
        table.map_values(lambda v: 1 // (v - 150))  # unnamed: nothing in the temporary namespace either
    assert not store.exists("ns", "result") and not store.exists("ns", "joined")
    assert sorted((m.namespace, m.name) for m in store.list_tables()) == [("ns", "other"), ("ns", "t")]
    assert os.listdir(staging) == []
    # the names are free for a successful run
    assert store.exists("ns", table.map_values(lambda v: v, name="result").name)


def _join_fn(markers: str, rows_per_partition: dict[int, int]):
    """Fails on partition 0's first row. Other tasks start slowly, then mark when they are done."""
    seen = []  # per task: the function is unpickled afresh for each task

    def fn(a, b):
        import time

        from storage import encode
        from storage.partitioner import partition_of

        partition = partition_of(encode(a), 4)
        if partition == 0:
            raise ZeroDivisionError("partition 0 fails")
        if not seen:
            time.sleep(0.3)  # still running when partition 0 has failed
        seen.append(a)
        if len(seen) == rows_per_partition[partition]:
            open(os.path.join(markers, f"finished-{partition}"), "w").close()
        return a

    return fn


def test_failed_join_of_differently_partitioned_tables_ends_all_its_work(pool_store, tmp_path):
    # When one task fails, the others must have ended before the caller cleans up (destroys the
    # re-partitioned copy of `other` they read): errors of tasks that read a destroyed copy
    # used to break the whole pool.
    table = pool_store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(400))
    other = pool_store.create_table("ns", "other", 3)  # re-partitioned into a temporary copy
    other.put_all((i, -i) for i in range(400))
    rows_per_partition = dict(enumerate(table.partition_counts()))
    assert all(rows_per_partition.values())
    markers = tmp_path / "markers"
    markers.mkdir()

    with pytest.raises(ZeroDivisionError):
        table.join(other, _join_fn(str(markers), rows_per_partition), name="joined")
    assert sorted(os.listdir(markers)) == ["finished-1", "finished-2", "finished-3"]
    assert sorted(m.name for m in pool_store.list_tables()) == ["other", "t"]  # no result, no copy
    assert dict(table.map_values(lambda v: v + 1).collect()) == {i: i + 1 for i in range(400)}


_PLUGIN = textwrap.dedent(
    """
    import dataclasses
    from storage import register_data_class

    @register_data_class("dcplugin.Payload")
    @dataclasses.dataclass
    class Payload:
        x: int
    """
)

# Registering a data class is global to a process, so these tests run in subprocesses.
_USE_PLUGIN = textwrap.dedent(
    """
    import importlib.util, sys
    mode, plugin_dir, data_dir = sys.argv[1:4]
    if mode == "unimportable":  # loaded from a file: registered, but not importable by name
        spec = importlib.util.spec_from_file_location("dcplugin", plugin_dir + "/dcplugin.py")
        dcplugin = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(dcplugin)
    else:
        sys.path.insert(0, plugin_dir)
        import dcplugin
    from storage import Store
    store = Store(data_dir, workers=2, inline_rows=10**9 if mode == "inline" else 0)
    table = store.create_table("ns", "t", 4)
    if mode == "unimportable":  # a table without any of the plugin's values
        table.put_all((i, i) for i in range(100))
        print(sorted(table.map_values(lambda v: v * 2).collect()) == [(i, i * 2) for i in range(100)])
    else:
        table.put_all((i, dcplugin.Payload(i)) for i in range(100))
        print(sorted(table.map_values(lambda p: p.x * 2).collect()) == [(i, i * 2) for i in range(100)])
    """
)


def _run_plugin_script(tmp_path, mode: str) -> subprocess.CompletedProcess:
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "dcplugin.py").write_text(_PLUGIN)
    return subprocess.run([sys.executable, "-c", _USE_PLUGIN, mode, str(plugin_dir), str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("mode", ["inline", "pool"])
def test_registered_data_classes_work_in_operations(tmp_path, mode):
    # In the pool, workers must know the data classes the caller registered to decode them.
    proc = _run_plugin_script(tmp_path, mode)
    assert proc.returncode == 0, proc.stderr[-800:]
    assert proc.stdout.strip() == "True"


def test_registered_data_classes_of_the_tests_work_in_workers(pool_store):
    table = pool_store.create_table("ns", "t", 3)
    table.put_all((i, Point(i, (i,))) for i in range(60))
    result = dict(table.map_values(lambda p: Point(p.x + 1, p.y)).collect())
    assert result == {i: Point(i + 1, (i,)) for i in range(60)}


def test_a_data_class_registered_by_an_unimportable_module_does_not_break_the_pool(tmp_path):
    proc = _run_plugin_script(tmp_path, "unimportable")
    assert proc.returncode == 0, proc.stderr[-800:]
    assert proc.stdout.strip() == "True"
