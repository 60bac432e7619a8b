"""Weight of evidence and information value of binned columns, from the event (label 1) and non-event counts per bin.

As FATE: a bin's rates are its counts over the column's totals, a bin with no event or no non-event adds the
adjustment factor to both its counts first; WOE = ln(non-event rate / event rate), a bin's IV = (non-event rate -
event rate) x WOE, the column's IV their sum.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterator, Sequence

import numpy as np

from fate_runtime.components.binning.split_points import SplitPoints
from fate_runtime.components.instances import instance_block

LABELS_NOT_BINARY = "the guest's rows must carry labels 0 or 1 for HeteroFeatureBinning to compute IV"


@dataclasses.dataclass(frozen=True)
class ColumnIV:
    """A column's counts, rates, WOE and IV per bin, and its IV."""

    event_counts: list[int]
    non_event_counts: list[int]
    event_rates: list[float]
    non_event_rates: list[float]
    woe: list[float]
    iv_per_bin: list[float]
    iv: float

    @property
    def is_woe_monotonic(self) -> bool:
        steps = np.diff(self.woe)
        return bool((steps >= 0).all() or (steps <= 0).all())


def column_iv(events: Sequence[int], non_events: Sequence[int], adjustment_factor: float) -> ColumnIV:
    """The IV of a column from its counts per bin; ValueError when a label is missing from all its rows."""
    event_total, non_event_total = int(sum(events)), int(sum(non_events))
    if not event_total:
        raise ValueError("no row has label 1 (an event): IV needs rows of both labels")
    if not non_event_total:
        raise ValueError("no row has label 0 (a non-event): IV needs rows of both labels")
    event_rates, non_event_rates, woe, iv_per_bin = [], [], [], []
    for event, non_event in zip(events, non_events):
        adjustment = adjustment_factor if not event or not non_event else 0.0
        event_rate = (event + adjustment) / event_total
        non_event_rate = (non_event + adjustment) / non_event_total
        bin_woe = math.log(non_event_rate / event_rate)
        event_rates.append(event_rate)
        non_event_rates.append(non_event_rate)
        woe.append(bin_woe)
        iv_per_bin.append((non_event_rate - event_rate) * bin_woe)
    return ColumnIV([int(count) for count in events], [int(count) for count in non_events], event_rates,
                    non_event_rates, woe, iv_per_bin, sum(iv_per_bin))


def partition_label_counts(pairs: Iterator[tuple[Any, Any]], columns: list[int], points: SplitPoints) -> np.ndarray:
    """Events and non-events per bin of `columns` over one partition of the guest's table: columns x bins x 2."""
    block = instance_block(pairs)
    if block.labels is None or not np.isin(block.labels, (0.0, 1.0)).all():
        raise ValueError(LABELS_NOT_BINARY)
    bins = points.bins(block.features[:, columns])
    width = points.matrix.shape[1]
    events = block.labels == 1.0
    counts = np.zeros((len(columns), width, 2), dtype=np.int64)
    for position in range(len(columns)):
        counts[position, :, 0] = np.bincount(bins[events, position], minlength=width)
        counts[position, :, 1] = np.bincount(bins[~events, position], minlength=width)
    return counts
