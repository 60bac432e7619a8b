"""The one rule for identifiers, and the interceptor that applies it to every request of both gRPC servers."""

from __future__ import annotations

from concurrent import futures
from typing import Any, Iterator

import grpc
import pytest

from fate_runtime import identifiers
from fate_runtime.errors import BadRequest
from fate_runtime.node.identifier_check import IdentifierCheck, check_message
from protos import federation_pb2, flow_pb2, flow_pb2_grpc, scheduler_pb2, storage_pb2


@pytest.mark.parametrize("good", ["20261201000000000001", "2026120100000000000123", "9" * 40])
def test_job_ids_are_fates_digits(good):
    assert identifiers.job_id(good) == good


@pytest.mark.parametrize("bad", ["", "j1", "/etc/ssl", "../x", "2026120100000000000", "1" * 41, " 20261201000000000001",
                                 "20261201000000000001\n", "２０２６１２０１０００００００００００００１", None, 20261201000000000001])
def test_anything_else_is_not_a_job_id(bad):
    with pytest.raises(BadRequest, match="is not a job id"):
        identifiers.job_id(bad)


def test_party_ids_are_integers_as_text():
    assert identifiers.party_id(10000) == identifiers.party_id("10000") == "10000"
    assert identifiers.party_id(0) == "0"
    for bad in ("", "010000", "-1", "1e4", "10000 ", "²", "9" * 19, True, 1.0, "../x"):
        with pytest.raises(BadRequest, match="is not a party id"):
            identifiers.party_id(bad)


def test_roles_components_and_table_names():
    assert identifiers.role("arbiter") == "arbiter"
    with pytest.raises(BadRequest, match="is not a role"):
        identifiers.role("Guest")
    assert identifiers.component("hetero_lr-0") == "hetero_lr-0"
    for bad in ("a.b", "../x", "", "x" * 101, "-x"):
        with pytest.raises(BadRequest, match="is not a component name"):
            identifiers.component(bad)
    assert identifiers.table_part("experiment", "namespace") == "experiment"
    with pytest.raises(BadRequest, match="table_name '..' is not a table name"):
        identifiers.table_part("..", "table_name")
    long = "x" * 5000
    shown = str(pytest.raises(BadRequest, identifiers.party_id, long).value)
    assert len(shown) < 120, shown  # a huge value is not echoed whole


@pytest.mark.parametrize("good", ["arbiter-10000#guest-9999#host-10000#model", "guest-9999#host-10000_10001#model",
                                  "local-0#model"])
def test_model_ids_are_fates_roles_and_parties(good):
    assert identifiers.model_id(good) == good


@pytest.mark.parametrize("bad", ["", "model", "guest-9999#model#", "guest-9999/host-1#model", "../guest-1#model",
                                 "boss-1#model", "guest-01#model", "guest-1:host-2#model", "guest-1#model\n",
                                 "guest-" + "1" * 5000 + "#model", None, 1])
def test_anything_else_is_not_a_model_id(bad):
    with pytest.raises(BadRequest, match="is not a model id"):
        identifiers.model_id(bad)


@pytest.mark.parametrize("message, field", [
    (scheduler_pb2.TaskRef(job_id="20261201000000000001", component="../x", role="host", party_id="1"), "component"),
    (scheduler_pb2.JobStatusUpdate(job_id="20261201000000000001", current_steps=["ok_0", "a/b"]), "current_steps"),
    (federation_pb2.TransferChunk(header=federation_pb2.TransferHeader(
        job_id="20261201000000000001", src=federation_pb2.Party(role="guest", party_id="../1"))), "party_id"),
    (scheduler_pb2.JobRegistration(job_id="20261201000000000001",
                                   roles={"guest": scheduler_pb2.PartyIds(party_ids=["1", "x"])}), "party_ids"),
    (scheduler_pb2.JobRegistration(job_id="20261201000000000001",
                                   roles={"../guest": scheduler_pb2.PartyIds(party_ids=["1"])}), "role"),
    (flow_pb2.JobQuery(filters={"job_id": "/etc", "status": "running"}), "job_id"),
    (flow_pb2.JobQuery(filters={"dsl": "{" + "x" * 5000}), "dsl"),
    (flow_pb2.UploadChunk(settings=flow_pb2.UploadSettings(namespace="ns", table_name="..")), "table_name"),
    (flow_pb2.UpdateJobRequest(job_id="20261201000000000001", role="guest", party_id="1", notes="n" * 10_001),
     "notes"),
    (storage_pb2.PutBatch(table=storage_pb2.TableRef(namespace="ns", name="t" * 4097)), "name"),
])
def test_every_message_is_walked_down_to_the_field_at_fault(message, field):
    with pytest.raises(BadRequest) as caught:
        check_message(message)
    assert str(caught.value).startswith(field), caught.value


