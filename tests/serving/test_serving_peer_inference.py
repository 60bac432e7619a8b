"""InferenceService on a node's peer port, under mutual TLS: the guest's own clients (a certificate naming one of
the node's parties) are answered; another organisation's certificate is refused before anything is scored."""

from __future__ import annotations

import json
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from fate_runtime.node.serving_servicers import OwnCallersInferenceServicer
from federation.channels import open_channel
from federation_helpers import CertificateAuthority
from protos import inference_service_pb2 as inference_pb
from protos import inference_service_pb2_grpc
from seed_models import GUEST, HOST, SeedModels
from serving_parties import guest_inference, request


def test_only_the_node_s_own_parties_may_ask_its_peer_port_for_inference(seed: SeedModels, tmp_path: Path) -> None:
    authority = CertificateAuthority(tmp_path, "serving")
    own, other = authority.issue(GUEST[1]), authority.issue(HOST[1])
    guest = guest_inference(seed)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = OwnCallersInferenceServicer(guest, lambda party: party == GUEST[1])
    inference_service_pb2_grpc.add_InferenceServiceServicer_to_server(servicer, server)
    port = server.add_secure_port("127.0.0.1:0", own.server_credentials())
    server.start()
    body = inference_pb.InferenceMessage(body=json.dumps(request(seed, "133")).encode())
    try:
        with open_channel(f"127.0.0.1:{port}", own, GUEST[1]) as channel:
            reply = json.loads(inference_service_pb2_grpc.InferenceServiceStub(channel).inference(body).body)
            assert reply["data"]["score"] == pytest.approx(seed.batch_scores["133"][0], abs=1e-9, rel=0)
        with open_channel(f"127.0.0.1:{port}", other, GUEST[1]) as channel:
            stub = inference_service_pb2_grpc.InferenceServiceStub(channel)
            for call in (stub.inference, stub.batchInference):
                with pytest.raises(grpc.RpcError) as refused:
                    call(body)
                assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
                assert refused.value.details() == \
                    f"party {HOST[1]} may not ask this node for inference; only its own parties' clients may"
    finally:
        server.stop(None)
