"""RSA blind-signature intersection, FATE 1.2's protocol: each host owns an RSA key; the guest learns which of its
ids every host has, comparing signatures it cannot make with ids it never shows.

1. Each host makes a key pair and sends the guest its public key (n, e).
2. Each host signs the hash of each of its ids and sends the guest the digests of those signatures (keyed by
   digest; the ids stay home).
3. The guest blinds the hash of each of its ids with a fresh random r (h r^e mod n, keyed by a random token)
   and sends them to the host, which signs them blind and sends the signatures back.
4. The guest divides r out (leaving the signature of h), digests it, and keeps the ids whose digests the host
   sent. With several hosts, the ids every host has.
5. Only with sync_intersect_ids: the guest sends each host the digests of the intersected ids (under that host's
   key), and the host maps them back to its own ids.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.intersection.outputs import check_overlap, common, save
from fate_runtime.crypto.rsa import (DEFAULT_KEY_LENGTH, RsaPublicKey, generate_rsa_keypair, id_hash, signature_digest,
                                     signed_id)
from federation import TransferVariable
from storage.computing import ComputingTable

GUEST, HOST = "guest", "host"
VARIABLES = (TransferVariable("rsa_pubkey", HOST, (GUEST,)),
             TransferVariable("intersect_host_ids_process", HOST, (GUEST,)),
             TransferVariable("intersect_guest_ids", GUEST, (HOST,)),
             TransferVariable("intersect_guest_ids_process", HOST, (GUEST,)),
             TransferVariable("intersect_ids", GUEST, (HOST,)))
TOKEN_BYTES = 16


def _blinded(key: RsaPublicKey, bits: int, sid: Any, _: Any) -> tuple[bytes, tuple[Any, int, int]]:
    r = key.blinding_factor(bits)
    return secrets.token_bytes(TOKEN_BYTES), (sid, r, key.blind(id_hash(sid), r))


def _unblinded(key: RsaPublicKey, pending: tuple[Any, int, int], signature: int) -> tuple[Any, str]:
    return pending[0], signature_digest(key.unblind(signature, pending[1]))


def run_host(ctx: ComponentContext, data: ComputingTable) -> None:
    guest = ctx.parties(GUEST)
    public_key, private_key = generate_rsa_keypair(DEFAULT_KEY_LENGTH)
    ctx.federation.remote({"n": public_key.n, "e": public_key.e}, "rsa_pubkey", 0, guest)
    own = data.with_heavy_rows().map(partial(signed_id, private_key))  # digest -> id
    ctx.federation.remote(own.map_values(lambda _: 1), "intersect_host_ids_process", 0, guest)
    blinded = ctx.federation.get("intersect_guest_ids", 0, guest)[0]  # token -> h r^e
    ctx.federation.remote(blinded.with_heavy_rows().map_values(private_key.sign), "intersect_guest_ids_process", 0, guest)
    ids = None
    if ctx.params["sync_intersect_ids"]:
        digests = ctx.federation.get("intersect_ids", 0, guest)[0]  # digest -> 1, of the intersection only
        ids = digests.join(own, lambda _, sid: sid).map(lambda _, sid: (sid, "id"))
    save(ctx, data, ids)


def run_guest(ctx: ComponentContext, data: ComputingTable) -> None:
    hosts = ctx.parties(HOST)
    keys = [RsaPublicKey(int(key["n"]), int(key["e"])) for key in ctx.federation.get("rsa_pubkey", 0, hosts)]
    pending = [data.with_heavy_rows().map(partial(_blinded, key, ctx.params["random_bit"])) for key in keys]
    for host, blinded in zip(hosts, pending):
        ctx.federation.remote(blinded.map_values(lambda row: row[2]), "intersect_guest_ids", 0, [host])
    host_digests = ctx.federation.get("intersect_host_ids_process", 0, hosts)  # per host: digest -> 1
    signatures = ctx.federation.get("intersect_guest_ids_process", 0, hosts)  # per host: token -> signature
    shared = []  # per host: digest -> id, the guest's ids the host has
    for key, blinded, signed, digests in zip(keys, pending, signatures, host_digests):
        mine = blinded.with_heavy_rows().join(signed, partial(_unblinded, key)).map(lambda _, pair: (pair[1], pair[0]))
        shared.append(mine.join(digests, lambda sid, _: sid))
    by_id = [table.map(lambda _, sid: (sid, 1)) for table in shared]
    ids = common(by_id)
    if ctx.params["sync_intersect_ids"]:  # (also when empty: hosts wait for it)
        for host, table in zip(hosts, shared):
            synced = table.map(lambda digest, sid: (sid, digest)).join(ids, lambda digest, _: digest)
            ctx.federation.remote(synced.map(lambda _, digest: (digest, 1)), "intersect_ids", 0, [host])
    check_overlap(ctx, hosts, by_id, ids)
    save(ctx, data, ids)
