"""New versions of a table: staged copies, publishing over a table in one step, the per-table lock."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from storage import Store, TableNotFound, store as store_module

LOCK_WAIT = 0.5


def _table(store: Store, name: str, rows: range):
    table = store.create_table("ns", name, 4, schema={"header": "a"})
    table.put_all((i, f"v{i}") for i in rows)
    return table


def test_a_staged_copy_has_the_rows_and_changes_apart_from_its_table(inline_store):
    table = _table(inline_store, "t", range(1000))
    copy = inline_store.staging_copy(table)
    assert (copy.partitions, copy.schema) == (4, {"header": "a"})
    assert dict(copy.collect()) == dict(table.collect())
    copy.put_all((i, "new") for i in range(500, 1500))
    copy.delete(0)
    assert table.count() == 1000 and table.get(0) == "v0" and table.get(600) == "v600"
    assert inline_store.table("ns", "t").count() == 1000

    published = inline_store.publish(copy, "ns", "t", replace=True, written_by="job-7")
    assert published.count() == 1499
    again = inline_store.table("ns", "t")
    assert again.get(600) == "new" and again.get(0) is None and again.get(1) == "v1"
    assert again.meta.written_by == "job-7"
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


def test_written_by_is_kept_in_the_meta_and_empty_unless_given(inline_store):
    assert _table(inline_store, "plain", range(3)).meta.written_by == ""
    staged = inline_store.staging(2)
    inline_store.publish(staged, "ns", "labelled", written_by="upload 42")
    assert inline_store.table("ns", "labelled").meta.written_by == "upload 42"
    assert {m.name: m.written_by for m in inline_store.list_tables("ns")} == {"labelled": "upload 42", "plain": ""}


def test_a_staged_copy_of_a_table_that_went_away_leaves_nothing(inline_store):
    handle = _table(inline_store, "gone", range(100))
    inline_store.destroy("ns", "gone")
    with pytest.raises(TableNotFound):
        inline_store.staging_copy(handle)
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


def test_a_failed_swap_leaves_the_old_table_and_the_staged_one(inline_store, monkeypatch):
    _table(inline_store, "t", range(100))
    staged = inline_store.staging(4)
    staged.put_all((i, "new") for i in range(10))

    def full_disk(first: str, second: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "swap_directories", full_disk)
    with pytest.raises(OSError):
        inline_store.publish(staged, "ns", "t", replace=True)
    assert inline_store.table("ns", "t").count() == 100
    assert staged.count() == 10  # the caller still has it, to discard
    inline_store.discard(staged)
    assert os.listdir(os.path.join(inline_store.config.data_dir, "staging")) == []


_WATCHER = textwrap.dedent("""
    import os, sys
    meta = sys.argv[1]
    ready, stop = sys.argv[2], sys.argv[3]
    open(ready, "w").close()
    missing = looks = 0
    while not os.path.exists(stop):
        looks += 1
        if not os.path.exists(meta):
            missing += 1
    print(missing, looks)
""")


def test_a_table_replaced_again_and_again_never_goes_missing(inline_store, tmp_path):
    """A process watching the table's meta file while it is replaced 300 times never finds it absent."""
    table = _table(inline_store, "t", range(10))
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    watcher = subprocess.Popen([sys.executable, "-c", _WATCHER, os.path.join(table.directory, "meta.json"),
                                str(ready), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        while not ready.exists():
            time.sleep(0.01)
        for round_ in range(300):
            staged = inline_store.staging(1)
            staged.put(round_, round_)
            inline_store.publish(staged, "ns", "t", replace=True)
    finally:
        stop.touch()
        output, _ = watcher.communicate(timeout=30)
    missing, looks = map(int, output.split())
    assert looks > 1000
    assert missing == 0
    assert dict(inline_store.table("ns", "t").collect()) == {299: 299}


_LOCKER = textwrap.dedent("""
    import sys
    from storage import Store
    with Store(sys.argv[1]).table_lock(sys.argv[2], sys.argv[3]):
        print("locked", flush=True)
""")


def _lock_in_another_process(store: Store, namespace: str, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _LOCKER, store.config.data_dir, namespace, name],
                            stdout=subprocess.PIPE, text=True)


def test_a_table_lock_holds_off_other_processes_until_released(inline_store):
    with inline_store.table_lock("ns", "t"):
        waiting = _lock_in_another_process(inline_store, "ns", "t")
        other_table = _lock_in_another_process(inline_store, "ns", "other")
        assert other_table.communicate(timeout=30)[0] == "locked\n"
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(LOCK_WAIT)
    assert waiting.communicate(timeout=30)[0] == "locked\n"


def test_a_table_lock_holds_off_other_threads_of_the_process(inline_store):
    acquired = threading.Event()

    def lock() -> None:
        with inline_store.table_lock("ns", "t"):
            acquired.set()

    with inline_store.table_lock("ns", "t"):
        thread = threading.Thread(target=lock)
        thread.start()
        assert not acquired.wait(LOCK_WAIT)
    thread.join(30)
    assert acquired.is_set()


def test_a_table_lock_names_a_bad_table_name(inline_store):
    with pytest.raises(ValueError, match="namespace"):
        with inline_store.table_lock("", "t"):
            pass
