"""The filters each party runs on its own columns, as FATE 1.2's: unique value, coefficient of variation, outlier
and manual. Each keeps at least one of the columns it judges."""

from __future__ import annotations

from typing import Any, Callable

from fate_runtime.components.selection.rounds import FilterRound
from fate_runtime.components.selection.statistics import ColumnStatistics

UNIQUE_VALUE = "unique_value"
IV_VALUE = "iv_value_thres"
IV_PERCENTILE = "iv_percentile"
COEFFICIENT_OF_VARIATION = "coefficient_of_variation_value_thres"
OUTLIER = "outlier_cols"
MANUALLY = "manually"


def _judge(round_: FilterRound, value_of: Callable[[int], float], kept: Callable[[float], bool]) -> None:
    for position in round_.judged:
        value = value_of(position)
        round_.values[round_.header[position]] = value
        if kept(value):
            round_.keep(position)
    round_.keep_one()


def unique_value(round_: FilterRound, statistics: ColumnStatistics, params: dict[str, Any]) -> None:
    """Keeps columns whose max - min is at least eps."""
    eps = params["unique_param"]["eps"]
    _judge(round_, statistics.spread, lambda spread: spread >= eps)


def coefficient_of_variation(round_: FilterRound, statistics: ColumnStatistics, params: dict[str, Any]) -> None:
    """Keeps columns whose |std / mean| is at least the threshold."""
    threshold = params["variance_coe_param"]["value_threshold"]
    _judge(round_, statistics.coefficient_of_variation, lambda value: value >= threshold)


def outlier(round_: FilterRound, statistics: ColumnStatistics, params: dict[str, Any]) -> None:
    """Keeps columns whose value at the percentile is below the upper threshold."""
    settings = params["outlier_param"]
    _judge(round_, lambda position: statistics.quantile(position, settings["percentile"]),
           lambda value: value < settings["upper_threshold"])


def manually(round_: FilterRound, statistics: ColumnStatistics, params: dict[str, Any]) -> None:
    """Drops the columns named by index (in the input's header) or by name."""
    indexes = set(params["manually_param"]["filter_out_indexes"] or [])
    names = set(params["manually_param"]["filter_out_names"] or [])
    for position in round_.judged:
        if position not in indexes and round_.header[position] not in names:
            round_.keep(position)
    round_.keep_one()


LOCAL_FILTERS: dict[str, Callable[[FilterRound, ColumnStatistics, dict[str, Any]], None]] = {
    UNIQUE_VALUE: unique_value, COEFFICIENT_OF_VARIATION: coefficient_of_variation, OUTLIER: outlier,
    MANUALLY: manually}
