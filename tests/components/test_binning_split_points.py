"""HeteroFeatureBinning's split points: quantiles per partition merged (exact on small tables, within `error` on
large ones), equal-width buckets, categorical values, and the bin a value falls in."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from fate_runtime.components import binning
from fate_runtime.components.binning.columns import binning_columns
from fate_runtime.components.binning.quantiles import merged, query, summarize
from fate_runtime.components.binning.split_points import SplitPoints, fit_split_points
from feature_tables import Rows, breast_guest, breast_host, reference_split_points
from storage import Store


def params(**given: object) -> dict:
    return binning.SPEC.parameters(given)[0]


def split_points(rows: Rows, tmp_path: Path, partitions: int = 3, **given: object) -> list[list[float]]:
    table = rows.table(Store(str(tmp_path), workers=1), "rows", partitions)
    checked = params(**given)
    points = fit_split_points(table, binning_columns(rows.header, checked), checked)
    return [list(points.column(position)) for position in range(len(points.bin_counts))]


@pytest.mark.parametrize("partitions", [1, 4])
def test_quantile_split_points_are_numpys_exact_quantiles_on_breast(tmp_path: Path, partitions: int) -> None:
    for rows in (breast_guest(), breast_host()):
        found = split_points(rows, tmp_path / f"{rows.header[-1]}-{partitions}", partitions)
        for column, points in enumerate(found):
            values = rows.features[:, column]
            quantiles = [float(np.quantile(values, rate / 10, method="inverted_cdf")) for rate in range(1, 11)]
            assert points == list(dict.fromkeys(quantiles))


def test_quantile_split_points_with_another_bin_num(tmp_path: Path) -> None:
    rows = breast_guest()
    found = split_points(rows, tmp_path, bin_num=4)
    assert found == [reference_split_points(rows.features[:, column], 4) for column in range(len(rows.header))]


def test_repeated_values_give_each_split_point_once(tmp_path: Path) -> None:
    values = np.array([[0.0]] * 50 + [[1.0]] * 30 + [[2.0]] * 20)
    assert split_points(Rows([str(i) for i in range(100)], ["x"], values), tmp_path) == [[0.0, 1.0, 2.0]]


def test_merged_summaries_of_a_large_column_answer_within_error() -> None:
    values = np.random.default_rng(7).normal(size=200_000)
    error = 0.001
    parts = [summarize(chunk, error) for chunk in np.array_split(values, 7)]
    summary = parts[0]
    for part in parts[1:]:
        summary = merged([summary], [part])[0]
    assert len(summary[0]) < len(values) / 20  # thinned, not the whole column
    ordered = np.sort(values)
    for quantile in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
        found = query(summary, quantile, error)
        rank = np.searchsorted(ordered, found, side="right")
        assert abs(rank - math.ceil(quantile * len(values))) <= 2 * error * len(values)
    assert query(summary, 0.0005, error) == ordered[0] and query(summary, 1.0, error) == ordered[-1]


def test_bucket_split_points_are_equal_widths_from_min_to_max(tmp_path: Path) -> None:
    rows = breast_guest()
    found = split_points(rows, tmp_path, method="bucket", bin_num=5)
    for column, points in enumerate(found):
        low, high = rows.features[:, column].min(), rows.features[:, column].max()
        assert points == pytest.approx(list(low + (high - low) * np.arange(1, 6) / 5))
        assert points[-1] == high


def test_a_categorical_column_is_split_at_its_own_values(tmp_path: Path) -> None:
    values = np.array([[3.0, 0.5], [1.0, 0.7], [3.0, 0.1], [7.0, 0.9], [1.0, 0.3]])
    found = split_points(Rows([str(i) for i in range(5)], ["kind", "x"], values), tmp_path, bin_indexes=[1],
                         category_names=["kind"], bin_num=2)
    assert found == [reference_split_points(values[:, 1], 2), [1.0, 3.0, 7.0]]


def test_a_value_falls_in_the_first_bin_whose_split_point_is_not_below_it() -> None:
    points = SplitPoints.of([[1.0, 2.0, 3.0], [10.0]])
    rows = np.array([[0.5, 3.0], [1.0, 10.0], [1.5, 11.0], [3.0, -1.0], [9.0, 10.0]])
    assert points.bins(rows).tolist() == [[0, 0], [0, 0], [1, 0], [2, 0], [2, 0]]
    assert points.bins(rows[2]).tolist() == [1, 0]
