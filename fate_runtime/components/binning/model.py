"""HeteroFeatureBinning's model as FATE's FeatureBinningMeta and FeatureBinningParam, and what is read back from it."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

from fate_runtime.components.binning.columns import BinningColumns
from fate_runtime.components.binning.iv import ColumnIV
from fate_runtime.components.context import Buffers
from protos.binning_model_pb2 import FeatureBinningMeta, FeatureBinningParam, FeatureBinningResult, IVParam, \
    TransformMeta

META, PARAM = "FeatureBinningMeta", "FeatureBinningParam"  # FATE 1.2's buffer names


def iv_param(split_points: Sequence[float], result: ColumnIV | None) -> IVParam:
    """A column's entry: its split points (none for a host's column at the guest), and its IV where known."""
    if result is None:
        return IVParam(split_points=split_points, is_woe_monotonic=True)
    return IVParam(woe_array=result.woe, iv_array=result.iv_per_bin, event_count_array=result.event_counts,
                   non_event_count_array=result.non_event_counts, event_rate_array=result.event_rates,
                   non_event_rate_array=result.non_event_rates, split_points=split_points, iv=result.iv,
                   is_woe_monotonic=result.is_woe_monotonic, bin_nums=len(result.woe))


def party_result(role: str, party_id: str, columns: Mapping[str, IVParam]) -> FeatureBinningResult:
    return FeatureBinningResult(binning_result=dict(columns), role=role, party_id=str(party_id))


def meta(params: dict[str, Any], columns: BinningColumns) -> FeatureBinningMeta:
    transform = TransformMeta(transform_cols=columns.transformed,
                              transform_type=params["transform_param"]["transform_type"] or "")
    return FeatureBinningMeta(need_run=True, method=params["method"], compress_thres=params["compress_thres"],
                              head_size=params["head_size"], error=params["error"], bin_num=params["bin_num"],
                              cols=columns.binned_names, adjustment_factor=params["adjustment_factor"],
                              local_only=params["local_only"], transform_param=transform)


def model(params: dict[str, Any], columns: BinningColumns, own: FeatureBinningResult,
          hosts: Sequence[FeatureBinningResult] = ()) -> dict[str, Any]:
    return {META: meta(params, columns),
            PARAM: FeatureBinningParam(binning_result=own, host_results=hosts, header=columns.header)}


@dataclasses.dataclass(frozen=True)
class TrainedBinning:
    """What a trained model tells later components: the header, the columns it transformed and how, and every
    column's entry (its own party's; and the hosts' at the guest, by party id)."""

    header: list[str]
    transformed: list[int]
    transform_type: str | None
    columns: dict[str, IVParam]
    hosts: dict[str, dict[str, IVParam]]


def trained(buffers: Buffers, source: str) -> TrainedBinning:
    """The model `source` saved; ValueError when it is not a HeteroFeatureBinning model."""
    if META not in buffers or PARAM not in buffers:
        raise ValueError(f"the model of {source} is not a HeteroFeatureBinning model")
    meta_message, param = FeatureBinningMeta.FromString(buffers[META]), FeatureBinningParam.FromString(buffers[PARAM])
    transform = meta_message.transform_param
    return TrainedBinning(list(param.header), list(transform.transform_cols), transform.transform_type or None,
                          dict(param.binning_result.binning_result),
                          {result.party_id: dict(result.binning_result) for result in param.host_results})
