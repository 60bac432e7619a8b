"""Online serving benchmark: the seed model served by a guest node asking a host node, beside raw gRPC round-trips.

Usage: python benchmarks/serving_bench.py [--quick]
The seed job (FATE's breast example, DataIO -> binning -> selection -> HeteroLR) is trained by three cluster-mode
nodes on loopback (guest 9999, host 10000, arbiter 10001), loaded and bound to a service id; the arbiter's node is
then stopped. One client then sends FATE-Serving's requests to the guest node's InferenceService (its peer port):
single cases one after another, and batches of 100 cases; and the same single requests over REST
(/federation/v1/inference). Each request crosses two gRPC calls (client -> guest, guest -> host) and scores on
both nodes. Beside them, in the same run: a raw gRPC unary round-trip to another process echoing a message of the
same size (a single request's, a batch's). Prints latency p50/p99 (ms) and throughput, and
`RESULT <name> value=<ours> baseline=<raw> ratio=<ours/raw>` lines (a throughput's baseline: raw round-trips/s).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent import futures
from pathlib import Path
from typing import Any, Callable

import grpc
import numpy as np
import requests

from bench_common import result_line
from flow_api import demo
from protos import inference_service_pb2 as inference_pb
from protos import inference_service_pb2_grpc

SERVICE = "serving-bench"
BATCH = 100
RAW_METHOD = "/bench.Raw/Echo"
PEER_ADDRESS = re.compile(r"fate-flow node ready: REST \S+ gRPC (?P<grpc>\S+) ")


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    p50, p99 = np.percentile(np.asarray(seconds) * 1000, [50, 99])
    return float(p50), float(p99)


def _latencies(call: Callable[[], Any], count: int, warmup: int = 20) -> tuple[list[float], float]:
    """Each call's seconds, and the wall seconds of all `count` calls one after another."""
    for _ in range(warmup):
        call()
    seconds = []
    started = time.perf_counter()
    for _ in range(count):
        begun = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - begun)
    return seconds, time.perf_counter() - started


