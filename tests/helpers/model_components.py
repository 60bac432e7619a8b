"""Components that save and use models, for the model tests (nodes load them with FATE_RUNTIME_COMPONENTS).

Centre: in a training job, the mean of its input table's first column is its model (CentreParam, a Struct)
and its output is each value minus that mean; in a predict job, it subtracts the mean it saved when trained.
Recentre: adds back the mean of the Centre model its DSL names in `input.model` (or `isometric_model`).
Both run in predict jobs (deploy). Input values are CSV lines as uploaded ("1.5" or "1.5,...").
"""

from __future__ import annotations

from google.protobuf.struct_pb2 import Struct

from fate_runtime.components import ComponentContext, ComponentSpec
from fate_runtime.components.context import Buffers
from jobs_components import struct

ROLES = ("guest", "host")


def _first(value: object) -> float:
    return float(str(value).split(",")[0])


def _mean_of(buffers: Buffers) -> float:
    mean = Struct.FromString(buffers["CentreParam"])["mean"]
    assert isinstance(mean, float), mean
    return mean


def _shifted(ctx: ComponentContext, shift: float) -> None:
    (table,) = ctx.inputs["data"]
    output = table.map_values(lambda value: _first(value) + shift, namespace=ctx.output_name("data")[0],
                              name=ctx.output_name("data")[1])
    ctx.tracker.save_output_data("data", output)


def run_centre(ctx: ComponentContext) -> None:
    if ctx.predicting:
        mean = _mean_of(ctx.models.inputs("model")[ctx.component])
    else:
        (table,) = ctx.inputs["data"]
        values = [_first(value) for _, value in table.collect()]
        mean = sum(values) / len(values)
        ctx.models.save({"CentreMeta": struct({"column": 0}), "CentreParam": struct({"mean": mean})})
    ctx.tracker.log_metric_data("centre", "mean", [("mean", mean)])
    _shifted(ctx, -mean)


def run_recentre(ctx: ComponentContext) -> None:
    models = ctx.models.inputs("model") or ctx.models.inputs("isometric_model")
    (buffers,) = models.values()
    _shifted(ctx, _mean_of(buffers))


SPECS = (ComponentSpec(module="Centre", roles=ROLES, params={}, variables=(), run=run_centre, deploy=True),
         ComponentSpec(module="Recentre", roles=ROLES, params={}, variables=(), run=run_recentre, deploy=True))
