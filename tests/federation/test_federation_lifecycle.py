"""A job's transfers live as long as the job on each node.

When the job ends on a node (its initiator stops it or says it is over) or is cleaned there, what it
received - tables, object files, transfer records - goes, and the node takes no more of its pushes;
its registration and token stay, so a late stop is still taken. Federation.JobState tells a party
of the job (with its token, nothing else) whether the job still runs on that node.
"""

from __future__ import annotations

import grpc
import pytest

from federation import JobEnded, TransferRefused, open_channel
from federation_helpers import (RPC_TIMEOUT, TOY_VARIABLES as VARIABLES, Cluster, job_id, job_token, make_table,
                                node_db_rows, object_files, received_tables, stop_job_on, toy_job_on_host)
from protos import federation_pb2 as fpb
from protos import federation_pb2_grpc
from protos import flow_pb2, flow_pb2_grpc

pytestmark = pytest.mark.integration

GUEST, HOST = "9999", "10000"


def job_state(cluster3: Cluster, party: str, job: str, token: str | None) -> bool:
    with open_channel(cluster3.node(party).address) as channel:
        reply = federation_pb2_grpc.FederationStub(channel).JobState(
            fpb.JobStateRequest(job_id=job), timeout=RPC_TIMEOUT, metadata=(("job-token", token),) if token else None)
    return reply.running


def receive_on_host(cluster3: Cluster, job: str) -> None:
    """The guest sends the host a table and an object of the job; the host's node holds them."""
    guest = cluster3.client(job, "guest", GUEST, VARIABLES)
    table = make_table(cluster3.store(GUEST), "fedtest", f"lifecycle_{job}", 2, list(range(500)),
                       [float(i) for i in range(500)])
    guest.remote(table, "guest_share", "table", [("host", HOST)])
    guest.remote({"share": [1.5, 2.5]}, "guest_share", "object", [("host", HOST)])
    host = cluster3.node(HOST)
    assert received_tables(host, job) == [f"guest_share.table.guest.{GUEST}.host.{HOST}"]
    assert len([f for f in object_files(host) if f.startswith(f"{job}/")]) == 1
    assert transfer_records(cluster3, job) == 2


def transfer_records(cluster3: Cluster, job: str) -> int:
    return node_db_rows(cluster3.node(HOST), "SELECT COUNT(*) FROM t_transfer WHERE f_job_id = ?", job)[0][0]


def assert_nothing_received_and_no_more_taken(cluster3: Cluster, job: str) -> None:
    host = cluster3.node(HOST)
    assert received_tables(host, job) == []
    assert [f for f in object_files(host) if f.startswith(f"{job}/")] == []
    assert transfer_records(cluster3, job) == 0
    guest = cluster3.client(job, "guest", GUEST, VARIABLES)
    with pytest.raises(TransferRefused, match=f"job {job} has ended on this node"):
        guest.remote("late", "guest_share", "late", [("host", HOST)])
    assert received_tables(host, job) == [] and [f for f in object_files(host) if f.startswith(f"{job}/")] == []
    with pytest.raises(JobEnded, match=f"job {job} has ended on this node"):
        cluster3.client(job, "host", HOST, VARIABLES).get("guest_share", "object", [("guest", GUEST)], timeout=5)


def test_a_job_that_ends_on_a_node_leaves_nothing_it_received_there(cluster3: Cluster) -> None:
    job = toy_job_on_host(cluster3, GUEST, HOST)
    receive_on_host(cluster3, job)
    assert job_state(cluster3, HOST, job, job_token(job))
    stop_job_on(cluster3.node(HOST), job)
    assert_nothing_received_and_no_more_taken(cluster3, job)
    assert not job_state(cluster3, HOST, job, job_token(job))
    # the job stays known with its token: a late stop is taken (and changes nothing)
    assert node_db_rows(cluster3.node(HOST), "SELECT f_token FROM t_job_token WHERE f_job_id = ?", job) == \
        [(job_token(job),)]
    stop_job_on(cluster3.node(HOST), job)


def test_clean_job_removes_what_the_job_received(cluster3: Cluster) -> None:
    job = toy_job_on_host(cluster3, GUEST, HOST)
    receive_on_host(cluster3, job)
    with open_channel(cluster3.node(HOST).local_target) as channel:
        reply = flow_pb2_grpc.FlowStub(channel).CleanJob(flow_pb2.ComponentRef(job_id=job), timeout=RPC_TIMEOUT)
    assert [(t.namespace, t.table_name) for t in reply.deleted] == \
        [(f"federation.{job}", f"guest_share.table.guest.{GUEST}.host.{HOST}")]
    assert_nothing_received_and_no_more_taken(cluster3, job)


def test_job_state_is_told_only_with_the_job_s_token(cluster3: Cluster) -> None:
    job = job_id("job_state")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    assert job_state(cluster3, HOST, job, job_token(job))
    for token, words in ((None, ["does not carry the token", job]), ("0" * 32, ["does not carry the token", job])):
        with pytest.raises(grpc.RpcError) as caught:
            job_state(cluster3, HOST, job, token)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert all(word in caught.value.details() for word in words), caught.value.details()
    unknown = job_id("never_registered")
    with pytest.raises(grpc.RpcError) as caught:
        job_state(cluster3, HOST, unknown, job_token(unknown))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert caught.value.details() == f"job {unknown} is not known to this node"
