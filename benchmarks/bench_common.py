"""Helpers shared by the benchmark scripts: timing, result lines, test data, a node subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def result_line(name: str, value: float, baseline: float) -> str:
    """The project's result format: one line per figure, value beside a baseline from the same run."""
    ratio = value / baseline if baseline else float("nan")
    return f"RESULT {name} value={value:.6g} baseline={baseline:.6g} ratio={ratio:.3f}"


def write_csv(path: str, rows: int, columns: int, seed: int = 0) -> int:
    """A CSV like FATE's data sets: `id` then `x0..x{columns-1}` floats. Returns its size in bytes."""
    rng = np.random.default_rng(seed)
    with open(path, "w") as out:
        out.write("id," + ",".join(f"x{i}" for i in range(columns)) + "\n")
        block = 50_000
        for start in range(0, rows, block):
            matrix = rng.standard_normal((min(block, rows - start), columns))
            ids = np.arange(start, start + len(matrix)).astype(str)
            body = np.char.mod("%.6f", matrix)
            lines = [f"{i}," + ",".join(r) for i, r in zip(ids, body)]
            out.write("\n".join(lines) + "\n")
    return os.path.getsize(path)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


_FORKSERVER = "from multiprocessing.forkserver import main"


def _parent_and_command(pid: int) -> tuple[int, str]:
    try:
        with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline") as cmdline:
            return int(stat.read().rsplit(")", 1)[1].split()[1]), cmdline.read()
    except (OSError, IndexError, ValueError):
        return 0, ""


def _storage_workers(pids: list[int]) -> int:
    """How many of `pids` are storage workers: children of a forkserver (whose command line they share)."""
    processes = {pid: _parent_and_command(pid) for pid in pids}
    marked = {pid for pid, (_, command) in processes.items() if _FORKSERVER in command}
    return sum(1 for pid in marked if processes[pid][0] in marked)


def _memory_kb(pid: int) -> tuple[int, int]:
    """(proportional set size, its anonymous part) in kB of one process; zeros if it is gone.

    PSS splits each shared page among the processes mapping it, so sums over processes
    count forked workers' shared pages once (summed RSS would count them in every worker).
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            text = rollup.read()
    except OSError:
        return 0, 0
    pss = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    anon = re.search(r"^Pss_Anon:\s+(\d+) kB", text, re.M)
    return (int(pss.group(1)) if pss else 0), (int(anon.group(1)) if anon else 0)


class MemorySampler:
    """Samples the summed memory of a process and all its descendants until stopped.

    The peaks are the largest sums seen at one instant: of PSS, and of its anonymous part
    (what is not LMDB's file pages mapped into the processes); and the most storage worker
    processes seen at once among the descendants.
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self.peak_pss_mb = 0.0
        self.peak_anon_mb = 0.0
        self.peak_workers = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _descendants(self._pid)
            sizes = [_memory_kb(pid) for pid in pids]
            self.peak_workers = max(self.peak_workers, _storage_workers(pids))
            self.peak_pss_mb = max(self.peak_pss_mb, sum(s[0] for s in sizes) / 1024)
            self.peak_anon_mb = max(self.peak_anon_mb, sum(s[1] for s in sizes) / 1024)
            self._stop.wait(self._interval)


class NodeProcess:
    """`fate-flow server --standalone` as a subprocess on free loopback ports."""

    def __init__(self, data_dir: str, base_dir: str, *extra: str) -> None:
        command = [sys.executable, "-m", "flow_api.server_main", "server", "--standalone",
                   "--data-dir", data_dir, "--base-dir", base_dir, "--grpc-port", "0", "--http-port", "0", *extra]
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        match = re.search(r"REST (http://\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"node did not start: {line!r}")
        self.url = match.group(1)

    def cli(self, *args: str) -> tuple[float, str]:
        """Run the CLI against this node: (wall seconds, its stdout)."""
        command = [sys.executable, os.path.join(REPO, "fate_flow_client.py"), *args, "--server", self.url]
        seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True, check=False))
        if done.returncode != 0:
            raise RuntimeError(f"CLI failed: {done.stdout} {done.stderr}")
        return seconds, done.stdout

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