def raw_server() -> None:
    """(In the raw-server process) a gRPC server whose one unary method answers the bytes it was sent; prints its
    port."""
    server = grpc.server(futures.ThreadPoolExecutor(8))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("bench.Raw", {
        "Echo": grpc.unary_unary_rpc_method_handler(lambda request, context: request)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


def _seed_model(parties: demo.Parties) -> None:
    """The seed job trained across the three nodes, loaded and bound to SERVICE on the guest and the host."""
    guest = parties.nodes["guest"].server
    demo.upload(guest, "upload_guest.json", 1)
    demo.upload(parties.nodes["host"].server, "upload_host.json", 1)
    dsl, conf = demo.seed_job(True)
    job_id = demo.call(guest, "/job/submit", {"job_dsl": dsl, "job_runtime_conf": demo.with_random_seed(conf, 1)})[
        "jobId"]
    if demo.wait_job(guest, job_id, "guest", parties.party_ids["guest"], quiet=True) != "success":
        raise SystemExit(f"the seed job {job_id} failed")
    model_id = "#".join(f"{role}-{parties.party_ids[role]}" for role in ("arbiter", "guest", "host")) + "#model"
    for endpoint, example in (("/model/load", "publish_load_model.json"), ("/model/bind", "bind_model_service.json")):
        publish = {**demo.example(example), "initiator": conf["initiator"], "role": conf["role"],
                   "service_id": SERVICE}
        publish["job_parameters"] = {"model_id": model_id, "model_version": job_id, "work_mode": 1}
        demo.call(guest, endpoint, publish)


def _cases(count: int) -> list[dict[str, Any]]:
    """FATE-Serving's cases of breast_b's first `count` ids: the guest's features, the id the host finds its own by."""
    header, *lines = (demo.REPO / "examples" / "data" / "breast_b.csv").read_text().splitlines()
    names = header.split(",")[2:]
    rows = [line.split(",") for line in lines[:count]]
    return [{"featureData": dict(zip(names, map(float, row[2:]))), "sendToRemoteFeatureData": {"id": row[0]}}
            for row in rows]


def _raw_round_trips(sizes: dict[str, int], counts: dict[str, int]) -> dict[str, tuple[list[float], float]]:
    """Raw unary round-trips of each message size to another process: (latencies, wall seconds) by name."""
    server = subprocess.Popen([sys.executable, __file__, "--raw-server"], stdout=subprocess.PIPE, text=True)
    try:
        port = server.stdout.readline().strip() if server.stdout is not None else ""
        if not port.isdigit():
            raise SystemExit("the raw gRPC server did not start")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            echo: Any = channel.unary_unary(RAW_METHOD)

            def round_trip(size: int) -> Callable[[], Any]:
                body = b"x" * size
                return lambda: echo(body, timeout=10)

            return {name: _latencies(round_trip(size), counts[name]) for name, size in sizes.items()}
    finally:
        server.kill()
        server.wait()


def _check(reply: dict[str, Any]) -> dict[str, Any]:
    if reply.get("retcode") != 0 or any(case.get("retcode") for case in reply.get("batchDataList", [])):
        raise SystemExit(f"the guest refused a request: {reply}")
    return reply


def measure(work: Path, singles: int, batches: int) -> None:
    parties = demo.cluster(work)
    try:
        _seed_model(parties)
        demo.stop_nodes([parties.nodes["arbiter"]])  # (serving needs no arbiter)
        found = PEER_ADDRESS.search((work / "node_guest.log").read_text())
        assert found is not None
        cases = _cases(BATCH)
        single = json.dumps({"serviceId": SERVICE, **cases[0]}).encode()
        batch = json.dumps({"serviceId": SERVICE, "batchDataList": cases}).encode()
        rest_url = parties.nodes["guest"].server.url + "/federation/v1/inference"
        with grpc.insecure_channel(found.group("grpc")) as channel, requests.Session() as session:
            stub = inference_service_pb2_grpc.InferenceServiceStub(channel)

            def ask(method: Any, body: bytes) -> Callable[[], Any]:
                return lambda: _check(json.loads(method(inference_pb.InferenceMessage(body=body), timeout=10).body))

            ours = {"single": _latencies(ask(stub.inference, single), singles),
                    "batch": _latencies(ask(stub.batchInference, batch), batches),
                    "rest_single": _latencies(lambda: _check(session.post(rest_url, data=single).json()), singles)}
    finally:
        demo.stop_nodes(parties.all())
    raw = _raw_round_trips({"single": len(single), "batch": len(batch)}, {"single": singles, "batch": batches})
    raw["rest_single"] = raw["single"]
    for name, cases_each in (("single", 1), ("batch", BATCH), ("rest_single", 1)):
        (p50, p99), (raw_p50, raw_p99) = _percentiles(ours[name][0]), _percentiles(raw[name][0])
        per_s, raw_per_s = len(ours[name][0]) / ours[name][1], len(raw[name][0]) / raw[name][1]
        print(f"{name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms, {per_s * cases_each:.0f} cases/s ({per_s:.0f} requests/s, "
              f"one client); raw gRPC round-trip of the same size p50 {raw_p50:.3f} ms, p99 {raw_p99:.3f} ms, "
              f"{raw_per_s:.0f}/s")
        print(result_line(f"serving_{name}_p50_ms", p50, raw_p50))
        print(result_line(f"serving_{name}_p99_ms", p99, raw_p99))
        print(result_line(f"serving_{name}_requests_per_s", per_s, raw_per_s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 single requests and 30 batches")
    parser.add_argument("--raw-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_server:
        return raw_server()
    singles, batches = (300, 30) if args.quick else (3000, 300)
    with tempfile.TemporaryDirectory(prefix="serving-bench-") as work:
        measure(Path(work), singles, batches)


if __name__ == "__main__":
    main()
