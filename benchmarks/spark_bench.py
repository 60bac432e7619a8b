"""Spark benchmark: the Spark computing backend beside the LMDB store, same data, same process, same run.

Usage: python benchmarks/spark_bench.py [--quick] [--rows N] [--partitions P] [--master local[2]]

1. Upload (with the largest size): a `fate-flow server` subprocess with Spark settings (master local[2]) uploads
   the same CSV through the CLI with the conf's backend 1 (Spark: a child process starts a SparkContext, the
   executors parse byte ranges of the file and write the partitions) and backend 0 (the LMDB store), end to end.
2. Fixed costs. Per job: what a task pays before its first result - Spark: start the SparkContext
   (the JVM, the driver, local executors), then map_values + count of a 10-row table; LMDB: open the
   store, the same. Per operation: map_values + count of a 10-row table, best of several.
3. Sizes: 1k, 10k, 100k and --rows rows (1M; 100k with --quick) of `id` + 30 float columns as text
   (storage_bench.py's data): put_all into a new table, map_values(len) + count, join with a label
   table of the same keys + count, count of the stored table; each the best of --attempts runs.
   Each operation's time includes the count that checks its result.
4. Crossover: per size, Spark's seconds beside LMDB's for map_values and join; if Spark is not the
   faster at any size, a least-squares line (fixed + per row) through each backend's sizes says where they meet.
5. Hetero LR (with --hetero-lr-rows N): hetero_lr_bench.py's scale run (three cluster nodes, 3 iterations) at N
   rows, once as it is (every party on LMDB) and once with the guest's node computing on Spark (`--computing
   spark`: its upload, its tasks and the tables it receives on Spark local[2]; host and arbiter on LMDB).
Prints `RESULT <name> value=<Spark> baseline=<LMDB, same run> ratio=<Spark/LMDB>` lines (rows/s, or
seconds for fixed costs and the per-size lines: there a ratio below 1 means Spark was faster).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

import hetero_lr_bench
from bench_common import NodeProcess, result_line, timed, write_csv
from flow_api import demo
from storage import Store
from storage.computing import ComputingBackend, ComputingTable
from storage.spark.settings import SparkSettings
from storage_bench import best_of

COLUMNS = 30
SMALL_ROWS = 10
SIZES = (1_000, 10_000, 100_000)
CROSSOVER_OPERATIONS = ("map_values", "join")


def bench_rows(count: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """`count` keys and values like an uploaded CSV's: the id, then 30 floats as one text line."""
    rng = np.random.default_rng(seed)
    values: list[str] = []
    for start in range(0, count, 50_000):
        block = np.char.mod("%.6f", rng.standard_normal((min(50_000, count - start), COLUMNS)))
        values.extend(",".join(row) for row in block)
    return [str(i) for i in range(count)], values


def _length(value: str) -> int:
    return len(value)


def _label(_: str, label: int) -> int:
    return label


def _computed(make: Callable[[], ComputingTable], expected: int) -> float:
    """Seconds to make a table and count it (which makes Spark compute it); the table is destroyed after."""
    seconds, table = timed(lambda: _counted(make(), expected))
    table.destroy()
    return seconds


def _counted(table: ComputingTable, expected: int) -> ComputingTable:
    count = table.count()
    if count != expected:
        raise AssertionError(f"{table!r} has {count} rows, not {expected}")
    return table


@dataclass
class Sized:
    """One backend's seconds per operation and size."""

    seconds: dict[str, dict[int, float]] = field(default_factory=dict)

    def add(self, operation: str, rows: int, seconds: float) -> None:
        self.seconds.setdefault(operation, {})[rows] = seconds


def measure_size(store: ComputingBackend, rows: int, data: tuple[list[str], list[str]], partitions: int,
                 attempts: int, into: Sized) -> None:
    """put_all, map_values, join and count of `rows` rows on one backend (the tables destroyed after)."""
    pairs = list(zip(data[0][:rows], data[1][:rows]))
    put_times = []
    for attempt in range(attempts):
        table = store.create_table("bench", f"rows_{rows}_{attempt}", partitions)
        put_times.append(timed(lambda: table.put_all(pairs))[0])
        if attempt:
            table.destroy()
    into.add("put_all", rows, min(put_times))
    table = store.table("bench", f"rows_{rows}_0")
    labels = store.create_table("bench", f"labels_{rows}", partitions)
    labels.put_all((key, index % 2) for index, (key, _) in enumerate(pairs))
    into.add("count", rows, best_of(attempts, lambda _: timed(lambda: _counted(table, rows))[0]))
    into.add("map_values", rows, best_of(attempts, lambda _: _computed(lambda: table.map_values(_length), rows)))
    into.add("join", rows, best_of(attempts, lambda _: _computed(lambda: table.join(labels, _label), rows)))
    table.destroy()
    labels.destroy()


