"""Worker budget benchmark: several task-like processes at once, each mapping a table in its storage workers.

Usage: python benchmarks/worker_budget_bench.py [--quick] [--tasks K] [--rows N] [--repeats R]
K processes (as K tasks of parallel branches) each run R CPU-bound map_values over the same table
(8 partitions), with a pool of CPU-count workers each. Measured with a budget of CPU-count worker
slots shared by all of them (value: what a node does now) and without (baseline: each process its
own full pool, as before), each as one run from starting the processes to the last one's exit:
`RESULT worker_budget_peak_workers`, the most storage workers alive at once;
`RESULT worker_budget_seconds`, wall time; `RESULT worker_budget_peak_pss_mb`, the largest summed
PSS of the processes and their workers.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile

from bench_common import MemorySampler, result_line, timed
from storage import Store, make_worker_budget

PARTITIONS = 8


def _work(value: float) -> float:
    """About 10 microseconds of CPU per row."""
    return sum(math.sin(value + step) for step in range(40))


def child(store_dir: str, slots: str, repeats: int) -> None:
    """One task: `repeats` maps of the table in this process's workers (taken from `slots` if given)."""
    table = Store(store_dir, worker_slots=slots).table("bench", "rows")
    for _ in range(repeats):
        result = table.map_values(_work)
        assert result.count() == table.count()
        result.destroy()


def run_tasks(store_dir: str, slots: str, tasks: int, repeats: int) -> tuple[float, MemorySampler]:
    """Start `tasks` children at once and wait for all: (wall seconds, what was sampled under this process)."""
    command = [sys.executable, os.path.abspath(__file__), "--child", store_dir, slots, str(repeats)]
    with MemorySampler(os.getpid()) as sampled:
        seconds, codes = timed(lambda: [p.wait() for p in [subprocess.Popen(command) for _ in range(tasks)]])
    if any(codes):
        raise RuntimeError(f"a task process failed: exit codes {codes}")
    return seconds, sampled


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50k rows, one map per task: a few seconds")
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--rows", type=int, help="rows (default 200k, or 50k with --quick)")
    parser.add_argument("--repeats", type=int, help="maps per task (default 3, or 1 with --quick)")
    args = parser.parse_args()
    rows = args.rows or (50_000 if args.quick else 200_000)
    repeats = args.repeats or (1 if args.quick else 3)
    work = tempfile.mkdtemp(prefix="worker-budget-bench-")
    try:
        store_dir = os.path.join(work, "store")
        Store(store_dir).create_table("bench", "rows", PARTITIONS).put_all((i, float(i)) for i in range(rows))
        slots = make_worker_budget(os.path.join(work, "worker_slots"), 0)
        print(f"{args.tasks} tasks x {repeats} map_values of {rows} rows, {PARTITIONS} partitions, "
              f"{os.cpu_count()} CPUs")
        unbounded_seconds, unbounded = run_tasks(store_dir, "", args.tasks, repeats)
        budget_seconds, budget = run_tasks(store_dir, slots, args.tasks, repeats)
        print(result_line("worker_budget_peak_workers", budget.peak_workers, unbounded.peak_workers))
        print(result_line("worker_budget_seconds", budget_seconds, unbounded_seconds))
        print(result_line("worker_budget_peak_pss_mb", budget.peak_pss_mb, unbounded.peak_pss_mb))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
