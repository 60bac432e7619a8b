"""Attacks on the peer port, replayed against a guest + host cluster without TLS and with mutual TLS.

What a third process that reaches a node's gRPC port could do before: read a host table's raw rows
(Storage.Scan), add rows (Storage.Put), read directories (Flow.JobLog), stop a job on one party and
mark it "success" on another (Scheduler.StopJob/UpdateJob), and - with a party's valid certificate -
rewrite another party's running job or create directories anywhere (Scheduler.CreateJob with a
crafted job id). Each is refused now, and nothing changes on the node.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest

from federation import TlsConfig, open_channel
from federation_helpers import CertificateAuthority
from integration_helpers import assert_readable
from integration_helpers import NodeProcess
from jobs_helpers import (GUEST, HOST, job_rows, job_token, parties_conf, running_cluster, submitted, task_rows,
                          wait_dsl, wait_job, wait_tasks_running)
from protos import (federation_pb2, federation_pb2_grpc, flow_pb2, flow_pb2_grpc, scheduler_pb2, scheduler_pb2_grpc,
                    storage_pb2, storage_pb2_grpc)
from storage import encode

pytestmark = pytest.mark.integration

OUTSIDER = "10001"  # a party of no job below (certified by the same CA in the TLS cluster)
TABLE = ("secret_ns", "host_rows")


def _refused(call: Any, request: Any, code: grpc.StatusCode, *words: str, token: str | None = None) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        result = call(request, timeout=30, metadata=(("job-token", token),) if token else None)
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            list(result)  # a server stream fails when it is read
    assert caught.value.code() == code, caught.value
    message = caught.value.details() or ""
    assert_readable(message)
    for word in words:
        assert word in message, message
    return message


def _upload_host_table(host: NodeProcess, tmp: Path) -> None:
    data = host.files / "host_rows.csv"
    data.write_text("id,x\n" + "".join(f"{i},{i * 7}\n" for i in range(20)))
    conf = tmp / "upload.json"
    conf.write_text(json.dumps({"file": str(data), "head": 1, "partition": 2, "work_mode": 1,
                                "namespace": TABLE[0], "table_name": TABLE[1]}))
    code, reply = host.cli("-f", "upload", "-c", str(conf))
    assert code == 0, reply


@pytest.fixture(scope="module", params=["plain", "tls"])
def cluster(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, NodeProcess], dict[str, TlsConfig]]]:
    """Guest and host nodes (cluster mode), with the host holding a table; under TLS, certificates for both
    and for an outsider of the same CA."""
    base = tmp_path_factory.mktemp(f"peer_{request.param}")
    certs: dict[str, TlsConfig] = {}
    extra: dict[str, list[str]] = {}
    if request.param == "tls":
        authority = CertificateAuthority(base / "pki", "peer")
        certs = {party: authority.issue(party) for party in (GUEST, HOST, OUTSIDER)}
        extra = {party: ["--tls-cert", certs[party].cert, "--tls-key", certs[party].key, "--tls-ca", certs[party].ca]
                 for party in (GUEST, HOST)}
    with running_cluster(base, (GUEST, HOST), extra) as nodes:
        _upload_host_table(nodes[HOST], base)
        yield nodes, certs


@pytest.fixture
def running_job(cluster: tuple[dict[str, NodeProcess], dict[str, TlsConfig]], tmp_path: Path) -> Iterator[str]:
    """A guest-initiated job whose tasks run for a while (stopped by its initiator afterwards)."""
    nodes, _ = cluster
    job = submitted(nodes[GUEST].node, tmp_path, wait_dsl(("wait_0", [])),
                    parties_conf(GUEST, HOST, work_mode=1, algorithm={"wait_0": {"seconds": 60}}))
    wait_tasks_running(nodes[HOST].node, job, 1)
    yield job
    nodes[GUEST].cli("-f", "stop_job", "-j", job)
    wait_job(nodes[GUEST].node, job)


def _peer(nodes: dict[str, NodeProcess], certs: dict[str, TlsConfig], party: str = HOST,
          as_party: str = OUTSIDER) -> grpc.Channel:
    """A channel to `party`'s peer port as a third process would open it (under TLS: `as_party`'s certificate)."""
    address = f"127.0.0.1:{nodes[party].grpc_port}"
    return open_channel(address, certs[as_party], party) if certs else open_channel(address)


def test_a_cluster_node_without_tls_says_what_protects_its_peer_port(cluster) -> None:
    nodes, certs = cluster
    for node in nodes.values():
        said = [line for line in node.server.output.splitlines() if "runs without TLS" in line]
        if certs:
            assert said == [], said
        else:
            assert said == [f"fate-flow: note: the peer port 127.0.0.1:{node.grpc_port} runs without TLS: a call "
                            "about a job needs only the job's token, which travels in clear text; keep the port on "
                            "a network the parties trust or add --tls-cert, --tls-key and --tls-ca (README: "
                            "Security model)"], said


def test_the_peer_port_serves_no_storage_flow_or_task_calls(cluster) -> None:
    """Attack 3: Storage.Scan/Put and Flow.JobLog from another process; the host's rows stay home."""
    nodes, certs = cluster
    as_parties = [OUTSIDER, GUEST, HOST] if certs else [OUTSIDER]
    for as_party in as_parties:  # under TLS even the node's own certificate finds no local service there
        with _peer(nodes, certs, HOST, as_party) as channel:
            storage = storage_pb2_grpc.StorageStub(channel)
            ref = storage_pb2.TableRef(namespace=TABLE[0], name=TABLE[1])
            _refused(storage.Scan, storage_pb2.ScanRequest(table=ref), grpc.StatusCode.UNIMPLEMENTED)
            put = iter([storage_pb2.PutBatch(table=ref, keys=[encode("999")], values=[encode("stolen")])])
            _refused(storage.Put, put, grpc.StatusCode.UNIMPLEMENTED)
            flow = flow_pb2_grpc.FlowStub(channel)
            _refused(flow.JobLog, flow_pb2.JobRef(job_id="20261201000000000001"), grpc.StatusCode.UNIMPLEMENTED)
            _refused(flow.QueryJob, flow_pb2.JobQuery(), grpc.StatusCode.UNIMPLEMENTED)
            await_request = federation_pb2.AwaitRequest(job_id="20261201000000000001", name="x", tag="t",
                                                        timeout_seconds=0.1)
            _refused(federation_pb2_grpc.LocalFederationStub(channel).Await, await_request,
                     grpc.StatusCode.UNIMPLEMENTED)
    assert nodes[HOST].node.table_count(*TABLE) == 20


