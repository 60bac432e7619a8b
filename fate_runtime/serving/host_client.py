"""The guest's client of its hosts' HostScoring service: one channel per host party over the node's route table
(and TLS, where the host must prove the party it serves); a call that fails becomes HostUnreachable, its gRPC
details kept for the log."""

from __future__ import annotations

import threading

import grpc

from fate_runtime.serving.guest import HostUnreachable
from fate_runtime.serving.host import HostQuery, HostReply
from fate_runtime.serving.serde import query_message, reply_of
from federation.channels import open_channel
from federation.errors import FederationError
from federation.routes import RouteTable
from federation.tls import TlsConfig
from protos import serving_federation_pb2_grpc

HOST_TIMEOUT = 5.0  # seconds a host has to answer one call


class GrpcHosts:
    """Asks hosts for their partial scores (a HostCall)."""

    def __init__(self, routes: RouteTable, tls: TlsConfig | None = None, timeout: float = HOST_TIMEOUT) -> None:
        self._routes = routes
        self._tls = tls
        self._timeout = timeout
        self._stubs: dict[str, tuple[grpc.Channel, serving_federation_pb2_grpc.HostScoringStub]] = {}
        self._lock = threading.Lock()

    def _stub(self, party_id: str) -> serving_federation_pb2_grpc.HostScoringStub:
        with self._lock:
            if party_id not in self._stubs:
                try:
                    address = self._routes.address_of(party_id)
                except FederationError as exc:
                    raise HostUnreachable(str(exc)) from None
                channel = open_channel(address, self._tls, party_id)
                self._stubs[party_id] = channel, serving_federation_pb2_grpc.HostScoringStub(channel)
            return self._stubs[party_id][1]

    def __call__(self, party_id: str, query: HostQuery) -> HostReply:
        stub = self._stub(party_id)
        try:
            return reply_of(stub.PartialScores(query_message(query, party_id), timeout=self._timeout))
        except grpc.RpcError as exc:
            raise HostUnreachable(f"{exc.code()}: {exc.details()}") from None

    def close(self) -> None:
        with self._lock:
            for channel, _ in self._stubs.values():
                channel.close()
            self._stubs.clear()
