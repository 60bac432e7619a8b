"""The route table: which gRPC address serves which party id."""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from federation.errors import FederationError

_ADDRESS = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


def parse_route(text: str) -> tuple[str, str]:
    """'10000=127.0.0.1:9461' -> ('10000', '127.0.0.1:9461')."""
    party, sep, address = text.partition("=")
    party, address = party.strip(), address.strip()
    if not sep or not party or not _ADDRESS.match(address):
        raise FederationError(f"route {text!r} must look like PARTY_ID=HOST:PORT")
    return party, address


class RouteTable:
    """Party id -> address; the node's own parties are reached at its own address."""

    def __init__(self, local_parties: Iterable[str], local_address: str,
                 routes: Mapping[str, str] | None = None, standalone: bool = False) -> None:
        self.local_parties = frozenset(str(p) for p in local_parties)
        self.local_address = local_address
        self.standalone = standalone
        self._routes = {str(k): v for k, v in (routes or {}).items()}
        for party, address in self._routes.items():
            parse_route(f"{party}={address}")

    def is_local(self, party_id: str) -> bool:
        return self.standalone or str(party_id) in self.local_parties

    def address_of(self, party_id: str) -> str:
        """The gRPC address serving `party_id`; FederationError if there is no route."""
        party_id = str(party_id)
        if self.is_local(party_id):
            return self.local_address
        if party_id not in self._routes:
            raise FederationError(f"there is no route to party {party_id}")
        return self._routes[party_id]

    def known(self, party_id: str) -> bool:
        return self.is_local(party_id) or str(party_id) in self._routes
