"""Rsa (FATE 1.2's module): a party signs the ids of its id library with a given RSA key and saves them as a table.

Each id becomes `sha256(str(sign(int(sha256(str(id)), 16))))` - the digest a key holder's ids have in FATE's RSA
intersection - keyed by that digest with the id as its value, in the table save_out_table_namespace.
save_out_table_name (replaced if it exists). A party can so prepare its signed ids ahead of intersections.

Privacy: Rsa runs on one party alone and sends nothing; the key (rsa_key_n, rsa_key_e, rsa_key_d) comes from the
job's conf and never appears in a log line.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.params import ParameterError
from fate_runtime.components.spec import ComponentSpec, Param
from fate_runtime.crypto.rsa import RsaPrivateKey, signed_id


@dataclasses.dataclass(frozen=True)
class KeyNumber(Param):
    """A positive integer of the RSA key: refused without its value in the message (it may be the private key)."""

    kind: type = int
    default: Any = None
    nullable: bool = True

    def validate(self, path: str, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ParameterError(path, "must be a positive integer")
        return value


REQUIRED = ("rsa_key_n", "rsa_key_e", "rsa_key_d", "save_out_table_namespace", "save_out_table_name")


def _key(n: int, e: int, d: int) -> RsaPrivateKey:
    try:
        return RsaPrivateKey.from_exponents(n, e, d)
    except ValueError:
        raise ValueError("rsa_key_n, rsa_key_e and rsa_key_d are not one RSA key (d must be the private exponent of n and e)") from None


def run(ctx: ComponentContext) -> None:
    source = next((tables[0] for tables in ctx.inputs.values() if tables), None)
    if source is None:
        ctx.log.info("%s has no input table for %s %s: nothing to sign", ctx.component, ctx.role, ctx.party_id)
        return
    absent = [name for name in REQUIRED if ctx.params[name] in (None, "")]
    if absent:
        raise ValueError(f"{ctx.component} needs {', '.join(absent)} in its parameters")
    key = _key(ctx.params["rsa_key_n"], ctx.params["rsa_key_e"], ctx.params["rsa_key_d"])
    namespace, name = ctx.params["save_out_table_namespace"], ctx.params["save_out_table_name"]
    heavy = ctx.store.for_heavy_rows().table(source.namespace, source.name)  # (every row is an RSA signature)
    signed = heavy.map(partial(signed_id, key))
    signed.set_schema({})
    if ctx.store.exists(namespace, name):
        ctx.store.destroy(namespace, name)
    saved = signed.save_as(name, namespace=namespace)
    ctx.log.info("%s saved %d signed ids to %s.%s", ctx.component, saved.count(), namespace, name)


SPEC = ComponentSpec(
    module="Rsa",
    roles=("guest", "host"),
    params={"rsa_key_n": KeyNumber(), "rsa_key_e": KeyNumber(), "rsa_key_d": KeyNumber(),
            "save_out_table_namespace": Param(str, None, nullable=True),
            "save_out_table_name": Param(str, None, nullable=True)},
    variables=(),
    run=run,
)
