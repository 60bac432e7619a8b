"""Spark jobs of the node (uploads, downloads) in a child process: `python -m fate_runtime.data.spark_child DATA_DIR
KIND` reads the job's request as JSON on stdin and writes {"result": ...} or {"refused": sentence} on stdout.

The node's server process never starts a SparkContext (one per process, a JVM beside it): each job's child starts
one from the node's spark settings (node_runtime.json, as task processes do), runs the job, and exits; it dies
with the node (lifeline). Spark's own output goes to the job's log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Callable

from fate_runtime.errors import BadRequest, FlowError

_MODULE = "fate_runtime.data.spark_child"


def spark_jobs() -> dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]]:
    """The Spark jobs by kind: fn(SparkStore, request) -> result (imported here: they need pyspark)."""
    from fate_runtime.data.spark_csv_export import export_csv
    from fate_runtime.data.spark_csv_import import import_csv

    return {"import_csv": import_csv, "export_csv": export_csv}


def run_in_child(data_dir: str) -> Callable[[str, dict[str, Any], str], dict[str, Any]]:
    """A SparkRun that runs each job in a child process of its own, its output appended to the given log."""

    def run(kind: str, request: dict[str, Any], log_path: str) -> dict[str, Any]:
        with open(log_path, "ab") as log:
            done = subprocess.run([sys.executable, "-m", _MODULE, data_dir, kind], input=json.dumps(request).encode(),
                                  stdout=subprocess.PIPE, stderr=log, check=False)
        try:
            reply = json.loads(done.stdout)
        except ValueError:
            raise RuntimeError(f"the Spark job {kind} ended without a result (exit code {done.returncode}); "
                               f"see {log_path}") from None
        if "refused" in reply:
            raise BadRequest(reply["refused"])
        return dict(reply["result"])

    return run


def main(argv: list[str]) -> int:
    from fate_runtime.tasks import lifeline

    lifeline.hold()
    from fate_runtime.node_runtime import NodeRuntime
    from storage.spark.context import stop_spark_context
    from storage.spark.store import SparkStore

    data_dir, kind = argv
    request = json.load(sys.stdin)
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever Spark or a library prints goes to the log, never into the reply
    settings = NodeRuntime.load(data_dir).spark_settings()
    if settings is None:
        raise SystemExit("the node has no spark settings")
    store = SparkStore(settings)
    try:
        reply: dict[str, Any] = {"result": spark_jobs()[kind](store, request)}
    except FlowError as refused:
        reply = {"refused": str(refused)}
    finally:
        stop_spark_context()
    json.dump(reply, replies)
    replies.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
