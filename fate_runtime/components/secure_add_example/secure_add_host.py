"""The host's side of the toy example (FATE's SecureAddHost): it adds its shares and sends the sums to the guest."""

from __future__ import annotations

from operator import add
from typing import Any

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.secure_add_example.shares import GUEST


def run(ctx: ComponentContext, kept: Any, sent: Any) -> None:
    ctx.federation.remote(sent, "host_share", 0, ctx.parties(GUEST))
    guest_share = ctx.federation.get("guest_share", 0, ctx.parties(GUEST))[0]
    ctx.federation.remote(kept.join(guest_share, add), "host_sum", 0, ctx.parties(GUEST))
    ctx.log.info("sent the sums of its shares to the guest")