def fixed_costs(work: str, spark_settings: SparkSettings, attempts: int) -> tuple[Any, Store]:
    """Each backend's start (store + a first 10-row map_values) and one small operation; the two stores."""
    small = [(i, i) for i in range(SMALL_ROWS)]

    def first_operation(make_store: Callable[[], Any]) -> tuple[float, Any]:
        def start() -> Any:
            store = make_store()
            table = store.create_table("bench", "small", 4)
            table.put_all(small)
            _computed(lambda: table.map_values(str), SMALL_ROWS)
            return store

        return timed(start)

    lmdb_start, lmdb = first_operation(lambda: Store(os.path.join(work, "lmdb")))
    spark_start, spark = first_operation(lambda: _spark_store(spark_settings))
    print(f"start: Spark context + first 10-row operation {spark_start:.2f} s, LMDB store + the same "
          f"{lmdb_start * 1000:.1f} ms")
    print(result_line("spark_job_fixed_cost_s", spark_start, lmdb_start))
    per_operation = [best_of(3 * attempts, lambda _: _computed(lambda: store.table("bench", "small").map_values(str),
                                                             SMALL_ROWS)) for store in (spark, lmdb)]
    print(f"one operation on a 10-row table (map_values + count): Spark {per_operation[0] * 1000:.0f} ms, "
          f"LMDB {per_operation[1] * 1000:.1f} ms")
    print(result_line("spark_operation_fixed_cost_s", *per_operation))
    return spark, lmdb


def _spark_store(settings: SparkSettings) -> Any:
    from storage.spark.store import SparkStore  # needs pyspark: imported only when measured

    return SparkStore(settings)


def upload_figures(work: str, rows: int, partitions: int) -> None:
    """The same CSV uploaded end to end onto Spark and onto the LMDB store by one node."""
    size = write_csv(os.path.join(work, "data.csv"), rows, COLUMNS)
    node = NodeProcess(os.path.join(work, "node"), work, "--spark-storage-dir", os.path.join(work, "node_spark"))
    try:
        seconds = {backend: _upload(node, work, backend, partitions, rows) for backend in (1, 0)}
    finally:
        node.stop()
    print(f"upload of {rows} rows ({size / 1e6:.0f} MB CSV) end to end: Spark {seconds[1]:.2f} s, "
          f"LMDB {seconds[0]:.2f} s")
    print(result_line("spark_upload_rows_per_s", rows / seconds[1], rows / seconds[0]))


def _upload(node: NodeProcess, work: str, backend: int, partitions: int, rows: int) -> float:
    conf = os.path.join(work, f"upload_{backend}.json")
    with open(conf, "w") as out:
        json.dump({"file": "data.csv", "head": 1, "partition": partitions, "work_mode": 0, "namespace": "bench",
                   "table_name": f"upload_{backend}", "backend": backend}, out)
    seconds, output = node.cli("-f", "upload", "-c", conf)
    reply = json.loads(output)
    if reply["retcode"] != 0 or reply["data"]["count"] != rows:
        raise AssertionError(f"upload with backend {backend}: {reply}")
    return seconds


def crossover(spark: dict[int, float], lmdb: dict[int, float]) -> str:
    """Where Spark's seconds meet LMDB's: measured, or where least-squares lines (fixed + per row) through each
    backend's sizes cross."""
    sizes = sorted(spark)
    faster = [rows for rows in sizes if spark[rows] <= lmdb[rows]]
    if faster:
        return f"Spark as fast or faster from {faster[0]} rows on (measured)"
    spark_per_row, spark_fixed = np.polyfit(sizes, [spark[rows] for rows in sizes], 1)
    lmdb_per_row, lmdb_fixed = np.polyfit(sizes, [lmdb[rows] for rows in sizes], 1)
    fits = (f"Spark {spark_fixed:.2f} s + {spark_per_row * 1e6:.2f} us per row, "
            f"LMDB {lmdb_fixed:.2f} s + {lmdb_per_row * 1e6:.2f} us per row")
    if spark_per_row >= lmdb_per_row:
        return f"none: Spark is slower at every size measured, and per row too ({fits})"
    meet = (spark_fixed - lmdb_fixed) / (lmdb_per_row - spark_per_row)
    return f"not measured; the fitted lines meet at about {meet:,.0f} rows ({fits})"


def report(sizes: list[int], spark: Sized, lmdb: Sized) -> None:
    top = sizes[-1]
    for operation in ("put_all", "map_values", "join", "count"):
        print(result_line(f"spark_{operation}_rows_per_s", top / spark.seconds[operation][top],
                          top / lmdb.seconds[operation][top]))
    for operation in CROSSOVER_OPERATIONS:
        for rows in sizes:
            print(result_line(f"spark_{operation}_{rows}_rows_s", spark.seconds[operation][rows],
                              lmdb.seconds[operation][rows]))
        print(f"crossover of {operation}: {crossover(spark.seconds[operation], lmdb.seconds[operation])}")


