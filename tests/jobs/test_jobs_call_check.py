"""The peer port's JobCallCheck interceptor, on an in-process server in front of a servicer that records its calls:
WatchJob, StartTask, UpdateJob and StopJob reach the servicer only with the job's token (and under TLS only from
the job's initiator); CheckJob and CreateJob pass on to the servicer, which checks their creator itself."""

from __future__ import annotations

from concurrent import futures
from pathlib import Path
from typing import Any, Callable, Iterator

import grpc
import pytest

from fate_runtime import dsl
from fate_runtime.jobs.control_auth import ControlAuth
from fate_runtime.node.job_call_check import JobCallCheck
from fate_runtime.state.db import Database
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.job_store import JobStore
from federation import TlsConfig, TransferVariable, open_channel
from federation_helpers import CertificateAuthority
from jobs_helpers import GUEST, HOST, toy_conf, toy_dsl
from protos import scheduler_pb2 as spb
from protos import scheduler_pb2_grpc

JOB, OTHER_JOB = "20261201000000000001", "20261201000000000002"
TOKEN = "a" * 32
OUTSIDER = "10001"


class Recorder(scheduler_pb2_grpc.SchedulerServicer):
    """Answers every call and records which ones reached it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def _called(self, name: str, reply: Any) -> Any:
        self.calls.append(name)
        return reply

    def CheckJob(self, request: Any, context: Any) -> Any:
        return self._called("CheckJob", spb.CheckReply())

    def CreateJob(self, request: Any, context: Any) -> Any:
        return self._called("CreateJob", spb.CreateReply())

    def WatchJob(self, request: Any, context: Any) -> Iterator[spb.TaskEvent]:
        yield self._called("WatchJob", spb.TaskEvent(status="running"))

    def StartTask(self, request: Any, context: Any) -> Any:
        return self._called("StartTask", spb.Ack())

    def UpdateJob(self, request: Any, context: Any) -> Any:
        return self._called("UpdateJob", spb.Ack())

    def StopJob(self, request: Any, context: Any) -> Any:
        return self._called("StopJob", spb.Ack())


def _job_calls(job: str) -> dict[str, tuple[str, Any]]:
    return {"WatchJob": ("WatchJob", spb.WatchRequest(job_id=job)),
            "StartTask": ("StartTask", spb.TaskRef(job_id=job, component="secure_add_example_0", role="host",
                                                   party_id=HOST)),
            "UpdateJob": ("UpdateJob", spb.JobStatusUpdate(job_id=job, status="running")),
            "StopJob": ("StopJob", spb.StopRequest(job_id=job, status="canceled"))}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TlsConfig]:
    authority = CertificateAuthority(tmp_path_factory.mktemp("pki"), "calls")
    return {party: authority.issue(party) for party in (GUEST, HOST, OUTSIDER)}


@pytest.fixture(params=["plain", "tls"])
def peer(request: pytest.FixtureRequest, tmp_path: Path,
         certs: dict[str, TlsConfig]) -> Iterator[tuple[Callable[[str], grpc.Channel], Recorder]]:
    """A host node's peer port that knows JOB (initiated by the guest, token TOKEN): (a channel as a party's - under
    TLS with that party's certificate -, the servicer's record)."""
    db = Database(str(tmp_path / "db" / "fate_flow.db"))
    jobs, registry = JobStore(db, str(tmp_path / "data")), JobRegistry(db)
    plan = dsl.parse(toy_dsl(), toy_conf(GUEST, HOST, 1))
    registry.register(JOB, plan.roles, [TransferVariable("x", "guest", ("host",))], TOKEN)
    jobs.create(JOB, plan, [("host", HOST)])
    recorder = Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         interceptors=[JobCallCheck(ControlAuth(jobs, registry, frozenset({HOST})))])
    scheduler_pb2_grpc.add_SchedulerServicer_to_server(recorder, server)
    tls = request.param == "tls"
    address = "127.0.0.1:0"
    port = server.add_secure_port(address, certs[HOST].server_credentials()) if tls else server.add_insecure_port(address)
    server.start()
    try:
        yield (lambda party: open_channel(f"127.0.0.1:{port}", certs[party] if tls else None, HOST)), recorder
    finally:
        server.stop(0)


def _call(channel: grpc.Channel, method: str, request: Any, token: str | None) -> None:
    stub = scheduler_pb2_grpc.SchedulerStub(channel)
    result = getattr(stub, method)(request, timeout=30, metadata=(("job-token", token),) if token else None)
    if method == "WatchJob":
        list(result)


def _refused(channel: grpc.Channel, method: str, request: Any, token: str | None, code: grpc.StatusCode,
             message: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _call(channel, method, request, token)
    assert (caught.value.code(), caught.value.details()) == (code, message)


def test_a_call_about_a_job_needs_the_job_s_token(peer) -> None:
    channel_as, recorder = peer
    with channel_as(GUEST) as channel:
        for method, request in _job_calls(JOB).values():
            for token in (None, "b" * 32, TOKEN[:-1]):
                _refused(channel, method, request, token, grpc.StatusCode.PERMISSION_DENIED,
                         f"the call does not carry the token of job {JOB}")
            _refused(channel, *_job_calls(OTHER_JOB)[method], TOKEN, grpc.StatusCode.NOT_FOUND,
                     f"job {OTHER_JOB} is not known to this node")
        assert recorder.calls == []
        for method, request in _job_calls(JOB).values():
            _call(channel, method, request, TOKEN)
    assert recorder.calls == ["WatchJob", "StartTask", "UpdateJob", "StopJob"]


@pytest.mark.parametrize("peer", ["tls"], indirect=True)
def test_under_tls_only_the_initiator_s_certificate_drives_a_job(peer) -> None:
    channel_as, recorder = peer
    for party in (HOST, OUTSIDER):
        with channel_as(party) as channel:
            for method, request in _job_calls(JOB).values():
                _refused(channel, method, request, TOKEN, grpc.StatusCode.PERMISSION_DENIED,
                         f"party {party} is not the initiator of job {JOB} (party {GUEST})")
    assert recorder.calls == []


def test_check_and_create_are_left_to_the_servicer(peer) -> None:
    channel_as, recorder = peer
    spec = spb.JobSpec(job_id=OTHER_JOB)
    with channel_as(OUTSIDER) as channel:
        stub = scheduler_pb2_grpc.SchedulerStub(channel)
        stub.CheckJob(spec, timeout=30)
        stub.CreateJob(spec, timeout=30)
    assert recorder.calls == ["CheckJob", "CreateJob"]
