"""HeteroLR benchmark: FATE's breast example end to end, seconds per iteration, and a scale run.

Usage: python benchmarks/hetero_lr_bench.py [--quick] [--scale-rows 10000,50000,100000]

1. Breast (standalone node): both uploads + the seed's DSL with a 10-iteration full-batch HeteroLR
   (batch_size -1, no early stop) + Evaluation. Seconds per iteration come from the arbiter's log
   (the time between its first and last "iteration k: loss" lines, over the iterations between).
   Baseline, in the same run and process: the same iteration's Paillier work done the naive way on
   the same key size - one powmod per encryption (fresh r^n) and one powmod per ciphertext-by-feature
   product, on one core.
2. Scale (cluster mode, three nodes; skipped with --quick): synthetic guest (10 features + label) and
   host (50 features) of N rows each: seconds per iteration, the job's fixed cost (job time minus
   its iterations), and the peak memory (PSS) of each party's node with its workers.
Prints `RESULT <name> value=<ours> baseline=<same-run baseline> ratio=<ours/baseline>` lines.
"""

from __future__ import annotations

import argparse
import copy
import re
import secrets
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import gmpy2
import numpy as np

from bench_common import MemorySampler, result_line
from fate_runtime.crypto import generate_keypair
from flow_api import demo
from flow_api.http_client import Server

ITERATION_LINE = re.compile(r"^\[INFO\] \[(?P<time>[\d-]+ [\d:,]+)\].*iteration (?P<n>\d+): loss")
BREAST_ROWS, BREAST_FEATURES = 569, (10, 20)


def _lr_conf(conf: dict[str, Any], iterations: int) -> dict[str, Any]:
    conf = copy.deepcopy(conf)
    conf["algorithm_parameters"]["hetero_lr_0"].update({"max_iter": iterations, "batch_size": -1,
                                                         "early_stop": "weight_diff", "tol": 0.0})
    return conf


def _iteration_times(log: Path) -> list[float]:
    stamps = []
    for line in log.read_text().splitlines():
        match = ITERATION_LINE.match(line)
        if match:
            stamps.append(datetime.strptime(match.group("time"), "%Y-%m-%d %H:%M:%S,%f").timestamp())
    return stamps


def _seconds_per_iteration(data_dir: Path, job_id: str, arbiter: str) -> tuple[float, int]:
    stamps = _iteration_times(data_dir / "logs" / job_id / "arbiter" / arbiter / "hetero_lr_0" / "INFO.log")
    return (stamps[-1] - stamps[0]) / (len(stamps) - 1), len(stamps)


def _run_job(server: Server, dsl: dict[str, Any], conf: dict[str, Any], guest: str) -> tuple[str, float]:
    started = time.monotonic()
    job_id = demo.call(server, "/job/submit", {"job_dsl": dsl, "job_runtime_conf": conf})["jobId"]
    status = demo.wait_job(server, job_id, "guest", guest, quiet=True)
    if status != "success":
        raise SystemExit(f"job {job_id} ended {status}")
    return job_id, time.monotonic() - started


def naive_iteration_seconds(rows: int, features: tuple[int, int], bits: int = 1024) -> float:
    """One full-batch iteration's Paillier work the naive way: every encryption and product one powmod."""
    public, _ = generate_keypair(bits)
    n, nsquare = public.n, public.nsquare
    mantissas = [secrets.randbits(60) for _ in range(rows)]
    started = time.perf_counter()
    ciphertexts = [(1 + m * n) * gmpy2.powmod(secrets.randbelow(n - 1) + 1, n, nsquare) % nsquare
                   for m in mantissas]  # the host's forwards
    for _ in range(features[0] + 1 + features[1]):  # every gradient element: a product per row, summed
        total = gmpy2.mpz(1)
        for c in ciphertexts:
            total = total * gmpy2.powmod(c, secrets.randbits(53), nsquare) % nsquare
    return time.perf_counter() - started


