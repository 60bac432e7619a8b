"""Intersection (FATE's module): the ids a guest shares with its hosts, and the guest's (and, synced, the hosts')
table restricted to them. Hosts may be several: the intersection is then the ids every host has.

Privacy, rsa (see rsa_protocol): a host sends its public key, the digests of its ids' signatures and blind
signatures of what the guest sent; the guest sends hashes of its ids blinded with fresh randomness. The guest
learns which of its ids each host has - never a host id outside the intersection, not even hashed; a host
learns how many ids the guest has and, only with sync_intersect_ids, which of its own ids are in the
intersection. Privacy, raw (see raw_protocol): the side that is not the join_role sends its ids (hashed with
encode_params if with_encode); the join_role learns them; the other side learns the intersection only with
sync_intersect_ids.

An intersection that is empty fails the job ("no ids overlap between guest 9999 and host 10000"), after every
party waiting for a result has received it (empty). The output keeps the input's schema; with only_output_key
each id's value is FATE's marker instead of its row. Nothing is cached between jobs: intersect_cache_param's
use_cache computes as without it.
"""

from __future__ import annotations

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.intersection import raw_protocol, rsa_protocol
from fate_runtime.components.intersection.params import PARAMS
from fate_runtime.components.spec import ComponentSpec

GUEST, HOST = "guest", "host"


def run(ctx: ComponentContext) -> None:
    data = next((tables[0] for tables in ctx.inputs.values() if tables), None)
    if data is None:
        raise ValueError(f"{ctx.component} has no input table for {ctx.role} {ctx.party_id}")
    if ctx.params["intersect_cache_param"]["use_cache"]:
        ctx.log.info("intersect_cache_param.use_cache: this runtime keeps no cache, the intersection is computed")
    protocol = rsa_protocol if ctx.params["intersect_method"] == "rsa" else raw_protocol
    (protocol.run_guest if ctx.role == GUEST else protocol.run_host)(ctx, data)


SPEC = ComponentSpec(
    module="Intersection",
    roles=(GUEST, HOST),
    params=PARAMS,
    variables=rsa_protocol.VARIABLES + raw_protocol.VARIABLES,
    run=run,
    required_roles=(GUEST, HOST),
    deploy=True,
)
