"""HeteroFeatureBinning in a predict job: the trained model's split points (and the guest's WOE) replayed on new
rows, with the transform it was trained with. No party sends anything."""

from __future__ import annotations

from fate_runtime.components.binning import model
from fate_runtime.components.binning.columns import BinningColumns
from fate_runtime.components.binning.split_points import SplitPoints
from fate_runtime.components.binning.steps import MODULE, save_output
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.instances import header
from storage.computing import ComputingTable


def own_model(ctx: ComponentContext, module: str) -> dict[str, bytes]:
    """The model this component saved when trained; ValueError when the model version holds none."""
    buffers = ctx.models.inputs("model").get(ctx.component)
    if buffers is None:
        raise ValueError(f"{ctx.component} ({module}) has no trained model for {ctx.role} {ctx.party_id} in this "
                         "model version")
    return buffers


def predict(ctx: ComponentContext, table: ComputingTable) -> None:
    trained = model.trained(own_model(ctx, MODULE), ctx.component)
    if header(table) != trained.header:
        raise ValueError(f"the input's columns differ from those {ctx.component} was trained on")
    names = [trained.header[column] for column in trained.transformed]
    missing = [name for name in names if name not in trained.columns]
    if missing:
        raise ValueError(f"the model of {ctx.component} has no split points of column {missing[0]!r}")
    columns = BinningColumns(tuple(trained.header), tuple(trained.transformed), frozenset(),
                             tuple(trained.transformed))
    points = SplitPoints.of([list(trained.columns[name].split_points) for name in names])
    woe = [list(trained.columns[name].woe_array) for name in names] if ctx.role == "guest" else None
    save_output(ctx, table, trained.transform_type, columns, points, woe)
