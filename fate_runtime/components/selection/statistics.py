"""Statistics of every column of an instance table, per partition and merged, computed once and only when a filter
asks: minimum, maximum, mean and standard deviation (FATE's: population variance, zero below 1e-6), and quantiles."""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, Iterator

import numpy as np

from fate_runtime.components.binning.quantiles import Summary, merged, partition_summaries, query
from fate_runtime.components.instances import instance_block
from storage import register_data_class
from storage.computing import ComputingTable

QUANTILE_ERROR = 0.001  # FATE's default relative error of its quantile summaries
FLOAT_ZERO = 1e-6  # FATE: a variance below this is 0


@register_data_class("fate_runtime.selection.Moments")  # a partition's moments are stored between its steps
@dataclasses.dataclass(frozen=True)
class Moments:
    """Per column (NaN left out): how many values, their sum and sum of squares, minimum and maximum."""

    count: np.ndarray
    total: np.ndarray
    squares: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray


def partition_moments(pairs: Iterator[tuple[Any, Any]]) -> Moments:
    features = instance_block(pairs).features
    present = ~np.isnan(features)
    values = np.where(present, features, 0.0)
    return Moments(present.sum(axis=0), values.sum(axis=0), (values * values).sum(axis=0),
                   np.where(present, features, np.inf).min(axis=0), np.where(present, features, -np.inf).max(axis=0))


def merged_moments(left: Moments, right: Moments) -> Moments:
    return Moments(left.count + right.count, left.total + right.total, left.squares + right.squares,
                   np.minimum(left.minimum, right.minimum), np.maximum(left.maximum, right.maximum))


class ColumnStatistics:
    """The statistics of one table's columns, by header position."""

    def __init__(self, table: ComputingTable, width: int) -> None:
        self._table = table
        self._width = width

    @functools.cached_property
    def moments(self) -> Moments:
        return self._table.map_partitions(partition_moments).reduce(merged_moments)

    @functools.cached_property
    def summaries(self) -> list[Summary]:
        return self._table.map_partitions(functools.partial(partition_summaries, columns=list(range(self._width)),
                                                            error=QUANTILE_ERROR)).reduce(merged)

    def spread(self, position: int) -> float:
        """max - min."""
        return float(abs(self.moments.maximum[position] - self.moments.minimum[position]))

    def coefficient_of_variation(self, position: int) -> float:
        """|standard deviation / mean|: infinite for a mean of 0 with any spread, 0 without spread."""
        count = max(int(self.moments.count[position]), 1)
        mean = float(self.moments.total[position]) / count
        variance = float(self.moments.squares[position]) / count - mean * mean
        deviation = math.sqrt(variance) if variance >= FLOAT_ZERO else 0.0
        if not deviation:
            return 0.0
        return abs(deviation / mean) if mean else math.inf

    def quantile(self, position: int, quantile: float) -> float:
        return query(self.summaries[position], quantile, QUANTILE_ERROR)
