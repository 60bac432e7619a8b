"""HeteroFeatureSelection's run on either role: the filters in the order given, then the kept columns as output."""

from __future__ import annotations

from functools import partial

import numpy as np

from fate_runtime.components.binning.columns import chosen_columns
from fate_runtime.components.binning.predict import own_model
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.instances import Instance, header, with_schema
from fate_runtime.components.selection.iv_filters import guest_iv_filter, host_iv_filter
from fate_runtime.components.selection.local_filters import LOCAL_FILTERS
from fate_runtime.components.selection.model import FilterOutcome, model, trained_columns
from fate_runtime.components.selection.rounds import FilterRound
from fate_runtime.components.selection.statistics import ColumnStatistics
from storage.computing import ComputingTable

MODULE = "HeteroFeatureSelection"
GUEST = "guest"


def _kept_features(positions: np.ndarray, instance: Instance) -> Instance:
    return Instance(instance.features[positions], instance.label)


def save_output(ctx: ComponentContext, table: ComputingTable, kept: list[int]) -> None:
    """The input rows with the columns at positions `kept` only (the header likewise)."""
    names = header(table)
    namespace, name = ctx.output_name("data")
    if kept == list(range(len(names))):
        output = table.save_as(name, namespace=namespace)
    else:
        output = table.map_values(partial(_kept_features, np.asarray(kept, dtype=np.int64)), namespace=namespace,
                                  name=name)
    ctx.tracker.save_output_data("data", with_schema(output, [names[position] for position in kept], table))


def fit(ctx: ComponentContext, table: ComputingTable) -> None:
    params, names = ctx.params, header(table)
    judged = chosen_columns(names, params["select_col_indexes"], params["select_names"], "select_col_indexes",
                            "select_names")
    current = FilterRound.first(names, judged)
    first_judged = current.judged_names()
    statistics = ColumnStatistics(table, len(names))
    outcomes: list[FilterOutcome] = []
    for index, method in enumerate(params["filter_methods"]):
        if outcomes:
            current = current.next()
        hosts: list[FilterRound] = []
        if method in LOCAL_FILTERS:
            LOCAL_FILTERS[method](current, statistics, params)
        elif ctx.role == GUEST:
            hosts = guest_iv_filter(ctx, current, method, params, str(index))
        else:
            host_iv_filter(ctx, current, method, params, str(index))
        outcomes.append(FilterOutcome(method, current, hosts))
        ctx.log.info("filter %s kept %d of the %d columns it judged", method, len(current.kept), len(current.judged))
    kept = current.after() if outcomes else list(range(len(names)))
    save_output(ctx, table, kept)
    ctx.models.save(model(params, names, first_judged, outcomes, [names[position] for position in kept]))


def predict(ctx: ComponentContext, table: ComputingTable) -> None:
    """The columns the trained model kept; nothing is sent."""
    trained_header, kept = trained_columns(own_model(ctx, MODULE), ctx.component)
    if header(table) != trained_header:
        raise ValueError(f"the input's columns differ from those {ctx.component} was trained on")
    save_output(ctx, table, [position for position, name in enumerate(trained_header) if name in kept])