def test_a_job_cannot_be_stopped_or_marked_done_without_its_token(cluster, running_job: str) -> None:
    """Attack 3: StopJob on the guest and UpdateJob "success" on the host from a third process."""
    nodes, certs = cluster
    job = running_job
    for party in (GUEST, HOST):
        with _peer(nodes, certs, party) as channel:
            scheduler = scheduler_pb2_grpc.SchedulerStub(channel)
            stop = scheduler_pb2.StopRequest(job_id=job, status="canceled", retmsg="rogue")
            update = scheduler_pb2.JobStatusUpdate(job_id=job, status="success", progress=100, retmsg="rogue")
            start = scheduler_pb2.TaskRef(job_id=job, component="wait_0", role="host", party_id=HOST)
            for call, request in ((scheduler.StopJob, stop), (scheduler.UpdateJob, update),
                                  (scheduler.StartTask, start)):
                _refused(call, request, grpc.StatusCode.PERMISSION_DENIED, "token", job)
                _refused(call, request, grpc.StatusCode.PERMISSION_DENIED, "token", job, token="0" * 32)
            _refused(scheduler.WatchJob, scheduler_pb2.WatchRequest(job_id=job), grpc.StatusCode.PERMISSION_DENIED,
                     "token")
    for party in (GUEST, HOST):
        assert [row["f_status"] for row in job_rows(nodes[party].node, job)] == ["running"]
        assert [task["f_status"] for task in task_rows(nodes[party].node, job)] == ["running"]


