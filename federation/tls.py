"""Mutual TLS between nodes: a node's certificate names its party id.

Convention: a node's certificate has common name `<party id>` and the DNS name
`party-<party id>`; both sides must present certificates signed by the shared CA. The
receiver takes the sender's party id from its certificate, never from the request.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import grpc

from federation.errors import FederationError


def server_name(party_id: str) -> str:
    """The DNS name a node serving `party_id` has in its certificate."""
    return f"party-{party_id}"


@dataclasses.dataclass(frozen=True)
class TlsConfig:
    """Paths to this node's certificate and key (PEM) and to the CA that signed every node's."""

    cert: str
    key: str
    ca: str

    def _read(self) -> tuple[bytes, bytes, bytes]:
        contents = []
        for label, path in (("certificate", self.cert), ("key", self.key), ("CA certificate", self.ca)):
            try:
                with open(path, "rb") as src:
                    contents.append(src.read())
            except OSError as exc:
                raise FederationError(f"TLS {label} {path} cannot be read: {exc.strerror}") from None
        return contents[0], contents[1], contents[2]

    def server_credentials(self) -> grpc.ServerCredentials:
        cert, key, ca = self._read()
        return grpc.ssl_server_credentials([(key, cert)], root_certificates=ca, require_client_auth=True)

    def channel_credentials(self) -> grpc.ChannelCredentials:
        cert, key, ca = self._read()
        return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)


def peer_party(context: grpc.ServicerContext) -> str | None:
    """The party id in the caller's certificate; None on a connection without TLS."""
    auth: Any = context.auth_context()  # (its values are lists of bytes, whatever the type stubs say)
    names = auth.get("x509_common_name") if auth else None
    return names[0].decode() if names else None
