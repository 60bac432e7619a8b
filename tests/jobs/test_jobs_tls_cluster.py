"""Jobs between cluster nodes speaking mutual TLS: the toy example runs, and only a job's initiator
drives it on another node (the party a caller's certificate names is checked)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import grpc
import pytest

from federation import TlsConfig, open_channel
from federation_helpers import CertificateAuthority
from integration_helpers import assert_readable
from integration_helpers import NodeProcess
from jobs_helpers import GUEST, HOST, job_rows, job_token, running_cluster, submitted, toy_conf, toy_dsl, wait_job
from protos import flow_pb2, flow_pb2_grpc, scheduler_pb2, scheduler_pb2_grpc, storage_pb2, storage_pb2_grpc

pytestmark = pytest.mark.integration  # every test here starts real nodes

OUTSIDER = "10001"  # certified by the same CA, but no party of the jobs below


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, NodeProcess], dict[str, TlsConfig], str]]:
    base = tmp_path_factory.mktemp("tls_jobs")
    authority = CertificateAuthority(base / "pki", "jobs")
    certs = {party: authority.issue(party) for party in (GUEST, HOST, OUTSIDER)}
    tls_args = {party: ["--tls-cert", certs[party].cert, "--tls-key", certs[party].key, "--tls-ca", certs[party].ca]
                for party in (GUEST, HOST)}
    with running_cluster(base, (GUEST, HOST), tls_args) as nodes:
        job = submitted(nodes[GUEST].node, base, toy_dsl(), toy_conf(GUEST, HOST, 1))
        wait_job(nodes[GUEST].node, job)
        wait_job(nodes[HOST].node, job)
        yield nodes, certs, job


def test_the_toy_example_runs_between_tls_nodes(tls_cluster) -> None:
    nodes, _, job = tls_cluster
    assert [(r["f_role"], r["f_status"]) for r in job_rows(nodes[GUEST].node, job)] == [("guest", "success")]
    assert [(r["f_role"], r["f_status"]) for r in job_rows(nodes[HOST].node, job)] == [("host", "success")]
    code, reply = nodes[GUEST].cli("-f", "component_metric_all", "-j", job, "-r", "guest", "-p", GUEST,
                                   "-cpn", "secure_add_example_0")
    assert code == 0, reply
    assert reply["data"]["secure_add"]["result"]["data"] == [["secure_sum", 2000.0], ["expected", 2000.0]]


def _host_scheduler(nodes: dict[str, NodeProcess], tls: TlsConfig) -> tuple[grpc.Channel, scheduler_pb2_grpc.SchedulerStub]:
    channel = open_channel(f"127.0.0.1:{nodes[HOST].grpc_port}", tls, HOST)
    return channel, scheduler_pb2_grpc.SchedulerStub(channel)


def _denied(call, request, *words: str, code: grpc.StatusCode = grpc.StatusCode.PERMISSION_DENIED,
            token: str | None = None) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=30, metadata=(("job-token", token),) if token else None)
    assert caught.value.code() == code, caught.value
    message = caught.value.details()
    assert_readable(message)
    for word in words:
        assert word in message, message


def test_only_the_initiator_may_stop_or_update_a_job(tls_cluster) -> None:
    """Without the job's token nobody may; with it (a party of the job knows it), only the initiator's certificate."""
    nodes, certs, job = tls_cluster
    token = job_token(nodes[HOST].node, job)
    channel, host = _host_scheduler(nodes, certs[OUTSIDER])
    with channel:
        stop = scheduler_pb2.StopRequest(job_id=job, status="canceled", retmsg="rogue")
        update = scheduler_pb2.JobStatusUpdate(job_id=job, status="failed", retmsg="rogue")
        start = scheduler_pb2.TaskRef(job_id=job, component="secure_add_example_0", role="host", party_id=HOST)
        for call, request in ((host.StopJob, stop), (host.UpdateJob, update), (host.StartTask, start)):
            _denied(call, request, "token", job)
            _denied(call, request, OUTSIDER, GUEST, job, token=token)
    channel, host = _host_scheduler(nodes, certs[HOST])  # the host itself is no initiator either
    with channel:
        _denied(host.StopJob, stop, HOST, GUEST, job, token=token)
    rows = job_rows(nodes[HOST].node, job)
    assert [(r["f_status"], r["f_retmsg"]) for r in rows] == [("success", "")]


def test_only_the_initiator_may_create_a_job(tls_cluster, tmp_path: Path) -> None:
    nodes, certs, _ = tls_cluster
    spec = scheduler_pb2.JobSpec(job_id="202611270000000000001", dsl_json=json.dumps(toy_dsl()),
                                 conf_json=json.dumps(toy_conf(GUEST, HOST, 1)), token="t")
    channel, host = _host_scheduler(nodes, certs[OUTSIDER])
    with channel:
        _denied(host.CheckJob, spec, OUTSIDER, GUEST)
        _denied(host.CreateJob, spec, OUTSIDER, GUEST)
    reply = nodes[HOST].post("/v1/job/query", json={"job_id": spec.job_id}).json()
    assert reply["retcode"] == 101, reply


def test_the_peer_port_serves_no_node_local_service(tls_cluster) -> None:
    """Flow, Storage, task reports and job registrations are on the node's local socket only: a peer port
    answers UNIMPLEMENTED even to a certificate of the node's own party."""
    nodes, certs, job = tls_cluster
    event = scheduler_pb2.TaskEvent(task=scheduler_pb2.TaskRef(job_id=job, component="secure_add_example_0",
                                                               role="host", party_id=HOST), status="failed")
    registration = scheduler_pb2.JobRegistration(
        job_id="202611270000000000002", token="t", roles={"guest": scheduler_pb2.PartyIds(party_ids=[GUEST]),
                                                          "host": scheduler_pb2.PartyIds(party_ids=[HOST])})
    unimplemented = grpc.StatusCode.UNIMPLEMENTED
    for party in (GUEST, HOST):
        with open_channel(f"127.0.0.1:{nodes[HOST].grpc_port}", certs[party], HOST) as channel:
            local = scheduler_pb2_grpc.LocalSchedulerStub(channel)
            _denied(local.ReportTask, event, code=unimplemented)
            _denied(local.RegisterJob, registration, code=unimplemented)
            _denied(flow_pb2_grpc.FlowStub(channel).StopJob, flow_pb2.JobRef(job_id=job), code=unimplemented)
            _denied(storage_pb2_grpc.StorageStub(channel).DescribeTable,
                    storage_pb2.TableRef(namespace="output." + job, name="x"), code=unimplemented)
    assert [(r["f_status"], r["f_retmsg"]) for r in job_rows(nodes[HOST].node, job)] == [("success", "")]
