"""A component that does nothing, for measuring scheduling alone (FATE_RUNTIME_COMPONENTS=noop_component).

It hands its first input table on as its output (a new empty table if it has none), so that
components after it find an output to read.
"""

from fate_runtime.components import ComponentContext, ComponentSpec


def run(ctx: ComponentContext) -> None:
    tables = [table for tables in ctx.inputs.values() for table in tables]
    ctx.tracker.save_output_data("data", tables[0] if tables else ctx.output_table("data", 1))


SPEC = ComponentSpec(module="NoOp", roles=("guest", "host", "arbiter"), params={}, variables=(), run=run)
