"""Split points of the binned columns - quantile, bucket (equal width), or a categorical column's own values - and
the bin of a value: the first split point not below it, the last bin for values above them all (as FATE)."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any, Iterator, Sequence

import numpy as np

from fate_runtime.components.binning.columns import BinningColumns
from fate_runtime.components.binning.quantiles import Summary, merged, partition_summaries, query
from fate_runtime.components.instances import instance_block
from storage.computing import ComputingTable

QUANTILE, BUCKET = "quantile", "bucket"


@dataclasses.dataclass(frozen=True)
class SplitPoints:
    """The split points of some columns, padded with +inf into one matrix so that rows bin in one numpy step."""

    matrix: np.ndarray  # columns x most split points
    bin_counts: np.ndarray  # split points (= bins) per column

    @classmethod
    def of(cls, points: Sequence[Sequence[float]]) -> "SplitPoints":
        width = max((len(column) for column in points), default=0)
        matrix = np.full((len(points), width), np.inf)
        for row, column in enumerate(points):
            matrix[row, :len(column)] = column
        return cls(matrix, np.array([len(column) for column in points], dtype=np.int64))

    def column(self, position: int) -> list[float]:
        """The split points of the column at `position` (in the order they were given)."""
        return [float(point) for point in self.matrix[position, :self.bin_counts[position]]]

    def subset(self, positions: Sequence[int]) -> "SplitPoints":
        """The split points of the columns at `positions`, in that order."""
        chosen = np.asarray(positions, dtype=np.int64)
        return SplitPoints(self.matrix[chosen], self.bin_counts[chosen])

    def bins(self, values: np.ndarray) -> np.ndarray:
        """The bin of every value; the last axis of `values` runs over the columns (one row, or rows x columns)."""
        return np.minimum((values[..., None] > self.matrix).sum(axis=-1), self.bin_counts - 1)


def quantile_points(summary: Summary, bin_num: int, error: float) -> list[float]:
    """FATE's quantile split points: the values at 1/bin_num, 2/bin_num, ..., 1, each once."""
    step = 1.0 / bin_num
    rates = [index * step for index in range(1, bin_num)] + [1.0]
    return list(dict.fromkeys(query(summary, rate, error) for rate in rates))


def bucket_points(summary: Summary, bin_num: int) -> list[float]:
    """FATE's bucket split points: bin_num equal widths between the minimum and the maximum."""
    values = summary[0]
    low, high = (float(values[0]), float(values[-1])) if len(values) else (0.0, 0.0)
    width = (high - low) / bin_num
    return [low + (index + 1) * width for index in range(bin_num - 1)] + [high]


def partition_values(pairs: Iterator[tuple[Any, Any]], columns: list[int]) -> list[np.ndarray]:
    """The distinct values of `columns` over one partition."""
    features = instance_block(pairs).features
    return [np.unique(features[:, column][~np.isnan(features[:, column])]) for column in columns]


def merged_values(left: list[np.ndarray], right: list[np.ndarray]) -> list[np.ndarray]:
    return [np.union1d(one, other) for one, other in zip(left, right)]


def fit_split_points(table: ComputingTable, columns: BinningColumns, params: dict[str, Any]) -> SplitPoints:
    """The split points of every binned column of an instance table, in `columns.binned` order."""
    found: dict[int, list[float]] = {}
    numeric = [column for column in columns.binned if column not in columns.categorical]
    if numeric:
        summaries = table.map_partitions(partial(partition_summaries, columns=numeric,
                                                 error=params["error"])).reduce(merged)
        for column, summary in zip(numeric, summaries):
            found[column] = (quantile_points(summary, params["bin_num"], params["error"])
                             if params["method"] == QUANTILE else bucket_points(summary, params["bin_num"]))
    categorical = [column for column in columns.binned if column in columns.categorical]
    if categorical:
        values = table.map_partitions(partial(partition_values, columns=categorical)).reduce(merged_values)
        for column, distinct in zip(categorical, values):
            found[column] = [float(value) for value in distinct] or [0.0]
    return SplitPoints.of([found[column] for column in columns.binned])
