"""The demo: start a standalone node, then upload, inspect, download and delete FATE's example table.

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

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples", "fate_flow_examples")


def cli(server: str, *args: str) -> dict:
    command = [sys.executable, os.path.join(REPO, "fate_flow_client.py"), *args, "--server", server]
    print("$ python fate_flow_client.py " + " ".join(args))
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    print(done.stdout.rstrip())
    reply = json.loads(done.stdout)
    if reply.get("retcode") != 0:
        raise SystemExit(f"demo step failed: {reply.get('retmsg')}")
    return reply


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
        print("demo finished: upload -> table_info -> upload_history -> download -> table_delete")
    finally:
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=30)


if __name__ == "__main__":
    main()
