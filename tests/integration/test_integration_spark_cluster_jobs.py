"""A job on a real Spark standalone cluster (a master and two one-core workers on loopback): a node whose spark.master
is the cluster runs FATE's toy job with job_parameters.backend 1; each task is its own Spark application on the
cluster (spark.cores_max 1, so the guest's and the host's concurrent tasks each get an executor rather than one
waiting for the other's cores), and its log names the cluster's master."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from integration_helpers import Node, node_args, running_node
from jobs_helpers import submitted, toy_conf, toy_dsl, wait_job
from spark_available import require_spark
from spark_cluster import SparkCluster, spark_cluster  # noqa: F401 - spark_cluster is a fixture

pytestmark = [pytest.mark.integration, pytest.mark.spark]

TOY = "secure_add_example_0"


@pytest.fixture(scope="module")
def node(spark_cluster: SparkCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:  # noqa: F811
    require_spark()
    base = tmp_path_factory.mktemp("cluster_node")
    conf = base / "node.json"
    conf.write_text(json.dumps({"spark": {"master": spark_cluster.master_url, "storage_dir": str(base / "spark"),
                                          "executor_memory": "512m", "cores_max": 1}}))
    args = [*node_args(base / "data", base / "files"), "--conf", str(conf)]
    with running_node(base, args, env=spark_cluster.driver_environment()) as started:
        yield started


def test_the_toy_job_runs_on_the_standalone_cluster(node: Node, spark_cluster: SparkCluster,  # noqa: F811
                                                    tmp_path: Path) -> None:
    conf = toy_conf()
    conf["job_parameters"]["backend"] = 1
    job_id = submitted(node, tmp_path, toy_dsl(), conf)
    rows = wait_job(node, job_id, timeout=240)
    assert {row["f_status"] for row in rows} == {"success"}, [(row["f_role"], row["f_retmsg"]) for row in rows]
    for role in ("guest", "host"):
        log = (node.data_dir / "logs" / job_id / role / "10000" / TOY / "INFO.log").read_text()
        assert f"computing backend: Spark (master {spark_cluster.master_url}" in log
    apps = {app["name"] for app in spark_cluster.state()["completedapps"]}
    assert {name for name in apps if job_id in name and TOY in name} == {
        f"fate {job_id} {TOY} guest 10000", f"fate {job_id} {TOY} host 10000"}, apps
