"""The guest's side of the toy example (FATE's SecureAddGuest): it adds up every share and checks the sum."""

from __future__ import annotations

from operator import add
from typing import Any

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.secure_add_example.shares import HOST


def run(ctx: ComponentContext, kept: Any, sent: Any) -> None:
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
