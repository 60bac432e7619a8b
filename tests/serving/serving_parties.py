"""A guest and a host of the seed model wired to each other in one process: the host's answers cross the
PartialScores protobuf messages as they would over gRPC; the host may be swapped for a failing one."""

from __future__ import annotations

from typing import Any, Callable

from fate_runtime.models import PartyModel
from fate_runtime.serving.guest import GuestInference, HostCall
from fate_runtime.serving.host import HostBinding, HostQuery, HostReply, HostScoring
from fate_runtime.serving.serde import query_message, query_of, reply_message, reply_of
from seed_models import GUEST, HOST, SeedModels

SERVICE = "breast-lr"


def over_the_wire(host: HostScoring, caller: str | None = None) -> HostCall:
    """Asks `host` as the node's client would (the caller: the guest the query names, unless given)."""

    def ask(party_id: str, query: HostQuery) -> HostReply:
        assert party_id == HOST[1]
        received = query_of(query_message(query, party_id))
        return reply_of(reply_message(host.partial_scores(received, caller or received.guest_party_id)))

    return ask


def host_scoring(seed: SeedModels, model: PartyModel | None = None, service: str = SERVICE) -> HostScoring:
    binding = HostBinding(model or seed.host, seed.host_table)
    return HostScoring(HOST[1], lambda service_id: binding if service_id == service else None)


def guest_inference(seed: SeedModels, ask_host: HostCall | None = None,
                    bound: Callable[[str], PartyModel | None] | None = None) -> GuestInference:
    return GuestInference(bound or (lambda service_id: seed.guest if service_id == SERVICE else None),
                          ask_host or over_the_wire(host_scoring(seed)), f"guest {GUEST[1]}")


def case(seed: SeedModels, key: str, **changed: Any) -> dict[str, Any]:
    """One case of FATE-Serving's request: the guest's features of `key` and the id the host finds its own by."""
    return {"featureData": {**seed.guest_rows[key], **changed}, "sendToRemoteFeatureData": {"id": key}}


def request(seed: SeedModels, key: str, **changed: Any) -> dict[str, Any]:
    return {"serviceId": SERVICE, "caseid": f"case-{key}", **case(seed, key, **changed)}