def test_valid_messages_and_free_form_parts_pass():
    check_message(scheduler_pb2.JobSpec(job_id="20261201000000000001", dsl_json="{" * 100 + "x" * 100_000,
                                        conf_json="{}", token="t"))
    check_message(flow_pb2.JobQuery(filters={"job_id": "20261201000000000001", "role": "guest", "party_id": "9999",
                                             "status": "success"}))
    # a JSON column's value (FATE's query_job compares it whole): a list of steps is no component name
    check_message(flow_pb2.JobQuery(filters={"current_steps": '["hetero_lr_0"]', "roles": '{"guest": [9999]}'}))
    header = ",".join(f"x{i}" for i in range(5000))  # a wide table's schema is not bounded like a name
    table = storage_pb2.CreateTableRequest(table=storage_pb2.TableRef(namespace="ns", name="t"), partitions=2)
    table.schema.update({"header": header})
    check_message(table)
    check_message(flow_pb2.UpdateJobRequest(job_id="20261201000000000001", role="guest", party_id="1",
                                            notes="n" * 10_000))


class _Echo(flow_pb2_grpc.FlowServicer):
    """Answers what the interceptor lets through (so a refusal shows the servicer was never reached)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def StopJob(self, request: Any, context: grpc.ServicerContext) -> flow_pb2.StopJobReply:  # noqa: N802
        self.seen.append(request)
        return flow_pb2.StopJobReply(status="ok")

    def JobLog(self, request: Any, context: grpc.ServicerContext) -> Iterator[flow_pb2.FileChunk]:  # noqa: N802
        self.seen.append(request)
        yield flow_pb2.FileChunk(data=b"log")

    def Upload(self, requests: Iterator[Any], context: grpc.ServicerContext) -> flow_pb2.UploadReply:  # noqa: N802
        chunks = list(requests)
        self.seen.append(chunks[0])
        return flow_pb2.UploadReply(count=len(chunks))


@pytest.fixture
def echo() -> Iterator[tuple[_Echo, flow_pb2_grpc.FlowStub]]:
    servicer = _Echo()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), interceptors=[IdentifierCheck()])
    flow_pb2_grpc.add_FlowServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield servicer, flow_pb2_grpc.FlowStub(channel)
    channel.close()
    server.stop(0).wait()


def test_the_interceptor_refuses_before_the_servicer_runs(echo):
    servicer, stub = echo
    for call in (lambda: stub.StopJob(flow_pb2.JobRef(job_id="../x"), timeout=10),
                 lambda: list(stub.JobLog(flow_pb2.JobRef(job_id="/etc/ssl"), timeout=10)),
                 lambda: stub.Upload(iter([flow_pb2.UploadChunk(settings=flow_pb2.UploadSettings(namespace="..")),
                                           flow_pb2.UploadChunk(data=b"x")]), timeout=10)):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "is not a" in caught.value.details()
    assert servicer.seen == []


def test_the_interceptor_lets_good_calls_through_whole(echo):
    servicer, stub = echo
    assert stub.StopJob(flow_pb2.JobRef(job_id="20261201000000000001"), timeout=10).status == "ok"
    assert [c.data for c in stub.JobLog(flow_pb2.JobRef(job_id="20261201000000000001"), timeout=10)] == [b"log"]
    chunks = [flow_pb2.UploadChunk(settings=flow_pb2.UploadSettings(namespace="ns", table_name="t"))]
    chunks += [flow_pb2.UploadChunk(data=b"row")] * 3
    assert stub.Upload(iter(chunks), timeout=10).count == 4  # the first message is not lost
    assert len(servicer.seen) == 3
