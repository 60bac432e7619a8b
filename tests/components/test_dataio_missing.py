"""DataIO's missing values and outliers: which cells count, what replaces them, the ratios the model records."""

from __future__ import annotations

import math

import numpy as np
import pytest

from component_harness import PartySetup, PartyStores, Run, run_component
from fate_runtime.components import dataio
from protos import dataio_model_pb2 as pb
from uploaded_tables import stored

GUEST = ("guest", "9999")
# x0: a missing cell in rows b (empty) and c (NA); x1: an outlier -999 in row a; four rows
ROWS = {"a": "1,-999", "b": ",4", "c": "NA,6", "d": "5,8"}


def run_on(tmp_path, rows=ROWS, header="x0,x1", **params) -> Run:
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], rows, header)
    return run_component(dataio.SPEC, stores, {GUEST: PartySetup(params, {"data": [table]})})


def features(run: Run) -> dict[str, list[float]]:
    return {key: instance.features.tolist() for key, instance in run.outputs(GUEST).collect()}


def model(run: Run) -> tuple[pb.DataIOMeta, pb.DataIOParam]:
    saved = run.results[GUEST].models.saved["model"]
    return pb.DataIOMeta.FromString(saved["DataIOMeta"]), pb.DataIOParam.FromString(saved["DataIOParam"])


def test_by_default_missing_cells_become_zero_and_their_ratio_is_recorded(tmp_path):
    run = run_on(tmp_path)
    assert features(run) == {"a": [1.0, -999.0], "b": [0.0, 4.0], "c": [0.0, 6.0], "d": [5.0, 8.0]}
    meta, param = model(run)
    assert meta.imputer_meta.is_imputer and meta.imputer_meta.strategy == ""
    assert list(meta.imputer_meta.missing_value) == ["", "none", "null", "na", "nan"]
    assert dict(param.imputer_param.missing_value_ratio) == {"x0": 0.5, "x1": 0.0}
    assert dict(param.imputer_param.missing_replace_value) == {"x0": "0.0", "x1": "0.0"}


@pytest.mark.parametrize("method, fill", [("min", 1.0), ("max", 5.0), ("mean", 3.0)])
def test_a_column_statistic_fitted_in_training_fills_missing_cells(tmp_path, method, fill):
    run = run_on(tmp_path, missing_fill_method=method)
    assert features(run)["b"][0] == fill and features(run)["c"][0] == fill
    assert model(run)[0].imputer_meta.strategy == method


def test_a_designated_value_or_one_per_column(tmp_path):
    assert features(run_on(tmp_path / "one", missing_fill_method="designated", default_value=7))["b"] == [7.0, 4.0]
    listed = run_on(tmp_path / "list", rows={"a": ",", "b": "1,2"}, default_value=[7, "8.5"])
    assert features(listed)["a"] == [7.0, 8.5]
    with pytest.raises(ValueError, match="^default_value has 3 values for the 2 feature columns$"):
        run_on(tmp_path / "bad", default_value=[1, 2, 3])


def test_missing_fill_off_leaves_nan(tmp_path):
    run = run_on(tmp_path, missing_fill=False, outlier_replace=False)  # (FATE's outliers default to missing cells)
    got = features(run)
    assert math.isnan(got["b"][0]) and math.isnan(got["c"][0])
    assert not model(run)[0].imputer_meta.is_imputer


def test_missing_impute_names_the_values_that_count_as_missing(tmp_path):
    run = run_on(tmp_path, rows={"a": "-1,2", "b": "3,-1.0", "c": "missing,4"}, missing_impute=[-1, "missing"],
                 missing_fill_method="designated", default_value=9)
    assert features(run) == {"a": [9.0, 2.0], "b": [3.0, 9.0], "c": [9.0, 4.0]}
    with pytest.raises(ValueError, match="^column x0 of id a holds text, not a number$"):
        run_on(tmp_path / "na", rows={"a": "NA,1"}, missing_impute=["-1"], outlier_replace=False)


def test_outliers_are_replaced_by_the_statistic_of_the_other_cells(tmp_path):
    run = run_on(tmp_path, outlier_impute=[-999], outlier_replace_method="mean")
    assert features(run)["a"] == [1.0, 6.0]  # mean of 4, 6, 8
    meta, param = model(run)
    assert meta.outlier_meta.is_outlier and list(meta.outlier_meta.outlier_value) == ["-999"]
    assert dict(param.outlier_param.outlier_value_ratio) == {"x0": 0.0, "x1": 0.25}
    assert dict(param.outlier_param.outlier_replace_value)["x1"] == "6.0"


def test_outlier_replacement_off_keeps_outliers(tmp_path):
    assert features(run_on(tmp_path, outlier_impute=[-999], outlier_replace=False))["a"] == [1.0, -999.0]


def test_with_missing_fill_off_outlier_replacement_takes_the_missing_cells_as_fate(tmp_path):
    run = run_on(tmp_path, missing_fill=False, outlier_replace_method="designated", outlier_replace_value=2)
    assert features(run)["b"] == [2.0, 4.0]


def test_a_column_with_no_value_left_has_no_statistic(tmp_path):
    with pytest.raises(ValueError, match="^column x0 has no value to take its max from$"):
        run_on(tmp_path, rows={"a": ",1", "b": "na,2"}, missing_fill_method="max")


def test_statistics_are_rounded_to_six_decimals_as_fate(tmp_path):
    run = run_on(tmp_path, rows={"a": "1,1", "b": "0,0", "c": "0,0", "d": ",1"}, missing_fill_method="mean")
    assert features(run)["d"][0] == pytest.approx(0.333333, abs=0) and np.isfinite(features(run)["d"][0])
