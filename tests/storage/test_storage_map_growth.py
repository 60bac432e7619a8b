"""A full LMDB map grows instead of failing, in this process and in worker processes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap

import lmdb
import pytest

from storage import executor
from storage.lmdb_env import environments
from storage_testlib import make_store

TINY = 64 * 1024


def blob(key: int, size: int = 2000) -> bytes:
    seed = hashlib.sha256(str(key).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


@pytest.fixture
def tiny_store(tmp_path, mode):
    store = make_store(tmp_path / "data", mode, map_size=TINY)
    yield store
    if mode == "pool":
        executor.shutdown()


def check_blobs(table, rows: int, transform=lambda b: b) -> None:
    assert table.count() == rows
    seen = 0
    for key, value in table.collect():
        assert value == transform(blob(key)), key
        seen += 1
    assert seen == rows


def test_put_all_grows_the_map(tiny_store):
    table = tiny_store.create_table("ns", "big", 4)
    rows = 3000  # about 6 MB, about 100 times the initial map
    assert table.put_all((i, blob(i)) for i in range(rows)) == rows
    check_blobs(table, rows)
    assert sum(table.partition_counts()) == rows


def test_one_value_bigger_than_the_map(tiny_store):
    table = tiny_store.create_table("ns", "huge", 2)
    value = blob(1, 3 * 1024 * 1024)
    table.put("huge", value)
    table.put_all([("a", value[:1000]), ("b", value)])
    assert table.get("huge") == value
    assert table.get("b") == value
    assert table.count() == 3


def test_operations_grow_their_result_maps(tiny_store):
    # map_values and a copy with the same partitions: one writer per result partition
    table = tiny_store.create_table("ns", "src", 4)
    rows = 2000
    table.put_all((i, blob(i)) for i in range(rows))
    doubled = table.map_values(lambda b: b + b)  # about 8 MB written by the workers in pool mode
    check_blobs(doubled, rows, lambda b: b + b)
    copied = table.save_as("copy")
    check_blobs(copied, rows)


def test_repartitioning_operations_grow_their_result_maps(tmp_path):
    # Every task writes to every result partition. Inline only: in the pool, workers writing
    # one partition at once hit test_opening_while_another_process_grows_the_map_is_retried.
    store = make_store(tmp_path / "data", "inline", map_size=TINY)
    table = store.create_table("ns", "src", 4)
    rows = 2000
    table.put_all((i, blob(i)) for i in range(rows))
    rescattered = table.save_as("copy3", partitions=3)
    check_blobs(rescattered, rows)
    joined = table.join(rescattered, lambda a, b: a + b)
    check_blobs(joined, rows, lambda b: b + b)
    mapped = table.map(lambda k, v: (("k", k), v))
    assert mapped.count() == rows


def test_opening_while_another_process_grows_the_map_is_retried(tmp_path, monkeypatch):
    store = make_store(tmp_path / "data", "inline", map_size=TINY)
    table = store.create_table("ns", "t", 2)
    table.put_all((i, blob(i)) for i in range(200))
    environments.close_under(table.directory)  # the next use opens the environments again
    real_open = lmdb.open
    raced: list[str] = []

    def open_racing_a_grower(path, *args, **kwargs):
        # What lmdb.open does when another process grows the map between its reading the
        # map size and its first transaction (observed with two workers scattering into
        # one small table).
        if not raced:
            raced.append(path)
            raise lmdb.MapResizedError("mdb_txn_begin", "MDB_MAP_RESIZED: Database contents grew beyond environment mapsize")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(lmdb, "open", open_racing_a_grower)
    assert table.count() == 200
    assert raced  # the race really was staged
    assert dict(table.collect()) == {i: blob(i) for i in range(200)}


def test_workers_adopt_a_map_grown_by_this_process(tmp_path):
    store = make_store(tmp_path / "data", "pool", map_size=TINY)
    try:
        table = store.create_table("ns", "t", 4)
        table.put_all((i, b"x") for i in range(100))
        assert table.map_values(len).count() == 100  # workers open the small environments
        table.put_all((i, blob(i)) for i in range(100, 2600))  # this process grows them
        lengths = dict(table.map_values(len).collect())  # workers read past their old map
        assert lengths == {**{i: 1 for i in range(100)}, **{i: 2000 for i in range(100, 2600)}}
    finally:
        executor.shutdown()


_READ_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from storage import Store
    table = Store(sys.argv[1], map_size=4096, workers=2, inline_rows=10**9).table("ns", "big")
    print(table.count(), sum(len(v) for _, v in table.collect()))
    """
)


def test_another_process_reads_a_grown_table(tmp_path):
    store = make_store(tmp_path / "data", "inline", map_size=TINY)
    table = store.create_table("ns", "big", 3)
    table.put_all((i, blob(i)) for i in range(2500))
    proc = subprocess.run([sys.executable, "-c", _READ_IN_ANOTHER_PROCESS, store.config.data_dir],
                          capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.split() == ["2500", str(2500 * 2000)]


_WRITE_WHILE_ITERATING = textwrap.dedent(
    """
    import sys
    from storage import Store
    store = Store(sys.argv[1], map_size=64 * 1024, workers=2, inline_rows=10**9)
    table = store.create_table("ns", "t", 1)
    table.put_all((i, i) for i in range(10))
    rows = table.collect()
    print(next(rows), flush=True)  # an iteration in progress: a read transaction stays open
    table.put_all((i, "x" * 1000) for i in range(10, 2000))  # needs the map to grow
    print("written", table.count(), flush=True)
    """
)


def test_writing_while_iterating_the_same_table_does_not_hang(tmp_path):
    # Growing the map waits for the environment's readers in this process; a paused
    # collect() of the same thread must not be one of them, or this hangs forever.
    # In a subprocess with a timeout: the failure this guards against is a hang.
    try:
        proc = subprocess.run([sys.executable, "-c", _WRITE_WHILE_ITERATING, str(tmp_path / "data")],
                              capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("writing to a table while iterating it hung")
    assert proc.returncode == 0, proc.stderr[-800:]
    assert proc.stdout.split("\n")[1] == "written 2000"
