"""Federation benchmark: a table pushed between two nodes on loopback, beside raw gRPC streaming.

Usage: python benchmarks/federation_bench.py [--quick]
Two tables travel from guest 9999 to host 10000 (each node a `fate-flow server` subprocess;
the sender is a separate process, as a task of the guest would be): 1M rows x 30 floats, and
a 1 GiB table of 16 KiB values (--quick: 100k rows and 64 MiB). Each is timed from `remote`
to the receiver's acknowledgement, beside raw gRPC client-streaming of the same number of
bytes in 1 MiB chunks between two processes, and beside raw LMDB writes of the same pairs
(the least the receiver must do), both measured in the same run. Prints
`RESULT <name> value=<ours> baseline=<raw> ratio=<ours/raw>` lines and the peak memory of
the receiving node and the sending process (PSS, and its anonymous part: the rest is LMDB
file pages mapped in, which the kernel reclaims at will).
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
from typing import Any

import grpc
import numpy as np

from bench_common import MemorySampler, result_line

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB = "20261201000000000001"  # job ids are FATE's (digits)
TOKEN = "federation-bench-token"
RAW_METHOD = "/bench.Raw/Stream"
RAW_CHUNK = 1 << 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_node(data_dir: str, party: str, grpc_port: int, routes: list[str]) -> tuple[subprocess.Popen, str]:
    """The node process and its local socket's gRPC target (from its ready line)."""
    command = [sys.executable, "-m", "flow_api.server_main", "server", "--party-id", party, "--data-dir", data_dir,
               "--grpc-port", str(grpc_port), "--http-port", "0"]
    for route in routes:
        command += ["--route", route]
    node = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = node.stdout.readline() if node.stdout else ""
    local = re.search(r" local (\S+) ", line)
    if "ready" not in line or local is None:
        node.kill()
        raise RuntimeError(f"node {party} did not start: {line!r}")
    return node, local.group(1)


def _register(local_target: str) -> None:
    """Make the job known to a node for federation only (over its local socket), with the bench's token."""
    from protos import scheduler_pb2, scheduler_pb2_grpc

    registration = scheduler_pb2.JobRegistration(
        job_id=JOB, roles={"guest": scheduler_pb2.PartyIds(party_ids=["9999"]),
                           "host": scheduler_pb2.PartyIds(party_ids=["10000"])},
        variables=[scheduler_pb2.VariableDeclaration(name="table", src_role="guest", dst_roles=["host"])],
        token=TOKEN)
    with grpc.insecure_channel(local_target) as channel:
        scheduler_pb2_grpc.LocalSchedulerStub(channel).RegisterJob(registration, timeout=30)


def raw_lmdb_seconds(store_dir: str, name: str, work: str) -> float:
    """Writing the table's pairs, partition by partition in key order, into fresh LMDB environments
    (what the receiver must do at least, whatever the network)."""
    import lmdb

    from storage import Store

    table = Store(store_dir).table("bench", name)
    batches = [(index, batch) for index in range(table.partitions) for batch in table.encoded_batches(index)]
    started = time.perf_counter()
    envs = {}
    for index, batch in batches:
        if index not in envs:
            envs[index] = lmdb.open(os.path.join(work, f"raw_{name}_{index}"), map_size=1 << 34, sync=False,
                                    metasync=False)
        with envs[index].begin(write=True) as txn:
            txn.cursor().putmulti(batch, append=True)
    seconds = time.perf_counter() - started
    for index, env in envs.items():
        env.close()
        shutil.rmtree(os.path.join(work, f"raw_{name}_{index}"))
    return seconds


