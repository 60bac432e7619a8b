"""The initiator's party calls that are safe to repeat survive a node that is briefly unreachable.

The guest's scheduler links (Links) reach the host's node through a proxy that breaks every open
connection and drops the next one before each call, as a restarting node or a flapping network
would: CreateJob, StartTask, UpdateJob and StopJob are retried by their channel's service config
and succeed; a StartTask that arrives twice starts the task once; the same outage fails a call on
a channel without the retries.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import grpc
import pytest

from fate_runtime.identifiers import new_job_id
from fate_runtime.jobs.scheduler import Links, Node
from fate_runtime.node_runtime import NodeRuntime
from federation import open_channel, token_metadata
from federation_helpers import FlakyProxy
from jobs_helpers import GUEST, HOST, job_rows, parties_conf, running_cluster, task_rows, wait_dsl, wait_job
from protos import scheduler_pb2 as spb
from protos import scheduler_pb2_grpc

pytestmark = pytest.mark.integration


def _outage(proxy: FlakyProxy) -> None:
    """Every open connection breaks and the next one is dropped (the channel notices the break first)."""
    proxy.cut(drop_next=1)
    time.sleep(0.3)


def _task_when_ended(node: Any, job: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = task_rows(node, job)
        if rows and rows[0]["f_status"] not in ("waiting", "running"):
            return rows[0]
        time.sleep(0.1)
    pytest.fail(f"the task of job {job} did not end within {timeout:.0f} s: {task_rows(node, job)}")


def test_safe_calls_are_retried_through_a_brief_outage(tmp_path: Path) -> None:
    with running_cluster(tmp_path, (GUEST, HOST)) as nodes:
        host_node = nodes[HOST].node
        proxy = FlakyProxy(f"127.0.0.1:{nodes[HOST].grpc_port}", drop_first=1)
        links = Links(NodeRuntime.load(str(nodes[GUEST].data_dir)))
        try:
            host = links.stub(Node(proxy.address, (("host", HOST),)))
            job, token = new_job_id(), secrets.token_hex(16)
            conf = parties_conf(GUEST, HOST, work_mode=1, algorithm={"wait_0": {"seconds": 0}})
            host.CreateJob(spb.JobSpec(job_id=job, dsl_json=json.dumps(wait_dsl(("wait_0", []))),
                                       conf_json=json.dumps(conf), token=token), timeout=30)
            assert proxy.accepted == 2  # the first connection was dropped, the call went through the second
            metadata = token_metadata(token)
            task = spb.TaskRef(job_id=job, component="wait_0", role="host", party_id=HOST)
            _outage(proxy)
            host.StartTask(task, timeout=30, metadata=metadata)
            ran = _task_when_ended(host_node, job)
            assert ran["f_status"] == "success", ran
            _outage(proxy)
            host.StartTask(task, timeout=30, metadata=metadata)  # again: acknowledged, not run again
            assert task_rows(host_node, job) == [ran]
            _outage(proxy)
            host.UpdateJob(spb.JobStatusUpdate(job_id=job, status="running", progress=50, current_steps=["wait_0"]),
                           timeout=30, metadata=metadata)
            assert [row["f_progress"] for row in job_rows(host_node, job)] == [50]
            with open_channel(proxy.address) as plain:  # the same outage, without the retries
                _outage(proxy)
                with pytest.raises(grpc.RpcError) as caught:
                    scheduler_pb2_grpc.SchedulerStub(plain).UpdateJob(
                        spb.JobStatusUpdate(job_id=job, status="running", progress=60), timeout=30, metadata=metadata)
                assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
            _outage(proxy)
            host.StopJob(spb.StopRequest(job_id=job, status="canceled", retmsg="stopped by the test"), timeout=30,
                         metadata=metadata)
            assert [(row["f_status"], row["f_progress"]) for row in wait_job(host_node, job)] == [("canceled", 50)]
        finally:
            links.close()
            proxy.close()
