"""HeteroFeatureSelection's model as FATE's FeatureSelectionMeta and FeatureSelectionParam, and the columns a
trained model keeps."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from google.protobuf.message import Message

from fate_runtime.components.context import Buffers
from fate_runtime.components.selection.local_filters import COEFFICIENT_OF_VARIATION, IV_PERCENTILE, IV_VALUE, \
    MANUALLY, OUTLIER, UNIQUE_VALUE
from fate_runtime.components.selection.rounds import FilterRound
from protos.selection_model_pb2 import FeatureSelectionFilterParam, FeatureSelectionMeta, FeatureSelectionParam, \
    FeatureValue, HostColNames, IVPercentileSelectionMeta, IVValueSelectionMeta, LeftCols, ManuallyFilterMeta, \
    OutlierColsSelectionMeta, UniqueValueMeta, VarianceOfCoeSelectionMeta

META, PARAM = "FeatureSelectionMeta", "FeatureSelectionParam"  # FATE 1.2's buffer names


@dataclasses.dataclass
class FilterOutcome:
    """What one filter decided: on this party's columns, and at the guest on every host's."""

    method: str
    own: FilterRound
    hosts: list[FilterRound] = dataclasses.field(default_factory=list)


def _left_cols(round_: FilterRound) -> LeftCols:
    return LeftCols(original_cols=round_.names_before(), left_cols={name: True for name in round_.names_after()})


def _by_passes(rounds: list[FilterRound]) -> list[str]:
    """The columns by how many filters kept them, most first (FATE's col_names)."""
    passes: dict[str, int] = {}
    for round_ in rounds:
        after = set(round_.names_after())
        for name in round_.names_before():
            passes[name] = passes.get(name, 0) + (name in after)
    return sorted(passes, key=lambda name: -passes[name])


_FILTER_META: dict[str, tuple[str, Callable[[dict[str, Any], FilterRound], Message]]] = {
    UNIQUE_VALUE: ("unique_meta", lambda params, _: UniqueValueMeta(eps=params["unique_param"]["eps"])),
    IV_VALUE: ("iv_value_meta", lambda params, _: IVValueSelectionMeta(**{
        key: params["iv_value_param"][key] for key in ("value_threshold", "local_only")})),
    IV_PERCENTILE: ("iv_percentile_meta", lambda params, _: IVPercentileSelectionMeta(**{
        key: params["iv_percentile_param"][key] for key in ("percentile_threshold", "local_only")})),
    COEFFICIENT_OF_VARIATION: ("variance_coe_meta", lambda params, _: VarianceOfCoeSelectionMeta(
        value_threshold=params["variance_coe_param"]["value_threshold"])),
    OUTLIER: ("outlier_meta", lambda params, _: OutlierColsSelectionMeta(**params["outlier_param"])),
    MANUALLY: ("manually_meta", lambda _, round_: ManuallyFilterMeta(filter_out_names=[
        name for name in round_.judged_names() if name not in round_.names_after()])),
}


def model(params: dict[str, Any], header: list[str], judged: list[str], outcomes: list[FilterOutcome],
          left: list[str]) -> dict[str, Message]:
    """The model of a selection that judged the columns `judged` with `outcomes` and left `left`."""
    meta = FeatureSelectionMeta(filter_methods=params["filter_methods"], cols=judged, need_run=True)
    for outcome in outcomes:
        field, filter_meta = _FILTER_META[outcome.method]
        getattr(meta, field).CopyFrom(filter_meta(params, outcome.own))
    results = [FeatureSelectionFilterParam(
        feature_values=outcome.own.values, filter_name=outcome.method, left_cols=_left_cols(outcome.own),
        host_feature_values=[FeatureValue(feature_values=host.values) for host in outcome.hosts],
        host_left_cols=[_left_cols(host) for host in outcome.hosts]) for outcome in outcomes]
    hosts = max((len(outcome.hosts) for outcome in outcomes), default=0)
    host_names = [HostColNames(col_names=_by_passes([outcome.hosts[index] for outcome in outcomes
                                                     if index < len(outcome.hosts)])) for index in range(hosts)]
    param = FeatureSelectionParam(results=results, final_left_cols=LeftCols(original_cols=judged,
                                                                             left_cols={name: True for name in left}),
                                  col_names=_by_passes([outcome.own for outcome in outcomes]),
                                  host_col_names=host_names, header=header)
    return {META: meta, PARAM: param}


def trained_columns(buffers: Buffers, source: str) -> tuple[list[str], set[str]]:
    """(the header a model was trained on, the columns it keeps); ValueError when it is no selection model."""
    if PARAM not in buffers:
        raise ValueError(f"the model of {source} is not a HeteroFeatureSelection model")
    param = FeatureSelectionParam.FromString(buffers[PARAM])
    return list(param.header), set(param.final_left_cols.left_cols)
