"""A real Spark standalone cluster on loopback for tests: a master and two workers from pyspark's own launch classes.

Nothing is downloaded: the master and the workers are `java -cp <pyspark>/jars/* org.apache.spark.deploy...`,
with SPARK_HOME at the pyspark package (the workers build their executors' command lines from it), on free
loopback ports, each worker with one core and 1 GB for executors. A driver using the cluster must run in
a process of its own (Spark allows one SparkContext per process); give it `driver_environment()`.
Use the `spark_cluster` fixture (import it into the test module or a conftest.py) or `running_spark_cluster`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from integration_helpers import free_port
from system_packages import missing_package

HOST = "127.0.0.1"
WORKERS = 2
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
LOG_TAIL_LINES = 40
DAEMON_HEAP = "-Xmx256m"  # the master's and workers' own JVMs (executors get the workers' --memory)


@dataclasses.dataclass(frozen=True)
class SparkCluster:
    """A running cluster: its master URL (spark://...), web UI and the directories its processes write."""

    master_url: str
    web_url: str
    spark_home: str
    work_dirs: tuple[Path, ...]  # one per worker: its executors run in <work dir>/<app id>/<executor id>
    logs: tuple[Path, ...]

    def driver_environment(self) -> dict[str, str]:
        """The environment of a driver process on this cluster (it binds to loopback, as the cluster does)."""
        return {**os.environ, "SPARK_HOME": self.spark_home, "SPARK_LOCAL_IP": HOST}

    def state(self) -> dict:
        """The master's view (its web UI's /json): workers, applications."""
        with urllib.request.urlopen(f"{self.web_url}/json/", timeout=5) as reply:
            return json.load(reply)

    def log_tails(self) -> str:
        """The last lines of the master's, the workers' and every executor's log, for a failure's report."""
        executor_logs = sorted(path for work_dir in self.work_dirs for path in work_dir.glob("*/*/std*"))
        parts = []
        for path in [*self.logs, *executor_logs]:
            lines = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:] if path.exists() else []
            parts.append(f"==== {path} ====\n" + "\n".join(lines))
        return "\n".join(parts)


def pyspark_home() -> str:
    """The pyspark package's directory: Spark's jars and launch scripts, the cluster's SPARK_HOME."""
    import pyspark

    return os.path.dirname(pyspark.__file__)


def _scala_version(spark_home: str) -> str:
    """The Scala version Spark was built with (from spark-core's jar name); workers need it to launch executors."""
    for name in os.listdir(os.path.join(spark_home, "jars")):
        match = re.fullmatch(r"spark-core_(\d+\.\d+)-.*\.jar", name)
        if match:
            return match.group(1)
    raise RuntimeError(f"no spark-core jar under {spark_home}/jars")


def _daemon_environment(spark_home: str) -> dict[str, str]:
    return {**os.environ, "SPARK_HOME": spark_home, "SPARK_SCALA_VERSION": _scala_version(spark_home),
            "SPARK_LOCAL_IP": HOST}


def _start_java(spark_home: str, main_class: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """One Spark daemon in a process group of its own (its executors go with it when stopped)."""
    command = ["java", "-cp", os.path.join(spark_home, "jars", "*"), DAEMON_HEAP,
               "-Dspark.master.rest.enabled=false", main_class, *args]
    with log.open("wb") as out:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=_daemon_environment(spark_home), cwd=log.parent, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the daemon's process group (the daemon and the executors it launched), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_for_workers(cluster: SparkCluster, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if cluster.state().get("aliveworkers") == WORKERS:
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass  # the master's web UI is not up yet
        ended = [process.args for process in processes if process.poll() is not None]
        if ended or time.monotonic() > deadline:
            why = f"{ended[0]} ended" if ended else f"not {WORKERS} workers registered in {START_TIMEOUT_S:.0f} s"
            raise RuntimeError(f"the Spark cluster did not start: {why}\n{cluster.log_tails()}")
        time.sleep(0.25)


@contextmanager
def running_spark_cluster(directory: Path) -> Iterator[SparkCluster]:
    """A master and two workers (one core, 1 GB each) on loopback, logging into `directory`; stopped on exit."""
    if shutil.which("java") is None:
        missing_package("java is not installed (Debian: openjdk-17-jre-headless)")
    spark_home = pyspark_home()
    port, web_port = free_port(), free_port()
    work_dirs = tuple(directory / f"worker{index}" for index in range(WORKERS))
    for work_dir in work_dirs:
        work_dir.mkdir(parents=True)
    cluster = SparkCluster(f"spark://{HOST}:{port}", f"http://{HOST}:{web_port}", spark_home, work_dirs,
                           (directory / "master.log", *(work_dir.with_suffix(".log") for work_dir in work_dirs)))
    processes = [_start_java(spark_home, "org.apache.spark.deploy.master.Master",
                             ["--host", HOST, "--port", str(port), "--webui-port", str(web_port)], cluster.logs[0])]
    try:
        for work_dir, log in zip(work_dirs, cluster.logs[1:]):
            processes.append(_start_java(
                spark_home, "org.apache.spark.deploy.worker.Worker",
                [cluster.master_url, "--host", HOST, "--webui-port", str(free_port()), "--cores", "1",
                 "--memory", "1g", "--work-dir", str(work_dir)], log))
        _wait_for_workers(cluster, processes)
        yield cluster
    finally:
        for process in reversed(processes):  # workers first: the master outlives its workers
            _stop(process)


@pytest.fixture(scope="module")
def spark_cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkCluster]:
    """One cluster per test module; if a test of the module failed, its processes' logs are printed at teardown."""
    failed_before = request.session.testsfailed
    with running_spark_cluster(tmp_path_factory.mktemp("spark-cluster")) as cluster:
        yield cluster
        if request.session.testsfailed > failed_before:
            capture = request.config.pluginmanager.getplugin("capturemanager")
            with capture.global_and_fixture_disabled():
                print(f"\nlogs of the Spark cluster {cluster.master_url}:\n{cluster.log_tails()}")
