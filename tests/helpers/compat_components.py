"""A component for the compat tests (their node loads it with FATE_RUNTIME_COMPONENTS=compat_components).

CompatPause: sleeps `seconds` (long enough to keep a job running, or 0), then saves a small
model (PauseParam) naming its party, so `flow component output-model` has something to show.
"""

from __future__ import annotations

import time

from fate_runtime.components import ComponentContext, ComponentSpec, Param
from jobs_components import struct


def run_pause(ctx: ComponentContext) -> None:
    time.sleep(ctx.params["seconds"])
    ctx.models.save({"PauseParam": struct({"seconds": ctx.params["seconds"], "label": ctx.params["label"],
                                           "role": ctx.role, "party_id": ctx.party_id})})


SPEC = ComponentSpec(module="CompatPause", roles=("guest", "host"),
                     params={"seconds": Param(float, 0.0, minimum=0.0), "label": Param(str, "")},
                     variables=(), run=run_pause)
