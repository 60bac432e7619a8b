"""Storage benchmark: upload, put_all, collect, map_values, join, reduce and appends, beside raw py-lmdb.

Usage: python benchmarks/storage_bench.py [--quick] [--rows N] [--partitions P]
Every figure is rows per second, printed as
`RESULT <name> value=<ours> baseline=<raw LMDB measured in this run> ratio=<ours/raw>`;
store figures are the best of --attempts runs of each side (the machines are shared and noisy),
the upload is timed once, end to end: CLI call -> table ready. The append figures are described
in append_figures.py.
For reference (not measured here), FATE's own standalone store on this kind of machine:
put_all ~218k rows/s, collect ~814k rows/s, map_values ~202k rows/s (100k rows, 10 partitions),
and FATE 2.2 uploads a 1M x 30 CSV in 54-61 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections import deque
from typing import Callable

import lmdb

from append_figures import cli_upload, store_append_figures, upload_append_figures
from bench_common import MemorySampler, NodeProcess, result_line, timed, write_csv
from storage import Store, Table
from storage.codec import encode_many

COLUMNS = 30


def _rows(csv_path: str) -> tuple[list[str], list[str]]:
    keys, values = [], []
    with open(csv_path) as src:
        next(src)
        for line in src:
            key, _, value = line.rstrip("\n").partition(",")
            keys.append(key)
            values.append(value)
    return keys, values


def _raw_env(path: str) -> lmdb.Environment:
    return lmdb.open(path, map_size=1 << 34, sync=False, metasync=False, readahead=False)


def raw_put(work: str, pairs: list[tuple[bytes, bytes]], attempt: int) -> float:
    path = os.path.join(work, f"raw_put_{attempt}")
    env = _raw_env(path)
    seconds, _ = timed(lambda: _putmulti(env, pairs))
    env.close()
    if attempt:
        shutil.rmtree(path)
    return seconds


def _putmulti(env: lmdb.Environment, pairs: list[tuple[bytes, bytes]]) -> None:
    with env.begin(write=True) as txn:
        txn.cursor().putmulti(pairs)
    env.sync(True)


def raw_scan(env: lmdb.Environment) -> int:
    count = 0
    with env.begin(buffers=True) as txn:
        for _ in txn.cursor():
            count += 1
    return count


def raw_copy(source: lmdb.Environment, target: lmdb.Environment) -> None:
    with source.begin() as read, target.begin(write=True) as write:
        write.cursor().putmulti(read.cursor(), append=True)


def upload_figures(work: str, csv_path: str, rows: int, partitions: int, keys: list[str], values: list[str]) -> None:
    """End to end (CLI call -> table ready) against a node subprocess, beside raw split + putmulti."""
    node = NodeProcess(os.path.join(work, "node"), work)
    try:
        with MemorySampler(node.process.pid) as memory:
            seconds, reply = cli_upload(node, work, os.path.basename(csv_path), "upload", partitions)
        assert reply["data"]["count"] == rows, reply
        upload_append_figures(node, work, csv_path, "upload", rows, partitions)
    finally:
        node.stop()

    def raw_upload() -> None:
        env = _raw_env(os.path.join(work, "raw_upload"))
        with open(csv_path, "rb") as src:
            next(src)
            pairs = [(key, value) for key, _, value in (line.rstrip(b"\n").partition(b",") for line in src)]
        _putmulti(env, pairs)
        env.close()

    raw_seconds, _ = timed(raw_upload)
    print(f"upload: {rows} rows in {seconds:.2f} s end to end; peak memory of the node and its workers "
          f"together: {memory.peak_pss_mb:.0f} MB (PSS), of which {memory.peak_anon_mb:.0f} MB anonymous "
          f"(the rest is LMDB file pages mapped in)")
    print(result_line("upload_rows_per_s", rows / seconds, rows / raw_seconds))


def best_of(attempts: int, measure: Callable[[int], float]) -> float:
    """The shortest of several timings (each attempt gets its own number, for fresh targets)."""
    return min(measure(attempt) for attempt in range(attempts))


def _timed_then_destroyed(make: Callable[[], Table], expected: int) -> float:
    seconds, result = timed(make)
    assert result.count() == expected
    result.destroy()
    return seconds


def _raw_put_seconds(work: str, keys: list[str], values: list[str], attempts: int) -> float:
    """Raw putmulti of the same encoded pairs into one environment: the put_all baseline."""
    encoded = list(zip(encode_many(keys), encode_many(values)))
    return best_of(attempts, lambda attempt: raw_put(work, encoded, attempt))


def store_figures(work: str, partitions: int, keys: list[str], values: list[str], attempts: int) -> None:
    rows = len(keys)
    store = Store(os.path.join(work, "store"))
    raw_seconds = _raw_put_seconds(work, keys, values, attempts)

    warm = store.create_table("bench", "warm", partitions)  # start the worker pool, as a running node has it
    warm.put_all((i, i) for i in range(1000))
    store.parallel(_second, [(0, 0)] * 4)

    def put_all(attempt: int) -> float:
        table = store.create_table("bench", f"put_{attempt}", partitions)
        seconds, _ = timed(lambda: table.put_all(zip(keys, values)))
        if attempt:
            table.destroy()
        return seconds

    print(result_line("put_all_rows_per_s", rows / best_of(attempts, put_all), rows / raw_seconds))
    table = store.table("bench", "put_0")

    raw = _raw_env(os.path.join(work, "raw_put_0"))
    scan_seconds = best_of(attempts, lambda _: timed(lambda: raw_scan(raw))[0])
    seconds = best_of(attempts, lambda _: timed(lambda: deque(table.collect(), maxlen=0))[0])
    print(result_line("collect_rows_per_s", rows / seconds, rows / scan_seconds))

    def copy(attempt: int) -> float:
        path = os.path.join(work, f"raw_copy_{attempt}")
        target = _raw_env(path)
        seconds, _ = timed(lambda: raw_copy(raw, target))
        target.close()
        shutil.rmtree(path)
        return seconds

    copy_seconds = best_of(attempts, copy)
    seconds = best_of(attempts, lambda _: _timed_then_destroyed(lambda: table.map_values(len), rows))
    print(result_line("map_values_rows_per_s", rows / seconds, rows / copy_seconds))

    labels = store.create_table("bench", "labels", partitions)
    labels.put_all((key, index % 2) for index, key in enumerate(keys))
    seconds = best_of(attempts, lambda _: _timed_then_destroyed(lambda: table.join(labels, _second), rows))
    print(result_line("join_rows_per_s", rows / seconds, rows / (2 * scan_seconds)))

    seconds = best_of(attempts, lambda _: timed(lambda: labels.reduce(_add))[0])
    assert labels.reduce(_add) == rows // 2
    print(result_line("reduce_rows_per_s", rows / seconds, rows / scan_seconds))
    raw.close()
    store_append_figures(store, work, table, os.path.join(work, "raw_put_0"), keys, values, attempts)


def _second(_: object, label: int) -> int:
    return label


def _add(left: int, right: int) -> int:
    return left + right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows: finishes within a minute")
    parser.add_argument("--rows", type=int, help="rows (default 1M, or 100k with --quick)")
    parser.add_argument("--partitions", type=int, default=10)
    parser.add_argument("--attempts", type=int, default=3, help="each store figure is the best of this many runs")
    parser.add_argument("--work-dir", help="where data goes (default: a temporary directory, removed after)")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    work = args.work_dir or tempfile.mkdtemp(prefix="storage-bench-")
    try:
        csv_path = os.path.join(work, "data.csv")
        size = write_csv(csv_path, rows, COLUMNS)
        print(f"data: {rows} rows x (id + {COLUMNS} floats), {size / 1e6:.0f} MB CSV, {args.partitions} partitions")
        keys, values = _rows(csv_path)
        upload_figures(work, csv_path, rows, args.partitions, keys, values)
        store_figures(work, args.partitions, keys, values, args.attempts)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