def breast(work: Path) -> None:
    parties = demo.standalone(work)
    try:
        node = parties.nodes["guest"]
        started = time.monotonic()
        demo.upload(node.server, "upload_guest.json", 0)
        demo.upload(node.server, "upload_host.json", 0)
        dsl, conf = demo.seed_job(False)
        job_id, job_seconds = _run_job(node.server, dsl, _lr_conf(conf, 10), "10000")
        total = time.monotonic() - started
        per_iteration, seen = _seconds_per_iteration(work / "node", job_id, "10000")
        auc = demo.evaluation_summary(node.server, job_id, "10000")["auc"]
    finally:
        demo.stop_nodes(parties.all())
    naive = naive_iteration_seconds(BREAST_ROWS, BREAST_FEATURES)
    print(f"breast: uploads + 10-iteration job in {total:.2f} s (job {job_seconds:.2f} s, {seen} iterations logged, "
          f"AUC {auc:.4f}); {per_iteration:.3f} s per iteration, naive Paillier work alone {naive:.3f} s per iteration")
    print(result_line("hetero_lr_breast_s_per_iteration", per_iteration, naive))
    print(result_line("hetero_lr_breast_end_to_end_s", total, 10 * naive))


def _synthetic(work: Path, rows: int, seed: int = 7) -> tuple[Path, Path]:
    """guest (id, y, 10 features) and host (id, 50 features) CSVs whose label depends on both."""
    rng = np.random.default_rng(seed)
    guest_x, host_x = rng.standard_normal((rows, 10)), rng.standard_normal((rows, 50))
    score = guest_x @ rng.standard_normal(10) + host_x @ rng.standard_normal(50) * 0.3
    labels = (score + rng.logistic(size=rows) > 0).astype(int)
    ids = np.arange(rows).astype(str)
    paths = work / f"guest_{rows}.csv", work / f"host_{rows}.csv"
    for path, header, matrix in ((paths[0], ["y"] + [f"x{i}" for i in range(10)],
                                  np.hstack([labels[:, None], guest_x])),
                                 (paths[1], [f"x{i}" for i in range(50)], host_x)):
        body = np.char.mod("%.6f", matrix)
        with path.open("w") as out:
            out.write("id," + ",".join(header) + "\n")
            out.write("\n".join(f"{i}," + ",".join(row) for i, row in zip(ids, body)) + "\n")
    return paths


def scale(work: Path, sizes: list[int]) -> None:
    parties = demo.cluster(work, ["--allow-dir", str(work)])
    try:
        dsl, conf = demo.seed_job(True)
        for rows in sizes:
            guest_csv, host_csv = _synthetic(work, rows)
            for role, path in (("guest", guest_csv), ("host", host_csv)):
                job_id = demo.call(parties.nodes[role].server, "/data/upload", {
                    "file": str(path), "head": 1, "partition": 8, "namespace": "scale", "table_name": f"{role}_{rows}",
                    "work_mode": 1})["jobId"]
                demo.wait_job(parties.nodes[role].server, job_id, "local", "0", quiet=True)
            job_conf = _lr_conf(conf, 3)
            for role in ("guest", "host"):
                job_conf["role_parameters"][role]["args"]["data"]["train_data"] = [
                    {"name": f"{role}_{rows}", "namespace": "scale"}]
            samplers = {role: MemorySampler(node.process.pid) for role, node in parties.nodes.items()}
            for sampler in samplers.values():
                sampler.__enter__()
            try:
                job_id, job_seconds = _run_job(parties.nodes["guest"].server, dsl, job_conf,
                                               parties.party_ids["guest"])
            finally:
                for sampler in samplers.values():
                    sampler.__exit__()
            per_iteration, seen = _seconds_per_iteration(work / "node_arbiter", job_id, parties.party_ids["arbiter"])
            fixed = job_seconds - seen * per_iteration
            memory = ", ".join(f"{role} {sampler.peak_pss_mb:.0f} MB" for role, sampler in samplers.items())
            naive = naive_iteration_seconds(min(rows, 2000), (10, 50)) * rows / min(rows, 2000)
            print(f"scale {rows} rows: {per_iteration:.2f} s per iteration ({1000 * per_iteration / rows:.3f} ms per "
                  f"row), job {job_seconds:.1f} s of which fixed {fixed:.1f} s; peak memory {memory}")
            print(result_line(f"hetero_lr_scale_{rows}_ms_per_row_iteration", 1000 * per_iteration / rows,
                              1000 * naive / rows))
    finally:
        demo.stop_nodes(parties.all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="breast only")
    parser.add_argument("--scale-rows", default="10000,50000,100000")
    options = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hetero-lr-bench-"))
    try:
        breast(base / "breast")
        if not options.quick:
            scale(base / "scale", [int(size) for size in options.scale_rows.split(",")])
    except SystemExit:
        print(f"the nodes' data and logs are kept in {base}")
        raise
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
