"""The append figures of storage_bench.py: what adding rows to a table costs now that it is all or nothing.

An append (upload with drop 0) builds the table's next version in staging - a copy of the table
(each partition copied by LMDB in one read transaction), then the new rows merged in - and
publishes it over the old one in one step.
- append_atomic_rows_per_s: rows added per second, adding N/10 rows (already in a staging table, as
  an upload has them once its file is parsed) to an N-row table: copy, merge, sync, publish; the mean
  of --attempts appends one after the other to one table (each later one copies what the previous
  one published). Baseline: raw py-lmdb doing the same in one environment, just as many times in a
  chain - copy the environment through a file descriptor, putmulti the new pairs into the copy, sync.
- append_in_place_rows_per_s: the same rows merged into the live table and synced (how appends were
  done before: not atomic), beside the same baseline; the two lines give the cost of atomicity.
- upload_append_rows_per_s: end to end against the node (CLI call -> reply): an N/10-row CSV appended
  to the N-row table the upload figure made; baseline: the same CSV uploaded as a new table.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any, Callable

import lmdb

from bench_common import NodeProcess, result_line, timed
from storage import Store, Table
from storage.codec import encode_many

ADDED_SHARE = 10  # an append adds a tenth of the table's rows
_DATA_FILE = "data.mdb"


def cli_upload(node: NodeProcess, work: str, file: str, table: str, partitions: int,
               drop: int | None = None) -> tuple[float, dict[str, Any]]:
    """`fate_flow_client.py -f upload` of `file` (relative to `work`) into bench.`table`: (seconds, reply)."""
    conf = os.path.join(work, f"upload_{table}_{drop}.json")
    with open(conf, "w") as out:
        json.dump({"file": file, "head": 1, "partition": partitions, "work_mode": 0, "namespace": "bench",
                   "table_name": table, **({} if drop is None else {"drop": drop})}, out)
    seconds, output = node.cli("-f", "upload", "-c", conf)
    reply = json.loads(output)
    assert reply["retcode"] == 0, reply
    return seconds, reply


def upload_append_figures(node: NodeProcess, work: str, csv_path: str, table: str, rows: int,
                          partitions: int) -> None:
    """Append the first N/10 rows of the CSV, under new ids, to bench.`table`, beside uploading them as a new table."""
    count = rows // ADDED_SHARE
    with open(csv_path) as src, open(os.path.join(work, "added.csv"), "w") as out:
        out.write(next(src))
        out.writelines(f"new{next(src)}" for _ in range(count))
    new_seconds, _ = cli_upload(node, work, "added.csv", "added", partitions)
    append_seconds, reply = cli_upload(node, work, "added.csv", table, partitions, drop=0)
    assert reply["data"]["table_count"] == rows + count, reply
    print(f"upload of {count} rows end to end: appended to a {rows}-row table {append_seconds:.2f} s, "
          f"as a new table {new_seconds:.2f} s")
    print(result_line("upload_append_rows_per_s", count / append_seconds, count / new_seconds))


def _consecutive(attempts: int, append: Callable[[int], float]) -> float:
    """The mean time of `attempts` appends one after the other."""
    return sum(append(attempt) for attempt in range(attempts)) / attempts


def _raw_append_seconds(work: str, source: str, added: list[tuple[bytes, bytes]], attempts: int) -> float:
    """Raw LMDB, one environment: copy `source`, putmulti `added` into the copy, sync; then the same from the copy."""
    chain = [source] + [os.path.join(work, f"raw_append_{attempt}") for attempt in range(attempts)]

    def once(attempt: int) -> float:
        previous, path = chain[attempt], chain[attempt + 1]
        os.makedirs(path)

        def run() -> None:
            env = lmdb.open(previous, map_size=1 << 34, readahead=False)
            fd = os.open(os.path.join(path, _DATA_FILE), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            env.copyfd(fd)
            os.close(fd)
            env.close()
            target = lmdb.open(path, map_size=1 << 34, sync=False, metasync=False, readahead=False)
            with target.begin(write=True) as txn:
                txn.cursor().putmulti(added)
            target.sync(True)
            target.close()

        seconds, _ = timed(run)
        if attempt:
            shutil.rmtree(previous)
        return seconds

    seconds = _consecutive(attempts, once)
    shutil.rmtree(chain[-1])
    return seconds


def store_append_figures(store: Store, work: str, table: Table, raw_path: str, keys: list[str],
                         values: list[str], attempts: int) -> None:
    """Atomic and in-place appends of N/10 new rows to copies of `table` (whose rows the raw
    environment at `raw_path` also holds), beside raw LMDB."""
    count = len(keys) // ADDED_SHARE
    new_keys, new_values = [f"new{key}" for key in keys[:count]], values[:count]
    staged = store.staging(table.partitions)
    staged.put_all(zip(new_keys, new_values))

    def atomic(name: str) -> None:
        merged = store.staging_copy(store.table("bench", name))
        staged.copy_into(merged)
        merged.sync()
        store.publish(merged, "bench", name, replace=True, written_by="bench")

    def in_place(name: str) -> None:
        base = store.table("bench", name)
        staged.copy_into(base)
        base.sync()

    def appends(add: Callable[[str], None]) -> float:
        name = f"append_{add.__name__}"
        table.save_as(name)
        seconds = _consecutive(attempts, lambda _: timed(lambda: add(name))[0])
        assert store.table("bench", name).count() == len(keys) + count
        store.destroy("bench", name)
        return seconds

    added = sorted(zip(encode_many(new_keys), encode_many(new_values)))
    raw_seconds = _raw_append_seconds(work, raw_path, added, attempts)
    atomic_seconds, in_place_seconds = appends(atomic), appends(in_place)
    store.discard(staged)
    print(f"append of {count} rows to a {len(keys)}-row table: atomic {atomic_seconds:.3f} s, "
          f"in place {in_place_seconds:.3f} s, raw LMDB copy + putmulti {raw_seconds:.3f} s")
    print(result_line("append_atomic_rows_per_s", count / atomic_seconds, count / raw_seconds))
    print(result_line("append_in_place_rows_per_s", count / in_place_seconds, count / raw_seconds))
