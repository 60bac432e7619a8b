"""DataIO (FATE's module): a party's uploaded table - one delimited string per id - as an id -> Instance table.

Privacy: DataIO runs on each party alone; it sends nothing and learns nothing from anyone. Its model (kept
on the party) holds the column names and, per column, the value that replaced missing cells or outliers
(a statistic of the party's own column when the method is min, max or mean) and the share of cells replaced.
Errors name a row's id and a column, never a value.

Training reads its parameters (FATE 1.2's DataIOParam) and saves DataIOMeta + DataIOParam; a predict job, or a
DataIO given a DataIO model as input, replays that model instead: same columns in the same order, same
replacement values. The output is always dense float64 features (`output_format` "sparse" is kept in the model
only). FATE runs DataIO for guests and hosts; an arbiter has no data and no DataIO task.
"""

from __future__ import annotations

from typing import Any, Callable

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.dataio import dense, sparse
from fate_runtime.components.dataio.params import PARAMS
from fate_runtime.components.dataio.settings import Settings, find_model, from_model, from_params, to_model
from fate_runtime.components.spec import ComponentSpec
from storage.computing import ComputingTable

# input_format -> (fit: the fitted settings and the row reader, replay: the row reader of a trained model)
FORMATS: dict[str, tuple[Callable[[ComputingTable, Settings], tuple[Settings, Any]],
                         Callable[[ComputingTable, Settings], Any]]] = {
    "dense": (dense.fit, dense.replay),
    "sparse": (sparse.fit_svmlight, sparse.replay_svmlight),
    "tag": (sparse.fit_tags, sparse.replay_tags),
}


def _schema(settings: Settings) -> dict[str, Any]:
    schema: dict[str, Any] = {"header": list(settings.header), "sid_name": settings.sid_name}
    if settings.with_label:
        schema["label_name"] = settings.label_name
    return schema


def run(ctx: ComponentContext) -> None:
    source = next((tables[0] for tables in ctx.inputs.values() if tables), None)
    if source is None:
        ctx.log.info("%s has no input table for %s %s: no output", ctx.component, ctx.role, ctx.party_id)
        return
    trained = find_model(ctx.models.inputs())
    if ctx.predicting and trained is None:
        raise ValueError(f"{ctx.component} has no trained DataIO model to read the eval data with")
    if trained is not None:
        settings = from_model(*trained)
        layout = FORMATS[settings.input_format][1](source, settings)
    else:
        settings, layout = FORMATS[ctx.params["input_format"]][0](source, from_params(ctx.params))
    if settings.output_format == "sparse":
        ctx.log.info("output_format sparse is kept in the model; the instances are dense")
    namespace, name = ctx.output_name("data")
    output = source.map_values(layout.instance, namespace=namespace, name=name)
    output.set_schema(_schema(settings))
    ctx.tracker.save_output_data("data", output)
    ctx.log.info("%s read %d rows of %d features", ctx.component, output.count(), len(settings.header))
    if not ctx.predicting:
        ctx.models.save(to_model(settings))


SPEC = ComponentSpec(
    module="DataIO",
    roles=("guest", "host"),
    params=PARAMS,
    variables=(),
    run=run,
    deploy=True,
)
