"""Binning's output rows: chosen columns replaced by their bin index ("bin_num") or their bin's WOE ("woe")."""

from __future__ import annotations

from functools import partial

import numpy as np

from fate_runtime.components.binning.split_points import SplitPoints
from fate_runtime.components.instances import Instance
from storage.computing import ComputingTable

BIN_NUM, WOE = "bin_num", "woe"


def _transformed_instance(columns: np.ndarray, points: SplitPoints, woe: np.ndarray | None,
                          instance: Instance) -> Instance:
    features = instance.features.copy()
    bins = points.bins(features[columns])
    features[columns] = bins if woe is None else woe[np.arange(len(columns)), bins]
    return Instance(features, instance.label)


def transformed(table: ComputingTable, columns: list[int], points: SplitPoints, woe: list[list[float]] | None,
                namespace: str, name: str) -> ComputingTable:
    """`table` with `columns` (header positions; `points` holds their split points, in the same order) replaced by
    their bins, or by the bins' `woe` (per column, per bin) when given, as the table `namespace`.`name`."""
    woe_matrix = None
    if woe is not None:
        woe_matrix = np.zeros(points.matrix.shape)
        for row, values in enumerate(woe):
            woe_matrix[row, :len(values)] = values
    return table.map_values(partial(_transformed_instance, np.asarray(columns, dtype=np.int64), points, woe_matrix),
                            namespace=namespace, name=name)