SCALE_LINE = re.compile(r"scale (?P<rows>\d+) rows: (?P<iteration>[\d.]+) s per iteration .* job (?P<job>[\d.]+) s "
                        r"of which fixed (?P<fixed>[\d.]+) s; peak memory (?P<memory>.*)")


@contextlib.contextmanager
def guest_on_spark(storage_dir: Path) -> Iterator[None]:
    """Nodes started meanwhile by flow_api.demo: the guest's (node_guest) computes on Spark, the others as before."""
    start_node = demo.start_node

    def start(work: Path, name: str, extra: list[str]) -> demo.DemoNode:
        spark = ["--computing", "spark", "--spark-storage-dir", str(storage_dir)] if name == "node_guest" else []
        return start_node(work, name, [*extra, *spark])

    demo.start_node = start  # type: ignore[assignment]
    try:
        yield
    finally:
        demo.start_node = start_node  # type: ignore[assignment]


def _scale_figures(work: Path, rows: int) -> dict[str, str]:
    """hetero_lr_bench's scale run at `rows` (its lines printed as they come): seconds per iteration, job, fixed."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        hetero_lr_bench.scale(work, [rows])
    sys.stdout.write(output.getvalue())
    match = SCALE_LINE.search(output.getvalue())
    if match is None:
        raise AssertionError(f"no scale line in {output.getvalue()!r}")
    return match.groupdict()


def hetero_lr_figures(work: Path, rows: int) -> None:
    """The hetero LR scale run at `rows`, all on LMDB, then with the guest on Spark."""
    lmdb = _scale_figures(work / "lmdb", rows)
    with guest_on_spark(work / "guest_spark"):
        spark = _scale_figures(work / "spark", rows)
    print(f"hetero LR at {rows} rows, peak memory: all on LMDB {lmdb['memory']}; guest on Spark {spark['memory']}")
    for figure in ("iteration", "job", "fixed"):
        print(result_line(f"spark_guest_hetero_lr_{rows}_{figure}_s", float(spark[figure]), float(lmdb[figure])))


def backend_figures(work: str, top: int, args: argparse.Namespace) -> None:
    """Upload, fixed costs, and each operation at each size up to `top` rows, on Spark and on LMDB."""
    upload_figures(work, top, args.partitions)
    spark, lmdb = fixed_costs(work, SparkSettings(storage_dir=os.path.join(work, "spark"), master=args.master),
                              args.attempts)
    data = bench_rows(top)
    print(f"data: up to {top} rows x (id + {COLUMNS} floats as text), {args.partitions} partitions, "
          f"Spark master {args.master}, best of {args.attempts}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    sizes = sorted({size for size in SIZES if size < top} | {top})
    timings = {"spark": Sized(), "lmdb": Sized()}
    for rows in sizes:
        for name, store in (("lmdb", lmdb), ("spark", spark)):
            measure_size(store, rows, data, args.partitions, args.attempts, timings[name])
        print(f"{rows} rows: " + "; ".join(
            f"{operation} Spark {timings['spark'].seconds[operation][rows]:.3f} s, "
            f"LMDB {timings['lmdb'].seconds[operation][rows]:.3f} s"
            for operation in ("put_all", "map_values", "join", "count")), flush=True)
    report(sizes, timings["spark"], timings["lmdb"])
    from storage.spark.context import stop_spark_context

    stop_spark_context()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 100k rows")
    parser.add_argument("--rows", type=int, help="the largest size (default 1M, or 100k with --quick)")
    parser.add_argument("--partitions", type=int, default=10)
    parser.add_argument("--attempts", type=int, default=2, help="each figure is the best of this many runs")
    parser.add_argument("--master", default="local[2]", help="Spark's master (local[N] or spark://host:port)")
    parser.add_argument("--hetero-lr-rows", type=int, help="also the hetero LR scale run at this many rows")
    parser.add_argument("--hetero-lr-only", action="store_true", help="only the hetero LR scale run")
    args = parser.parse_args()
    top = args.rows or (100_000 if args.quick else 1_000_000)
    work = tempfile.mkdtemp(prefix="spark-bench-")
    try:
        if not args.hetero_lr_only:
            backend_figures(work, top, args)
        if args.hetero_lr_rows:
            hetero_lr_figures(Path(work) / "hetero_lr", args.hetero_lr_rows)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    except BaseException:
        print(f"the data and the nodes' logs are kept in {work}")
        raise
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
