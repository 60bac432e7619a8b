"""A node that computes on Spark lands the tables its parties receive in its Spark directory (spark.storage_dir),
not in its LMDB store: the receiver's wiring in the node (fate_runtime/node/server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation import Declarations, FederationClient, RetryPolicy, RouteTable, TransferVariable
from federation.receiver import table_location
from federation.transfers import TransferKey
from federation_helpers import await_reply, job_id, job_token, make_table, partitioned, register_job
from integration_helpers import NodeProcess, reap_all
from storage import Store, encode
from storage.spark.directory import SparkDirectory
from storage.spark.partition_files import read_partition

pytestmark = pytest.mark.integration  # starts a real node (it needs no Spark to receive)

GUEST, HOST = "9999", "10000"
VARIABLES = [TransferVariable("x", "guest", ("host",))]


def test_a_table_sent_to_a_spark_party_lands_in_its_node_s_spark_directory(tmp_path: Path) -> None:
    spark_dir = tmp_path / "spark"
    node = NodeProcess(tmp_path / "host", HOST, routes={GUEST: "127.0.0.1:1"},
                       extra_args=["--computing", "spark", "--spark-storage-dir", str(spark_dir)])
    try:
        node.start()
        job = job_id("spark node")
        register_job(node.local_target, job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
        sender = Store(str(tmp_path / "guest"), workers=1)
        keys = list(range(500))
        source = make_table(sender, "fedtest", "source", 3, keys, [f"value {i}" for i in keys])
        guest = FederationClient(job, "guest", GUEST, RouteTable([GUEST], "127.0.0.1:1", {HOST: node.address}),
                                 Declarations(VARIABLES), sender, "unix:unused", job_token(job),
                                 retry=RetryPolicy(3, 0.05))
        guest.remote(source, "x", "t", [("host", HOST)])
        guest.close()
        reply = await_reply(node.local_target, job, "x", "t", ("guest", GUEST), ("host", HOST))
        location = table_location(TransferKey(job, "x", "t", "guest", GUEST, "host", HOST))
        assert reply.complete and (reply.namespace, reply.table_name) == location
        directory = SparkDirectory(str(spark_dir))
        assert directory.meta(*location).partitions == 3
        assert [list(read_partition(directory.table_dir(*location), index)) for index in range(3)] == \
            partitioned([(encode(k), encode(f"value {k}")) for k in keys], 3)
        assert not Store(str(node.storage_dir), workers=1).exists(*location)
    finally:
        reap_all([node])
