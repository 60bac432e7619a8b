"""Storage benchmark: upload, put_all, collect, map_values, join and reduce, beside raw py-lmdb.

Usage: python benchmarks/storage_bench.py [--quick] [--rows N] [--partitions P]
Every figure is rows per second, printed as
`RESULT <name> value=<ours> baseline=<raw LMDB measured in this run> ratio=<ours/raw>`.
For reference (not measured here), FATE's own standalone store on this kind of machine:
put_all ~218k rows/s, collect ~814k rows/s, map_values ~202k rows/s (100k rows, 10 partitions),
and FATE 2.2 uploads a 1M x 30 CSV in 54-61 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

import lmdb

from bench_common import MemorySampler, NodeProcess, result_line, timed, write_csv
from storage import Store
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


def raw_put(work: str, pairs: list[tuple[bytes, bytes]]) -> float:
    env = _raw_env(os.path.join(work, "raw_put"))
    seconds, _ = timed(lambda: _putmulti(env, pairs))
    env.close()
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
        conf = os.path.join(work, "upload.json")
        with open(conf, "w") as out:
            json.dump({"file": os.path.basename(csv_path), "head": 1, "partition": partitions, "work_mode": 0,
                       "namespace": "bench", "table_name": "upload"}, out)
        with MemorySampler(node.process.pid) as memory:
            seconds, output = node.cli("-f", "upload", "-c", conf)
        reply = json.loads(output)
        assert reply["data"]["count"] == rows, reply
    finally:
        node.stop()

    def raw_upload() -> None:
        env = _raw_env(os.path.join(work, "raw_upload"))
        with open(csv_path, "rb") as src:
            next(src)
            pairs = [tuple(line.rstrip(b"\n").split(b",", 1)) for line in src]
        _putmulti(env, pairs)
        env.close()

    raw_seconds, _ = timed(raw_upload)
    print(f"upload: {rows} rows in {seconds:.2f} s end to end; peak memory of the node and its workers "
          f"together: {memory.peak_pss_mb:.0f} MB (PSS), of which {memory.peak_anon_mb:.0f} MB anonymous "
          f"(the rest is LMDB file pages mapped in)")
    print(result_line("upload_rows_per_s", rows / seconds, rows / raw_seconds))


def store_figures(work: str, partitions: int, keys: list[str], values: list[str]) -> None:
    rows = len(keys)
    store = Store(os.path.join(work, "store"))
    encoded = list(zip(encode_many(keys), encode_many(values)))
    raw_seconds = raw_put(work, encoded)
    del encoded

    warm = store.create_table("bench", "warm", partitions)  # start the worker pool, as a running node has it
    warm.put_all((i, i) for i in range(1000))
    store.parallel(_second, [(0, 0)] * 4)

    table = store.create_table("bench", "put", partitions)
    seconds, _ = timed(lambda: table.put_all(zip(keys, values)))
    print(result_line("put_all_rows_per_s", rows / seconds, rows / raw_seconds))

    raw = _raw_env(os.path.join(work, "raw_put"))
    scan_seconds, counted = timed(lambda: raw_scan(raw))
    assert counted == rows
    seconds, collected = timed(lambda: sum(1 for _ in table.collect()))
    assert collected == rows
    print(result_line("collect_rows_per_s", rows / seconds, rows / scan_seconds))

    copy_target = _raw_env(os.path.join(work, "raw_copy"))
    copy_seconds, _ = timed(lambda: raw_copy(raw, copy_target))
    seconds, mapped = timed(lambda: table.map_values(len))
    assert mapped.count() == rows
    print(result_line("map_values_rows_per_s", rows / seconds, rows / copy_seconds))

    labels = store.create_table("bench", "labels", partitions)
    labels.put_all((key, index % 2) for index, key in enumerate(keys))
    seconds, joined = timed(lambda: table.join(labels, _second))
    assert joined.count() == rows
    print(result_line("join_rows_per_s", rows / seconds, rows / (2 * scan_seconds)))

    seconds, total = timed(lambda: labels.reduce(_add))
    assert total == rows // 2
    print(result_line("reduce_rows_per_s", rows / seconds, rows / scan_seconds))
    raw.close()
    copy_target.close()


def _second(_: object, label: int) -> int:
    return label


def _add(left: int, right: int) -> int:
    return left + right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows: finishes within a minute")
    parser.add_argument("--rows", type=int, help="rows (default 1M, or 100k with --quick)")
    parser.add_argument("--partitions", type=int, default=10)
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
        store_figures(work, args.partitions, keys, values)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
