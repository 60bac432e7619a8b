"""Online serving's gRPC services, thin translators over fate_runtime.serving.

InferenceService (FATE-Serving's contract): the body's JSON to the guest's inference, its reply back as JSON; on the
peer port, under TLS, only for callers whose certificate names one of the node's own parties.
HostScoring (the peer port): a guest's PartialScores call to the host party it names on this node, the caller
being the party its TLS certificate names (without TLS, the guest party the request gives).
"""

from __future__ import annotations

import json
from typing import Any, Callable

import grpc

from fate_runtime.serving.errors import MODEL_NULL
from fate_runtime.serving.guest import GuestInference
from fate_runtime.serving.host import HostReply, HostScoring
from fate_runtime.serving.serde import query_of, reply_message
from federation.tls import peer_party
from protos import inference_service_pb2 as inference_pb
from protos import inference_service_pb2_grpc, serving_federation_pb2, serving_federation_pb2_grpc


def _message(reply: dict[str, Any]) -> inference_pb.InferenceMessage:
    return inference_pb.InferenceMessage(body=json.dumps(reply).encode())


class InferenceServicer(inference_service_pb2_grpc.InferenceServiceServicer):
    def __init__(self, guest: GuestInference) -> None:
        self._guest = guest

    def inference(self, request: inference_pb.InferenceMessage,
                  context: grpc.ServicerContext) -> inference_pb.InferenceMessage:
        return _message(self._guest.inference(request.body))

    def batchInference(self, request: inference_pb.InferenceMessage,
                       context: grpc.ServicerContext) -> inference_pb.InferenceMessage:
        return _message(self._guest.batch_inference(request.body))


class OwnCallersInferenceServicer(InferenceServicer):
    """InferenceService on the peer port, for the guest's own clients: under TLS the caller's certificate must name a
    party of this node (another organisation could otherwise probe the guest's model with features it chose)."""

    def __init__(self, guest: GuestInference, is_own: Callable[[str], bool]) -> None:
        super().__init__(guest)
        self._is_own = is_own

    def _check_caller(self, context: grpc.ServicerContext) -> None:
        caller = peer_party(context)
        if caller is not None and not self._is_own(caller):
            context.abort(grpc.StatusCode.PERMISSION_DENIED,
                          f"party {caller} may not ask this node for inference; only its own parties' clients may")

    def inference(self, request: inference_pb.InferenceMessage,
                  context: grpc.ServicerContext) -> inference_pb.InferenceMessage:
        self._check_caller(context)
        return super().inference(request, context)

    def batchInference(self, request: inference_pb.InferenceMessage,
                       context: grpc.ServicerContext) -> inference_pb.InferenceMessage:
        self._check_caller(context)
        return super().batchInference(request, context)


class HostScoringServicer(serving_federation_pb2_grpc.HostScoringServicer):
    def __init__(self, hosts: Callable[[str], HostScoring | None]) -> None:
        self._hosts = hosts

    def PartialScores(self, request: serving_federation_pb2.PartialScoresRequest,
                      context: grpc.ServicerContext) -> serving_federation_pb2.PartialScoresReply:
        scoring = self._hosts(request.host_party_id)
        if scoring is None:
            return reply_message(HostReply(MODEL_NULL, f"this node serves no host party {request.host_party_id}"))
        caller = peer_party(context) or request.guest_party_id
        return reply_message(scoring.partial_scores(query_of(request), caller))
