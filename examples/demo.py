"""The demo: start a standalone node, run FATE's toy example job, then upload, inspect, download and
delete FATE's example table.

Run from the repository root: python examples/demo.py
Every step is the FATE-Flow CLI (`fate_flow_client.py`) talking to the node's REST API.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples", "fate_flow_examples")
TOY = os.path.join(REPO, "examples", "toy_example")


def cli(server: str, *args: str) -> dict:
    command = [sys.executable, os.path.join(REPO, "fate_flow_client.py"), *args, "--server", server]
    print("$ python fate_flow_client.py " + " ".join(args))
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    print(done.stdout.rstrip())
    reply = json.loads(done.stdout)
    if reply.get("retcode") != 0:
        raise SystemExit(f"demo step failed: {reply.get('retmsg')}")
    return reply


def toy_job(server: str) -> None:
    """FATE's toy example (guest and host add their secret numbers), submitted and followed by the CLI."""
    submitted = cli(server, "-f", "submit_job", "-d", os.path.join(TOY, "toy_example_dsl.json"),
                    "-c", os.path.join(TOY, "toy_example_conf.json"))
    job_id = submitted["jobId"]
    deadline = time.monotonic() + 120
    while True:
        command = [sys.executable, os.path.join(REPO, "fate_flow_client.py"), "-f", "query_job", "-j", job_id,
                   "-r", "guest", "--server", server]
        rows = json.loads(subprocess.run(command, cwd=REPO, capture_output=True, text=True).stdout)["data"]
        if rows[0]["f_status"] not in ("waiting", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    cli(server, "-f", "query_job", "-j", job_id, "-r", "guest")
    if rows[0]["f_status"] != "success":
        raise SystemExit(f"the toy job ended {rows[0]['f_status']}: {rows[0]['f_retmsg']}")
    cli(server, "-f", "query_task", "-j", job_id)
    cli(server, "-f", "component_metric_all", "-j", job_id, "-r", "guest", "-p", "10000",
        "-cpn", "secure_add_example_0")


def main() -> None:
    work = tempfile.mkdtemp(prefix="fate-demo-")
    node = subprocess.Popen(
        [sys.executable, "-m", "flow_api.server_main", "server", "--standalone", "--data-dir",
         os.path.join(work, "data"), "--base-dir", REPO, "--allow-dir", work, "--grpc-port", "0",
         "--http-port", "0"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        ready = node.stdout.readline() if node.stdout else ""
        print(ready.rstrip())
        match = re.search(r"REST (http://\S+)", ready)
        if not match:
            raise SystemExit("the node did not start")
        server = match.group(1)
        toy_job(server)
        upload = cli(server, "-f", "upload", "-c", os.path.join(EXAMPLES, "upload_guest.json"), "-drop", "1")
        cli(server, "-f", "table_info", "-n", "fate_flow_test_breast", "-t", "breast_b")
        cli(server, "-f", "upload_history", "-limit", "1")
        conf = os.path.join(work, "download.json")
        with open(conf, "w") as out:
            json.dump({"namespace": "fate_flow_test_breast", "table_name": "breast_b", "work_mode": 0,
                       "output_path": os.path.join(work, "breast_b.csv")}, out)
        cli(server, "-f", "download", "-c", conf)
        with open(os.path.join(REPO, "examples", "data", "breast_b.csv")) as a, \
                open(os.path.join(work, "breast_b.csv")) as b:
            same = sorted(a) == sorted(b)
        print(f"downloaded file has the uploaded rows: {same}")
        cli(server, "-f", "table_delete", "-j", upload["jobId"])
        if not same:
            raise SystemExit("round trip changed the data")
        print("demo finished: toy job (submit_job -> query_job -> query_task -> component_metric_all), "
              "upload -> table_info -> upload_history -> download -> table_delete")
    finally:
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=30)


if __name__ == "__main__":
    main()