def _fill_tables(store_dir: str, rows: int, big_bytes: int) -> dict[str, int]:
    """The two source tables in the guest's store; returns their encoded sizes in bytes."""
    from storage import Store

    store = Store(store_dir)
    rng = np.random.default_rng(0)
    floats = store.create_table("bench", "floats", 10)
    block = 100_000
    for start in range(0, rows, block):
        matrix = rng.standard_normal((min(block, rows - start), 30))
        floats.put_all(((start + i, row) for i, row in enumerate(matrix)), sync=False)
    floats.sync()
    big = store.create_table("bench", "big", 10)
    value_size = 16 << 10
    big.put_all((i, os.urandom(value_size)) for i in range(max(1, big_bytes // value_size)))
    return {name: sum(len(k) + len(v) for k, v in table.collect_encoded())
            for name, table in (("floats", floats), ("big", big))}


def send(args: argparse.Namespace) -> None:
    """(In the sender process) push one table to the host and print seconds and peak RSS as JSON."""
    from federation import Declarations, FederationClient, RouteTable, TransferVariable
    from storage import Store

    store = Store(args.store)
    routes = RouteTable(["9999"], "127.0.0.1:1", {"10000": f"127.0.0.1:{args.port}"})
    client = FederationClient(JOB, "guest", "9999", routes, Declarations([TransferVariable("table", "guest", ("host",))]),
                              store, args.local, TOKEN)
    table = store.table("bench", args.table)
    started = time.perf_counter()
    client.remote(table, "table", args.table, [("host", "10000")])
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": table.count()}))


def raw_server(args: argparse.Namespace) -> None:
    """(In the raw-server process) a gRPC server whose one method counts the bytes streamed to it."""
    from concurrent import futures

    def consume(chunks, context):  # type: ignore[no-untyped-def]
        return str(sum(len(chunk) for chunk in chunks)).encode()

    handler = grpc.method_handlers_generic_handler("bench.Raw", {
        "Stream": grpc.stream_unary_rpc_method_handler(consume)})
    server = grpc.server(futures.ThreadPoolExecutor(4), options=[("grpc.max_receive_message_length", 16 << 20)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print("ready", flush=True)
    server.wait_for_termination()


def raw_stream_seconds(total_bytes: int) -> float:
    """Raw gRPC client-streaming of `total_bytes` in 1 MiB chunks to another process."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--raw-server", "--port", str(port)], stdout=subprocess.PIPE,
                              text=True)
    try:
        server.stdout.readline() if server.stdout else None
        chunk = os.urandom(RAW_CHUNK)
        count = max(1, total_bytes // RAW_CHUNK)
        with grpc.insecure_channel(f"127.0.0.1:{port}",
                                   options=[("grpc.max_send_message_length", 16 << 20)]) as channel:
            stream: Any = channel.stream_unary(RAW_METHOD)
            stream(iter([chunk]), timeout=60)  # connect and warm up
            started = time.perf_counter()
            received = int(stream(iter([chunk] * count), timeout=600))
            seconds = time.perf_counter() - started
        assert received == count * RAW_CHUNK
        return seconds * total_bytes / (count * RAW_CHUNK)
    finally:
        server.kill()
        server.wait()


def measure(work: str, rows: int, big_bytes: int) -> None:
    guest_port, host_port = _free_port(), _free_port()
    sizes = _fill_tables(os.path.join(work, "guest", "storage"), rows, big_bytes)
    guest, guest_local = _start_node(os.path.join(work, "guest"), "9999", guest_port, [f"10000=127.0.0.1:{host_port}"])
    host, host_local = _start_node(os.path.join(work, "host"), "10000", host_port, [f"9999=127.0.0.1:{guest_port}"])
    try:
        for local in (guest_local, host_local):
            _register(local)
        for name in ("floats", "big"):
            sender = subprocess.Popen([sys.executable, __file__, "--send", "--store",
                                       os.path.join(work, "guest", "storage"), "--table", name, "--port", str(host_port),
                                       "--local", guest_local], stdout=subprocess.PIPE, text=True)
            with MemorySampler(host.pid) as memory, MemorySampler(sender.pid) as sender_memory:
                output, _ = sender.communicate()
            if sender.returncode != 0:
                raise RuntimeError(f"the sender failed: {output}")
            sent = json.loads(output)
            raw = raw_stream_seconds(sizes[name])
            lmdb_write = raw_lmdb_seconds(os.path.join(work, "guest", "storage"), name, work)
            megabytes = sizes[name] / 1e6
            print(f"{name}: {sent['rows']} rows, {megabytes:.0f} MB in {sent['seconds']:.2f} s "
                  f"(raw gRPC {raw:.2f} s, raw LMDB write {lmdb_write:.2f} s); peak memory (PSS, of it anonymous): "
                  f"receiving node {memory.peak_pss_mb:.0f} MB ({memory.peak_anon_mb:.0f} MB), sending process "
                  f"{sender_memory.peak_pss_mb:.0f} MB ({sender_memory.peak_anon_mb:.0f} MB)")
            print(result_line(f"{name}_table_mb_per_s", megabytes / sent["seconds"], megabytes / raw))
            print(result_line(f"{name}_table_rows_per_s", sent["rows"] / sent["seconds"], sent["rows"] / raw))
            print(result_line(f"{name}_table_mb_per_s_vs_lmdb_write", megabytes / sent["seconds"],
                              megabytes / lmdb_write))
    finally:
        for node in (guest, host):
            node.terminate()
            node.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k rows and a 64 MiB table")
    parser.add_argument("--work-dir")
    parser.add_argument("--send", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--local", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send:
        return send(args)
    if args.raw_server:
        return raw_server(args)
    rows, big = (100_000, 64 << 20) if args.quick else (1_000_000, 1 << 30)
    work = args.work_dir or tempfile.mkdtemp(prefix="federation-bench-")
    try:
        measure(work, rows, big)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
