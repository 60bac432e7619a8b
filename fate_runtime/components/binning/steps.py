"""What both roles of HeteroFeatureBinning do: read the input, choose columns and split points, write the output."""

from __future__ import annotations

from fate_runtime.components.binning.columns import BinningColumns, binning_columns
from fate_runtime.components.binning.split_points import SplitPoints, fit_split_points
from fate_runtime.components.binning.transform import BIN_NUM, WOE, transformed
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.instances import header
from storage.computing import ComputingTable

MODULE = "HeteroFeatureBinning"


def input_table(ctx: ComponentContext, module: str) -> ComputingTable:
    """The component's input data (FATE's `input.data.data`); ValueError when it is missing, empty or has no
    feature columns."""
    tables = ctx.inputs.get("data") or [table for found in ctx.inputs.values() for table in found]
    if not tables:
        raise ValueError(f"{module} of {ctx.role} {ctx.party_id} has no input data")
    table = tables[0]
    if not table.count():
        raise ValueError(f"the input table of {module} of {ctx.role} {ctx.party_id} has no rows")
    if not header(table):
        raise ValueError(f"the input table of {module} of {ctx.role} {ctx.party_id} has no feature columns")
    return table


def fitted(ctx: ComponentContext, table: ComputingTable) -> tuple[BinningColumns, SplitPoints]:
    """The columns the parameters choose and their split points."""
    columns = binning_columns(header(table), ctx.params)
    points = fit_split_points(table, columns, ctx.params)
    ctx.log.info("%s %s: split points of %d columns (%s)", ctx.role, ctx.party_id, len(columns.binned),
                 ctx.params["method"])
    return columns, points


def save_output(ctx: ComponentContext, table: ComputingTable, transform_type: str | None, columns: BinningColumns,
                points: SplitPoints, woe: list[list[float]] | None) -> None:
    """The output data: the input with the transformed columns as bin indexes (`points` and `woe` are per binned
    column) or their WOE, as asked; the input unchanged for no transform, or for WOE where the party has none."""
    namespace, name = ctx.output_name("data")
    if columns.transformed and (transform_type == BIN_NUM or (transform_type == WOE and woe is not None)):
        positions = [columns.binned.index(column) for column in columns.transformed]
        chosen_woe = [woe[position] for position in positions] if transform_type == WOE and woe else None
        output = transformed(table, list(columns.transformed), points.subset(positions), chosen_woe, namespace, name)
    else:
        if transform_type == WOE:
            ctx.log.info("WOE is known to the guest only: the %s's output keeps its values", ctx.role)
        output = table.save_as(name, namespace=namespace)
    ctx.tracker.save_output_data("data", output)
