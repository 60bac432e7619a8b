"""What both parties of the toy example do first: make their secret table and split each value into two shares."""

from __future__ import annotations

import random
from typing import Any

from fate_runtime.components.context import ComponentContext

GUEST, HOST = "guest", "host"


def _split(value: float) -> tuple[float, float]:
    first = random.uniform(-abs(value) - 1.0, abs(value) + 1.0)
    return first, value - first


def _first(shares: tuple[float, float]) -> float:
    return shares[0]


def _second(shares: tuple[float, float]) -> float:
    return shares[1]


def secret_shares(ctx: ComponentContext) -> tuple[Any, Any]:
    """(the shares the party keeps, the shares it sends) of its `data_num` ones."""
    random.seed(ctx.params["seed"])
    secret = ctx.output_table("secret", ctx.params["partition"])
    secret.put_all((i, 1.0) for i in range(ctx.params["data_num"]))
    shares = secret.map_values(_split)
    kept, sent = shares.map_values(_first), shares.map_values(_second)
    for table in (secret, shares):
        table.destroy()
    return kept, sent
