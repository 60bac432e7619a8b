"""FATE's toy example, SecureAddExample: guest and host add their secret numbers by secret sharing.

Each party holds `data_num` ones (its secret table). Each splits every value into two random
shares, keeps one and sends the other to the other party; each adds the shares it holds;
the host sends its sums to the guest, which adds everything up. Neither party sees the
other's values, only random shares; the guest checks the total is 2 x data_num.
"""

from __future__ import annotations

import random
from operator import add
from typing import Any

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.spec import ComponentSpec, Param
from federation import TransferVariable
from storage import MAX_PARTITIONS

GUEST, HOST = "guest", "host"
VARIABLES = (TransferVariable("guest_share", GUEST, (HOST,)),
             TransferVariable("host_share", HOST, (GUEST,)),
             TransferVariable("host_sum", HOST, (GUEST,)))


def _split(value: float) -> tuple[float, float]:
    first = random.uniform(-abs(value) - 1.0, abs(value) + 1.0)
    return first, value - first


def _first(shares: tuple[float, float]) -> float:
    return shares[0]


def _second(shares: tuple[float, float]) -> float:
    return shares[1]


def _secret_shares(ctx: ComponentContext) -> tuple[Any, Any]:
    random.seed(ctx.params["seed"])
    secret = ctx.output_table("secret", ctx.params["partition"])
    secret.put_all((i, 1.0) for i in range(ctx.params["data_num"]))
    shares = secret.map_values(_split)
    kept, sent = shares.map_values(_first), shares.map_values(_second)
    for table in (secret, shares):
        table.destroy()
    return kept, sent


def run(ctx: ComponentContext) -> None:
    kept, sent = _secret_shares(ctx)
    if ctx.role == GUEST:
        ctx.federation.remote(sent, "guest_share", 0, ctx.parties(HOST))
        host_share = ctx.federation.get("host_share", 0, ctx.parties(HOST))[0]
        guest_sum = kept.join(host_share, add)
        host_sum = ctx.federation.get("host_sum", 0, ctx.parties(HOST))[0]
        total = guest_sum.join(host_sum, add).reduce(add) or 0.0
        expected = 2.0 * guest_sum.count()
        ctx.log.info("secure sum is %s (expected %s)", total, expected)
        ctx.tracker.log_metric_data("secure_add", "result", [("secure_sum", total), ("expected", expected)])
        ctx.tracker.set_metric_meta("secure_add", "result", {"metric_type": "SECURE_ADD", "name": "result"})
        if abs(total - expected) > 1e-6 * max(1.0, expected):
            raise RuntimeError(f"the secure sum {total} differs from the expected {expected}")
    else:
        ctx.federation.remote(sent, "host_share", 0, ctx.parties(GUEST))
        guest_share = ctx.federation.get("guest_share", 0, ctx.parties(GUEST))[0]
        ctx.federation.remote(kept.join(guest_share, add), "host_sum", 0, ctx.parties(GUEST))


SPEC = ComponentSpec(
    module="SecureAddExample",
    roles=(GUEST, HOST),
    params={"seed": Param(int, 123), "partition": Param(int, 1, minimum=1, maximum=MAX_PARTITIONS),
            "data_num": Param(int, 1000, minimum=1, maximum=10**9)},
    variables=VARIABLES,
    run=run,
    required_roles=(GUEST, HOST),
)
