"""Reader (DSL v2): a party's input table, named in its parameters, as the component's output data.

A party whose parameters name no table (typically the arbiter) has no output.
"""

from __future__ import annotations

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.spec import ComponentSpec, Param


def run(ctx: ComponentContext) -> None:
    source = ctx.params["table"]
    if not source:  # e.g. the arbiter of a v2 job: FATE's confs name tables for guest and host only
        ctx.log.info("%s names no table for %s %s: no output", ctx.component, ctx.role, ctx.party_id)
        return
    table = ctx.store.table(str(source.get("namespace", "")), str(source.get("name", "")))
    namespace, name = ctx.output_name("data")
    ctx.tracker.save_output_data("data", table.save_as(name, namespace=namespace))
    ctx.tracker.log_metric_data("reader", "table_info", [("count", table.count()), ("partitions", table.partitions)])


SPEC = ComponentSpec(
    module="Reader",
    roles=("guest", "host", "arbiter", "local"),
    params={"table": Param(dict, {})},
    variables=(),
    run=run,
    deploy=True,
)