def test_a_party_knowing_the_token_drives_the_job_only_without_tls(cluster, running_job: str) -> None:
    """The trust model, both ways (README, "Security model"): the host knows the job's token. Under TLS its
    certificate is not the initiator's, so it cannot stop the guest's job on the guest's node; without TLS
    the token is all a caller shows, so it can."""
    nodes, certs = cluster
    token = job_token(nodes[HOST].node, running_job)
    stop = scheduler_pb2.StopRequest(job_id=running_job, status="canceled", retmsg="stopped by the host")
    with _peer(nodes, certs, GUEST, HOST) as channel:
        scheduler = scheduler_pb2_grpc.SchedulerStub(channel)
        if certs:
            _refused(scheduler.StopJob, stop, grpc.StatusCode.PERMISSION_DENIED, HOST, GUEST, token=token)
        else:
            scheduler.StopJob(stop, timeout=30, metadata=(("job-token", token),))
    expected = "running" if certs else "canceled"
    assert [row["f_status"] for row in job_rows(nodes[GUEST].node, running_job)] == [expected]


def test_a_running_job_cannot_be_created_again_over_it(cluster, running_job: str) -> None:
    """Attack 2: CreateJob with a running job's id and another conf, from the host (its certificate under TLS)."""
    nodes, certs = cluster
    job = running_job
    before = job_rows(nodes[GUEST].node, job)
    conf_file = nodes[GUEST].data_dir / "jobs" / job / "job_runtime_conf.json"
    conf_before = conf_file.read_text()
    rogue_conf = parties_conf(HOST, GUEST, work_mode=1, algorithm={"wait_0": {"seconds": 0}})
    rogue_conf["initiator"] = {"role": "guest", "party_id": int(HOST)}
    spec = scheduler_pb2.JobSpec(job_id=job, dsl_json=json.dumps(wait_dsl(("wait_0", []))),
                                 conf_json=json.dumps(rogue_conf), token=job_token(nodes[HOST].node, job))
    with _peer(nodes, certs, GUEST, HOST) as channel:
        scheduler = scheduler_pb2_grpc.SchedulerStub(channel)
        message = _refused(scheduler.CreateJob, spec, grpc.StatusCode.ALREADY_EXISTS, job)
        assert "exists already" in message
    assert conf_file.read_text() == conf_before
    after = job_rows(nodes[GUEST].node, job)
    assert [(r["f_role"], r["f_runtime_conf"], r["f_status"]) for r in after] == \
        [(r["f_role"], r["f_runtime_conf"], "running") for r in before]


@pytest.mark.parametrize("bad_id", ["/abs/dir", "../../../x", "job_1", "2026", "20261201000000000001/..", ""])
def test_crafted_job_ids_are_refused_and_create_nothing(cluster, bad_id: str, tmp_path: Path) -> None:
    """Attack 2: job_id "/abs/dir" or "../../../x" created those directories with two JSON files in them."""
    nodes, certs = cluster
    target = tmp_path / "made_by_attacker"
    job_id = str(target) if bad_id == "/abs/dir" else bad_id
    conf = parties_conf(HOST, GUEST, work_mode=1)
    spec = scheduler_pb2.JobSpec(job_id=job_id, dsl_json=json.dumps(wait_dsl(("wait_0", []))),
                                 conf_json=json.dumps(conf), token="t")
    with _peer(nodes, certs, GUEST, HOST) as channel:
        scheduler = scheduler_pb2_grpc.SchedulerStub(channel)
        for call in (scheduler.CheckJob, scheduler.CreateJob):
            _refused(call, spec, grpc.StatusCode.INVALID_ARGUMENT, "job_id", "is not a job id")
    assert not target.exists()
    data = nodes[GUEST].data_dir
    assert not (data.parent / "x").exists() and not (data / "jobs" / "job_1").exists()
    assert not any("made_by_attacker" in str(p) for p in data.rglob("*"))


