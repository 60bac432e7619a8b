"""Online serving over real gRPC on loopback (no node): FATE-Serving's InferenceService on the guest, HostScoring on
the host's peer server, the guest's client of its hosts, and the node's assembly over bound model versions."""

from __future__ import annotations

import contextlib
import json
import socket
from concurrent import futures
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest

from fate_runtime.node.serving_servicers import HostScoringServicer, InferenceServicer
from fate_runtime.serving.guest import GuestInference
from fate_runtime.serving.host_client import GrpcHosts
from fate_runtime.serving.node_serving import NodeServing
from fate_runtime.state.db import Database
from fate_runtime.state.model_versions import ModelVersions, VersionKey
from federation.routes import RouteTable
from protos import inference_service_pb2 as inference_pb
from protos import inference_service_pb2_grpc, serving_federation_pb2, serving_federation_pb2_grpc
from seed_models import GUEST, HOST, SeedModels
from serving_parties import SERVICE, case, host_scoring, request

KEYS = ("133", "134", "300")


@contextlib.contextmanager
def serving(servicers: list[Any]) -> Iterator[str]:
    """A gRPC server of `servicers` on a free loopback port; yields its address."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    for servicer in servicers:
        if isinstance(servicer, InferenceServicer):
            inference_service_pb2_grpc.add_InferenceServiceServicer_to_server(servicer, server)
        else:
            serving_federation_pb2_grpc.add_HostScoringServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(None)


def unused_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def infer(address: str, body: dict[str, Any], batch: bool = False) -> dict[str, Any]:
    with grpc.insecure_channel(address) as channel:
        stub = inference_service_pb2_grpc.InferenceServiceStub(channel)
        call = stub.batchInference if batch else stub.inference
        return dict(json.loads(call(inference_pb.InferenceMessage(body=json.dumps(body).encode())).body))


def guest_servicer(seed: SeedModels, routes: dict[str, str]) -> InferenceServicer:
    hosts = GrpcHosts(RouteTable([], "", routes), timeout=2.0)
    return InferenceServicer(GuestInference(lambda service_id: seed.guest if service_id == SERVICE else None, hosts,
                                            f"guest {GUEST[1]}"))


def test_the_guest_scores_over_grpc_as_the_batch_predict_job(seed: SeedModels) -> None:
    host = HostScoringServicer(lambda party_id: host_scoring(seed) if party_id == HOST[1] else None)
    with serving([host]) as host_address:
        with serving([guest_servicer(seed, {HOST[1]: host_address})]) as guest_address:
            for key in KEYS:
                reply = infer(guest_address, request(seed, key))
                assert reply["retcode"] == 0
                assert reply["data"]["score"] == pytest.approx(seed.batch_scores[key][0], abs=1e-9, rel=0)
            batch = infer(guest_address, {"serviceId": SERVICE, "batchDataList": [case(seed, key) for key in KEYS]},
                          batch=True)
            assert [r["data"]["label"] for r in batch["batchDataList"]] == [seed.batch_scores[k][1] for k in KEYS]


def test_a_host_that_is_down_or_has_no_route_is_named_and_the_guest_answers_on(seed: SeedModels) -> None:
    for routes in ({HOST[1]: unused_address()}, {}):
        with serving([guest_servicer(seed, routes)]) as guest_address:
            for _ in range(2):
                reply = infer(guest_address, request(seed, KEYS[0]))
                assert (reply["retcode"], reply["retmsg"]) == (105, f"host 10000 did not answer for service {SERVICE}")


def test_a_host_answers_only_the_guest_party_and_only_for_its_parties(seed: SeedModels) -> None:
    host = HostScoringServicer(lambda party_id: host_scoring(seed) if party_id == HOST[1] else None)
    base = serving_federation_pb2.PartialScoresRequest(
        service_id=SERVICE, model_id=seed.host.model_id, model_version=seed.host.model_version, host_party_id=HOST[1],
        guest_party_id=GUEST[1], cases=[serving_federation_pb2.RemoteFeatures(values={"id": KEYS[0]})])
    with serving([host]) as address, grpc.insecure_channel(address) as channel:
        stub = serving_federation_pb2_grpc.HostScoringStub(channel)
        assert stub.PartialScores(base).scores[0].retcode == 0
        base.guest_party_id = "8888"  # (without TLS the request names its guest)
        assert stub.PartialScores(base).retcode == 121
        base.host_party_id = "7"
        assert (stub.PartialScores(base).retcode, stub.PartialScores(base).retmsg) == (
            104, "this node serves no host party 7")


def test_a_node_serves_the_model_versions_bound_on_its_parties(seed: SeedModels, tmp_path: Path) -> None:
    versions = ModelVersions(Database(str(tmp_path / "fate_flow.db")))
    for model in (seed.guest, seed.host):
        key = VersionKey(model.model_id, model.model_version, model.role, model.party_id)
        versions.put(model)
        versions.load(key)
        if model is seed.guest:
            versions.bind(SERVICE, key)
    routes = RouteTable([GUEST[1], HOST[1]], "", {})
    with contextlib.ExitStack() as stack:
        node: list[NodeServing] = []
        address = stack.enter_context(serving([HostScoringServicer(lambda party_id: node[0].host(party_id))]))
        hosts = GrpcHosts(RouteTable([GUEST[1], HOST[1]], address), timeout=2.0)
        node.append(NodeServing(versions, seed.host_store, hosts, routes.is_local))
        refused = node[0].guest.inference(request(seed, KEYS[0]))
        assert (refused["retcode"], refused["retmsg"]) == (104, f"service {SERVICE} is not bound on host 10000")
        versions.bind(SERVICE, VersionKey(seed.host.model_id, seed.host.model_version, "host", HOST[1]))
        reply = node[0].guest.inference(request(seed, KEYS[0]))
        assert reply["data"]["score"] == pytest.approx(seed.batch_scores[KEYS[0]][0], abs=1e-9, rel=0)
        unknown = node[0].guest.inference({**request(seed, KEYS[0]), "serviceId": "nope"})
        assert unknown["retmsg"] == "service id nope is not bound on any guest party of this node"
        hosts.close()
