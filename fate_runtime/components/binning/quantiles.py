"""Approximate quantiles of table columns: a summary per partition, merged in the driver, queried as FATE does.

A summary is a column's sorted values thinned so that each value kept stands for at most `error` x n rows of
its partition (the minimum and maximum are always kept), with those counts as weights. Merging summaries
concatenates them, so a merged summary answers a rank within `error` x N of the exact one - FATE's bound for
its Greenwald-Khanna summaries. With `error` x n below 1 nothing is thinned and quantiles are exact: the value
of rank ceil(q N), as FATE's summaries give on small tables. Missing values (NaN) are left out.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from fate_runtime.components.instances import instance_block

Summary = tuple[np.ndarray, np.ndarray]  # (sorted values, how many rows each stands for)


def summarize(values: np.ndarray, error: float) -> Summary:
    """The summary of one column's values."""
    ordered = np.sort(values[~np.isnan(values)])
    count = len(ordered)
    if not count:
        return ordered, np.zeros(0, dtype=np.int64)
    step = max(1, math.floor(error * count))
    kept = np.unique(np.concatenate(([0], np.arange(step - 1, count, step), [count - 1])))
    return ordered[kept], np.diff(np.concatenate(([-1], kept))).astype(np.int64)


def partition_summaries(pairs: Iterator[tuple[Any, Any]], columns: list[int], error: float) -> list[Summary]:
    """The summaries of `columns` over one partition of an instance table."""
    features = instance_block(pairs).features
    return [summarize(features[:, column], error) for column in columns]


def merged(left: list[Summary], right: list[Summary]) -> list[Summary]:
    """The summaries of two parts of the same columns, as one."""
    result = []
    for (left_values, left_weights), (right_values, right_weights) in zip(left, right):
        values = np.concatenate((left_values, right_values))
        order = np.argsort(values, kind="stable")
        result.append((values[order], np.concatenate((left_weights, right_weights))[order]))
    return result


def query(summary: Summary, quantile: float, error: float) -> float:
    """The value at `quantile` (FATE's rule: the minimum up to `error`, the maximum from 1 - `error`, else the value
    of rank ceil(quantile x N)); 0 for a column without values, as FATE."""
    values, weights = summary
    if not len(values):
        return 0.0
    if quantile <= error:
        return float(values[0])
    if quantile >= 1 - error:
        return float(values[-1])
    rank = math.ceil(quantile * int(weights.sum()))
    position = int(np.searchsorted(np.cumsum(weights), rank, side="left"))
    return float(values[min(position, len(values) - 1)])
