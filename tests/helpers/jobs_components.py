"""Components for the job tests (the nodes load them with FATE_RUNTIME_COMPONENTS=jobs_components).

Wait: sleeps `seconds`, hands its first input table on as output "data" (a new one-row table
if it has none), logs when it ran as metric timing/window and unseeded random.random() and
numpy.random.random() as metric random/draw, saves a small model (WaitParam, a Struct), and prints one line to its stdout.
Fail: raises with `message` on the party whose role is `fail_role` (the others succeed).
MapWait: map_values (value + 1, sleeping so that each partition takes about `seconds`) over a table of
`rows` rows in `partitions` partitions, in the task's storage workers; its output "data" is the result,
metric map/sum the sum of its values.
"""

from __future__ import annotations

import operator
import random
import time

import numpy.random  # imported when the zygote loads the components: its state is forked with it
from google.protobuf.struct_pb2 import Struct

from fate_runtime.components import ComponentContext, ComponentSpec, Param

ROLES = ("guest", "host", "arbiter")


def struct(fields: dict) -> Struct:
    """A model buffer for the test components: a protobuf Struct of plain values."""
    message = Struct()
    message.update(fields)
    return message


def run_wait(ctx: ComponentContext) -> None:
    started = time.time()
    print(f"{ctx.component} waits {ctx.params['seconds']} s", flush=True)  # lands in task_process.log
    time.sleep(ctx.params["seconds"])
    tables = [table for tables in ctx.inputs.values() for table in tables]
    if tables:
        output = tables[0]
    else:
        output = ctx.output_table("data", 2)
        output.put_all([(ctx.role, ctx.party_id)])
    ctx.tracker.save_output_data("data", output)
    ctx.tracker.log_metric_data("timing", "window", [("start", started), ("end", time.time())])
    ctx.tracker.set_metric_meta("timing", "window", {"metric_type": "TIMING", "name": "window"})
    ctx.tracker.log_metric_data("random", "draw", [("python", random.random()), ("numpy", float(numpy.random.random()))])
    ctx.models.save({"WaitParam": struct({"seconds": ctx.params["seconds"], "rows": output.count()})})


def run_fail(ctx: ComponentContext) -> None:
    if ctx.role == ctx.params["fail_role"]:
        raise RuntimeError(ctx.params["message"])


def run_map_wait(ctx: ComponentContext) -> None:
    table = ctx.store.temporary(ctx.params["partitions"])
    table.put_all((i, i) for i in range(ctx.params["rows"]))
    delay = ctx.params["seconds"] * ctx.params["partitions"] / ctx.params["rows"]

    def slow_plus_one(value: int) -> int:
        time.sleep(delay)
        return value + 1

    namespace, name = ctx.output_name("data")
    output = table.map_values(slow_plus_one, namespace=namespace, name=name)
    ctx.tracker.save_output_data("data", output)
    ctx.tracker.log_metric_data("map", "sum", [("sum", output.reduce(operator.add))])


WAIT = ComponentSpec(module="Wait", roles=ROLES, params={"seconds": Param(float, 0.0, minimum=0.0)},
                     variables=(), run=run_wait)
FAIL = ComponentSpec(module="Fail", roles=ROLES,
                     params={"fail_role": Param(str, "host", choices=ROLES), "message": Param(str, "planned failure")},
                     variables=(), run=run_fail)
MAP_WAIT = ComponentSpec(module="MapWait", roles=ROLES,
                         params={"seconds": Param(float, 0.5, minimum=0.0), "partitions": Param(int, 8, minimum=1),
                                 "rows": Param(int, 20_000, minimum=1)},
                         variables=(), run=run_map_wait)
SPECS = (WAIT, FAIL, MAP_WAIT)
