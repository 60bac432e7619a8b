"""The Spark backend's table operations on a real standalone cluster (a master and two workers on loopback).

The driver runs in a child process (this module run as a script with this Python): the test process may
already hold a local[2] SparkContext, and Spark allows one per process. Its results must equal the LMDB
store's for the same operations, and the work must have run in the workers' executors, not in the driver.
"""

from __future__ import annotations

import json
import operator
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from spark_cluster import SparkCluster, spark_cluster  # noqa: F401 - spark_cluster is a fixture
from storage_testlib import make_store

pytestmark = [pytest.mark.integration, pytest.mark.spark]

ROWS, PARTITIONS = 200, 4
HELPERS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "helpers")
DRIVER_TIMEOUT_S = 120
EXECUTORS_TIMEOUT_S = 30


def table_operations(store: Any) -> dict[str, Any]:
    """create, put_all, map_values, join, reduce and save_as on `store` (either backend); what each gave."""
    rows = store.create_table("cluster", "rows", PARTITIONS)
    rows.put_all((i, {"i": i, "tag": f"r{i % 7}"}) for i in range(ROWS))
    labels = store.create_table("cluster", "labels", PARTITIONS)
    labels.put_all((i, i % 2) for i in range(0, ROWS, 3))
    doubled = rows.map_values(lambda value: value["i"] * 2)
    joined = doubled.join(labels, lambda number, label: [number, label])
    saved = joined.save_as("joined", "cluster", partitions=3)
    reread = store.table("cluster", "joined")
    results = {"count": rows.count(), "doubled": list(doubled.collect()), "joined": list(joined.collect()),
               "sum": doubled.reduce(operator.add), "saved": list(reread.collect()),
               "saved_partitions": reread.partition_counts(), "saved_count": saved.count()}
    return json.loads(json.dumps(results))  # as the child's results arrive: tuples as lists


def executor_directories(store: Any) -> list[str]:
    """The working directory of the process that computed each row of a map_values: an executor's directory."""
    return sorted({directory for _, directory in store.table("cluster", "rows").map_values(
        lambda _: os.getcwd()).collect()})


def _wait_for_executors(context: Any, count: int) -> None:
    """Until `count` executors joined the application (the driver counts as one more), so work spreads over both."""
    deadline = time.monotonic() + EXECUTORS_TIMEOUT_S
    while len(context._jsc.sc().statusTracker().getExecutorInfos()) < count + 1:
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {count} executors joined in {EXECUTORS_TIMEOUT_S} s")
        time.sleep(0.2)


def drive_cluster(master_url: str, storage_dir: str, executors: int) -> dict[str, Any]:
    """In the child: a SparkStore on the cluster, the table operations, and where their work ran."""
    from storage.spark.context import stop_spark_context
    from storage.spark.settings import SparkSettings
    from storage.spark.store import SparkStore

    store = SparkStore(SparkSettings(storage_dir=storage_dir, master=master_url))
    try:
        _wait_for_executors(store.context, executors)
        return {"results": table_operations(store), "driver": os.getcwd(),
                "executor_dirs": executor_directories(store)}
    finally:
        stop_spark_context()


def run_driver(cluster: SparkCluster, storage_dir: str) -> dict[str, Any]:
    env = {**cluster.driver_environment(), "PYTHONPATH": os.pathsep.join(filter(None, [
        HELPERS, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, os.path.abspath(__file__), cluster.master_url, storage_dir,
                           str(len(cluster.work_dirs))], capture_output=True, text=True, env=env,
                          timeout=DRIVER_TIMEOUT_S, check=False)
    assert done.returncode == 0, f"the driver failed:\n{done.stderr[-5000:]}\n{cluster.log_tails()}"
    return json.loads(done.stdout.splitlines()[-1])


def test_table_operations_on_a_standalone_cluster_equal_lmdb_and_run_on_the_workers(spark_cluster, tmp_path):
    report = run_driver(spark_cluster, str(tmp_path / "spark"))

    expected = table_operations(make_store(tmp_path / "lmdb", "inline"))
    assert report["results"] == expected
    assert expected["count"] == ROWS and expected["sum"] == ROWS * (ROWS - 1)
    assert expected["saved_count"] == len(range(0, ROWS, 3)) and len(expected["saved_partitions"]) == 3

    # every row was computed in an executor: <worker's work dir>/<app id>/<executor id>, on both workers
    workers = {str(work_dir): index for index, work_dir in enumerate(spark_cluster.work_dirs)}
    ran_on = [workers.get(os.path.dirname(os.path.dirname(directory))) for directory in report["executor_dirs"]]
    assert None not in ran_on, (report["executor_dirs"], report["driver"])
    assert set(ran_on) == set(workers.values())
    assert report["driver"] not in report["executor_dirs"]
    stored = tmp_path / "spark" / "cluster" / "joined"
    assert sorted(path.name for path in stored.iterdir()) == ["meta.json", "part-00000", "part-00001", "part-00002"]


if __name__ == "__main__":  # the driver of the test above, in a process of its own
    print(json.dumps(drive_cluster(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
