"""Raw intersection, FATE 1.2's: the party that is not the join_role sends its ids - hashed with encode_params
(salt appended, hex or base64 digest) when with_encode, else as they are - and the join_role intersects them
with its own.

- join_role guest: every host sends the guest its ids; the guest keeps the ids every host has and, with
  sync_intersect_ids, sends the intersection to every host.
- join_role host: the guest sends every host its ids; each host intersects and, with sync_intersect_ids, sends
  its intersection to the guest, which (several hosts) sends back the ids common to all.

The join_role sees the other side's ids, or their hashes - which anyone who knows the salt can recompute for a
guessed id: this method hides little; use rsa where that matters. Without sync_intersect_ids the sending side
learns nothing.
"""

from __future__ import annotations

import base64
import hashlib
from functools import partial
from typing import Any

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.intersection.outputs import check_overlap, common, no_overlap, save
from federation import TransferVariable
from storage.computing import ComputingTable

GUEST, HOST = "guest", "host"
VARIABLES = (TransferVariable("send_ids_guest", GUEST, (HOST,)),
             TransferVariable("send_ids_host", HOST, (GUEST,)),
             TransferVariable("intersect_ids_guest", GUEST, (HOST,)),
             TransferVariable("intersect_ids_host", HOST, (GUEST,)),
             TransferVariable("sync_intersect_ids_multi_hosts", GUEST, (HOST,)))
MARKER = "intersect_id"


def _encoded(method: str, salt: str, as_base64: bool, sid: Any, _: Any) -> tuple[str, Any]:
    digest = hashlib.new(method, f"{sid}{salt}".encode("utf-8"))
    return (base64.b64encode(digest.digest()).decode("ascii") if as_base64 else digest.hexdigest()), sid


class Ids:
    """A party's ids as they travel: encoded when the parameters say so, with the way back to the ids."""

    def __init__(self, ctx: ComponentContext, data: ComputingTable) -> None:
        encode = ctx.params["encode_params"]
        self.pairs: ComputingTable | None = None  # encoded -> id
        if ctx.params["with_encode"] and encode["encode_method"] != "none":
            self.pairs = data.map(partial(_encoded, encode["encode_method"], encode["salt"], encode["base64"]))
        self.sent = (self.pairs if self.pairs is not None else data).map_values(lambda _: 1)

    def decoded(self, intersection: ComputingTable) -> ComputingTable:
        """The ids of an intersection of encoded ids, valued as FATE's."""
        if self.pairs is None:
            return intersection
        return intersection.join(self.pairs, lambda _, sid: sid).map(lambda _, sid: (sid, MARKER))


def _joined(received: list[ComputingTable], own: ComputingTable) -> list[ComputingTable]:
    return [ids.join(own, lambda _, __: MARKER) for ids in received]


def run_guest(ctx: ComponentContext, data: ComputingTable) -> None:
    hosts, sync, ids = ctx.parties(HOST), ctx.params["sync_intersect_ids"], Ids(ctx, data)
    if ctx.params["join_role"] == GUEST:
        per_host = _joined(ctx.federation.get("send_ids_host", 0, hosts), ids.sent)
        found = common(per_host)
        if sync:  # (also when empty: hosts wait for it)
            ctx.federation.remote(found, "intersect_ids_guest", 0, hosts)
        check_overlap(ctx, hosts, per_host, found)
        save(ctx, data, ids.decoded(found))
        return
    ctx.federation.remote(ids.sent, "send_ids_guest", 0, hosts)
    if not sync:
        save(ctx, data, None)
        return
    per_host = ctx.federation.get("intersect_ids_host", 0, hosts)
    found = common(per_host)
    if len(hosts) > 1:
        ctx.federation.remote(found, "sync_intersect_ids_multi_hosts", 0, hosts)
    check_overlap(ctx, hosts, per_host, found)
    save(ctx, data, ids.decoded(found))


def run_host(ctx: ComponentContext, data: ComputingTable) -> None:
    guest, sync, ids = ctx.parties(GUEST), ctx.params["sync_intersect_ids"], Ids(ctx, data)
    if ctx.params["join_role"] == GUEST:
        ctx.federation.remote(ids.sent, "send_ids_host", 0, guest)
        found = ctx.federation.get("intersect_ids_guest", 0, guest)[0] if sync else None
        save(ctx, data, None if found is None else ids.decoded(found))
        return
    found = _joined(ctx.federation.get("send_ids_guest", 0, guest), ids.sent)[0]
    if sync:
        ctx.federation.remote(found, "intersect_ids_host", 0, guest)
    if found.count() == 0:
        raise no_overlap(ctx, [ctx.party_id])
    if sync and len(ctx.roles[HOST]) > 1:
        found = ctx.federation.get("sync_intersect_ids_multi_hosts", 0, guest)[0]
    save(ctx, data, ids.decoded(found))