@pytest.mark.parametrize("party, words", [
    ("../x", ["'../x'", "not a party id"]),
    ("10000\x00", ["not a party id"]),
    ("9" * 5000, ["not a party id"]),
    ("-1", ["not a party id"]),
])
def test_party_ids_from_a_peer_are_validated_where_they_enter(cluster, party: str, words: list[str]) -> None:
    """Attack 6: a peer's `../x` party shared a log directory, a deeper `../` wrote outside the data dir,
    NUL or 5,000-digit ids failed later with a generic error."""
    nodes, certs = cluster
    conf = parties_conf(HOST, GUEST, work_mode=1)
    conf["role"]["host"] = [party]
    spec = scheduler_pb2.JobSpec(job_id="20261201000000000077", dsl_json=json.dumps(wait_dsl(("wait_0", []))),
                                 conf_json=json.dumps(conf), token="t")
    task = scheduler_pb2.TaskRef(job_id="20261201000000000077", component="wait_0", role="host", party_id=party)
    with _peer(nodes, certs, GUEST, HOST) as channel:
        scheduler = scheduler_pb2_grpc.SchedulerStub(channel)
        _refused(scheduler.CreateJob, spec, grpc.StatusCode.INVALID_ARGUMENT, *words)
        _refused(scheduler.StartTask, task, grpc.StatusCode.INVALID_ARGUMENT, *words)
        header = federation_pb2.TransferHeader(job_id="20261201000000000077", name="x", tag="t",
                                               src=federation_pb2.Party(role="host", party_id=party),
                                               dst=federation_pb2.Party(role="guest", party_id=GUEST),
                                               kind=federation_pb2.OBJECT, total_bytes=1)
        push = iter([federation_pb2.TransferChunk(header=header), federation_pb2.TransferChunk(object_data=b"x")])
        _refused(federation_pb2_grpc.FederationStub(channel).Push, push, grpc.StatusCode.INVALID_ARGUMENT, *words)
    logs = nodes[GUEST].data_dir / "logs"
    assert not (logs.parent / "x").exists() and not (nodes[GUEST].data_dir.parent / "INFO.log").exists()
    assert not (nodes[GUEST].data_dir / "jobs" / "20261201000000000077").exists()


def test_a_job_naming_this_node_as_initiator_comes_only_from_this_node(cluster) -> None:
    """Without TLS anyone could name the guest's own party as initiator; the guest's node only accepts
    such a job from its own scheduler."""
    nodes, certs = cluster
    conf = parties_conf(GUEST, HOST, work_mode=1)
    spec = scheduler_pb2.JobSpec(job_id="20261201000000000088", dsl_json=json.dumps(wait_dsl(("wait_0", []))),
                                 conf_json=json.dumps(conf), token="t")
    as_party = GUEST if certs else OUTSIDER  # under TLS: even with the guest's own certificate
    with _peer(nodes, certs, GUEST, as_party) as channel:
        scheduler = scheduler_pb2_grpc.SchedulerStub(channel)
        for call in (scheduler.CheckJob, scheduler.CreateJob):
            _refused(call, spec, grpc.StatusCode.PERMISSION_DENIED, "did not submit it")
    assert nodes[GUEST].post("/v1/job/query", json={"job_id": spec.job_id}).json()["retcode"] == 101


def test_a_push_without_the_job_s_token_is_refused(cluster, running_job: str) -> None:
    nodes, certs = cluster
    header = federation_pb2.TransferHeader(job_id=running_job, name="x", tag="t",
                                           src=federation_pb2.Party(role="guest", party_id=GUEST),
                                           dst=federation_pb2.Party(role="host", party_id=HOST),
                                           kind=federation_pb2.OBJECT, total_bytes=1)
    chunks = [federation_pb2.TransferChunk(header=header), federation_pb2.TransferChunk(object_data=b"x")]
    with _peer(nodes, certs, HOST, GUEST) as channel:
        push = federation_pb2_grpc.FederationStub(channel).Push
        _refused(push, iter(chunks), grpc.StatusCode.PERMISSION_DENIED, "token", running_job)
        _refused(push, iter(chunks), grpc.StatusCode.PERMISSION_DENIED, "token", token="f" * 32)
