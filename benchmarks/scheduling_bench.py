"""Scheduling benchmark: a 5-component DAG of no-op components across 2 parties (2 nodes).

Usage: python benchmarks/scheduling_bench.py [--quick] [--runs N]
DAG: noop_0 -> (noop_1, noop_2 in parallel) -> noop_3 -> noop_4, every component on guest
9999 and host 10000, each party its own `fate-flow server` (cluster mode) on loopback. Timed
from `submit_job` (the CLI) to the job's success seen over REST, and per task the start
latency (the node marking the task running and starting its process -> the component running
in it). Baseline in the same run: the least a design that starts a fresh interpreter per task
(as FATE does, and as this project did before its task zygote) costs for this DAG - 4 waves
(the DAG's depth) of starting the task program's Python process with its imports and exiting.
FATE 2.2 on this kind of machine spends ~30 s per small job on scheduling and process start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

from bench_common import REPO, result_line

DSL = {"components": {
    "noop_0": {"module": "NoOp", "output": {"data": ["data"]}},
    "noop_1": {"module": "NoOp", "input": {"data": {"data": ["noop_0.data"]}}, "output": {"data": ["data"]}},
    "noop_2": {"module": "NoOp", "input": {"data": {"data": ["noop_0.data"]}}, "output": {"data": ["data"]}},
    "noop_3": {"module": "NoOp", "input": {"data": {"data": ["noop_1.data", "noop_2.data"]}},
               "output": {"data": ["data"]}},
    "noop_4": {"module": "NoOp", "input": {"data": {"data": ["noop_3.data"]}}},
}}
CONF = {"initiator": {"role": "guest", "party_id": 9999}, "job_parameters": {"work_mode": 1},
        "role": {"guest": [9999], "host": [10000]}}
DEPTH = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(work: str, party: str, grpc_port: int, route: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "FATE_RUNTIME_COMPONENTS": "noop_component",
           "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")])}
    node = subprocess.Popen([sys.executable, "-m", "flow_api.server_main", "server", "--party-id", party,
                             "--data-dir", os.path.join(work, party), "--grpc-port", str(grpc_port),
                             "--http-port", "0", "--route", route], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = node.stdout.readline() if node.stdout else ""
    match = re.search(r"REST (http://\S+)", line)
    if not match:
        node.kill()
        raise RuntimeError(f"node {party} did not start: {line!r}")
    return node, match.group(1)


def _post(server: str, endpoint: str, body: dict) -> dict:
    request = urllib.request.Request(f"{server}/v1{endpoint}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _run_job(work: str, server: str) -> tuple[float, str]:
    conf, dsl = os.path.join(work, "conf.json"), os.path.join(work, "dsl.json")
    for path, content in ((conf, CONF), (dsl, DSL)):
        with open(path, "w") as out:
            json.dump(content, out)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, os.path.join(REPO, "fate_flow_client.py"), "-f", "submit_job", "-c", conf,
                           "-d", dsl, "--server", server], capture_output=True, text=True, check=True)
    job_id = json.loads(done.stdout)["jobId"]
    while True:
        rows = _post(server, "/job/query", {"job_id": job_id, "role": "guest"})["data"]
        if rows[0]["f_status"] not in ("waiting", "running"):
            break
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    if rows[0]["f_status"] != "success":
        raise RuntimeError(f"the job ended {rows[0]['f_status']}: {rows[0].get('f_retmsg')}")
    return seconds, job_id


def _start_latencies(work: str, server: str, job_id: str) -> list[float]:
    """Per task: node starts the process (f_start_time) -> the component runs (its log's first line)."""
    latencies = []
    for task in _post(server, "/job/task/query", {"job_id": job_id})["data"]:
        party_dir = os.path.join(work, task["f_party_id"])
        log_file = os.path.join(party_dir, "logs", job_id, task["f_role"], task["f_party_id"],
                                task["f_component_name"], "INFO.log")
        with open(log_file) as log:
            first = next(line for line in log if "running" in line)
        found = re.search(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+)\]", first)
        assert found is not None, f"no time stamp in {log_file}: {first!r}"
        stamp = found.group(1)
        running = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        latencies.append(running - task["f_start_time"] / 1000)
    return latencies


def _process_floor() -> float:
    """DEPTH waves of two task programs starting (imports included) and exiting, as the DAG needs."""
    started = time.perf_counter()
    for _ in range(DEPTH):
        waves = [subprocess.Popen([sys.executable, "-c", "import fate_runtime.tasks.executor"], cwd=REPO)
                 for _ in range(2)]
        for process in waves:
            process.wait()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    work = tempfile.mkdtemp(prefix="scheduling-bench-")
    guest_port, host_port = _free_port(), _free_port()
    guest, server = _start(work, "9999", guest_port, f"10000=127.0.0.1:{host_port}")
    host, _ = _start(work, "10000", host_port, f"9999=127.0.0.1:{guest_port}")
    try:
        times, latencies = [], []
        for _ in range(runs):
            seconds, job_id = _run_job(work, server)
            times.append(seconds)
            latencies += _start_latencies(work, server, job_id)
        floor = min(_process_floor() for _ in range(max(1, min(runs, 3))))
        best, mean = min(times), sum(times) / len(times)
        print(f"{runs} jobs of 5 components x 2 parties: best {best:.2f} s, mean {mean:.2f} s; task start latency "
              f"mean {1000 * sum(latencies) / len(latencies):.0f} ms, max {1000 * max(latencies):.0f} ms; "
              f"process floor for the DAG's {DEPTH} waves {floor:.2f} s")
        print(result_line("job_seconds_best", best, floor))
        print(result_line("job_seconds_mean", mean, floor))
        print(result_line("task_start_latency_ms_mean", 1000 * sum(latencies) / len(latencies), 1000 * floor / DEPTH))
    finally:
        for node in (guest, host):
            node.terminate()
            node.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
