"""Several processes and threads using one store at the same time."""

from __future__ import annotations

import multiprocessing
import threading
import time

import storage_testlib
from storage_testlib import make_store, value_for

SMALL_MAP = 256 * 1024  # small, so the maps also grow while others use them


def _spawn():
    return multiprocessing.get_context("spawn")


def test_two_processes_write_different_tables_at_once(tmp_path):
    ctx = _spawn()
    data_dir = str(tmp_path / "data")
    make_store(data_dir, "inline")  # lay out the directory first
    barrier = ctx.Barrier(2)
    rows = 6000
    procs = [
        ctx.Process(target=storage_testlib.write_table_proc, args=(data_dir, name, rows, 500, SMALL_MAP, barrier))
        for name in ("first", "second")
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=180)
    assert [proc.exitcode for proc in procs] == [0, 0]

    store = make_store(data_dir, "inline")
    assert sorted(meta.name for meta in store.list_tables("ns")) == ["first", "second"]
    for name in ("first", "second"):
        table = store.table("ns", name)
        assert table.count() == rows
        assert dict(table.collect()) == {key: value_for(key, name) for key in range(rows)}


def test_reader_sees_consistent_snapshots_while_another_process_writes(tmp_path):
    ctx = _spawn()
    data_dir = str(tmp_path / "data")
    store = make_store(data_dir, "inline", map_size=SMALL_MAP)
    table = store.create_table("ns", "shared", 4)
    rows, batch = 8000, 250  # the writer pauses at rows // 2, a multiple of batch
    halfway, resume = ctx.Event(), ctx.Event()
    writer = ctx.Process(target=storage_testlib.append_proc,
                         args=(data_dir, "shared", rows, batch, SMALL_MAP, halfway, resume))
    writer.start()
    try:
        last_count = 0
        last_partition_counts = [0] * 4
        paused_checked = False
        reads = 0
        give_up = time.monotonic() + 300  # a safety net against a hung writer, not a speed check
        while True:
            assert time.monotonic() < give_up, "the writer process never finished"
            done = not writer.is_alive()  # decided before reading, so the last round sees everything
            if halfway.is_set() and not paused_checked:
                # the writer is paused between its batches: exactly the first half is there
                assert table.count() == rows // 2
                assert dict(table.collect()) == {k: value_for(k) for k in range(rows // 2)}
                paused_checked = True
                resume.set()
            count = table.count()
            partition_counts = table.partition_counts()
            assert count >= last_count
            assert all(now >= before for now, before in zip(partition_counts, last_partition_counts))
            pairs = list(table.collect())
            assert len(pairs) >= count  # rows are only ever added
            for key, value in pairs:
                assert value == value_for(key)
            for key in (0, count // 2, rows - 1):
                found = table.get(key)
                assert found is None or found == value_for(key)
            last_count, last_partition_counts = count, partition_counts
            reads += 1
            if done:
                break
    finally:
        resume.set()
        writer.join(timeout=180)
    assert writer.exitcode == 0
    assert paused_checked and reads >= 2
    assert table.count() == rows
    assert dict(table.collect()) == {k: value_for(k) for k in range(rows)}


def test_reader_thread_while_a_worker_pool_operation_writes(tmp_path):
    # Writes by worker processes into a table this process is reading.
    store = make_store(tmp_path / "data", "pool")
    source = store.create_table("ns", "src", 4)
    source.put_all((i, i) for i in range(4000))
    target = store.create_table("ns", "dst", 3)
    target.put_all((("pre", i), 0) for i in range(100))
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        last = 0
        try:
            while not stop.is_set():
                count = target.count()
                assert count >= last
                last = count
                for key, value in target.collect():
                    assert value == (0 if isinstance(key, tuple) else key)
        except BaseException as exc:  # reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        source.copy_into(target)
    finally:
        stop.set()
        reader.join(timeout=180)
    assert errors == []
    assert target.count() == 4100


def test_two_threads_put_all_into_the_same_table(tmp_path):
    store = make_store(tmp_path / "data", "inline", map_size=SMALL_MAP)
    table = store.create_table("ns", "t", 3)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(tag: str, keys: range) -> None:
        try:
            barrier.wait(timeout=60)
            for start in range(keys.start, keys.stop, 400):
                table.put_all((k, value_for(k, tag)) for k in range(start, min(keys.stop, start + 400)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=("a", range(0, 10_000))),
               threading.Thread(target=write, args=("b", range(5_000, 15_000)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    contents = dict(table.collect())
    assert table.count() == len(contents) == 15_000
    for key in range(0, 5_000):
        assert contents[key] == value_for(key, "a")
    for key in range(5_000, 10_000):
        assert contents[key] in (value_for(key, "a"), value_for(key, "b"))
    for key in range(10_000, 15_000):
        assert contents[key] == value_for(key, "b")


def test_two_threads_run_operations_at_once(tmp_path):
    store = make_store(tmp_path / "data", "pool")
    table = store.create_table("ns", "t", 4)
    table.put_all((i, i) for i in range(3000))
    results: dict[int, dict] = {}
    errors: list[BaseException] = []

    def run(offset: int) -> None:
        try:
            for _ in range(5):
                results[offset] = dict(table.map_values(lambda v: v + offset).collect())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(offset,)) for offset in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    for offset in (1, 2):
        assert results[offset] == {i: i + offset for i in range(3000)}
