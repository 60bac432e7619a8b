"""HeteroFeatureSelection beyond its filters: the seed job's defaults after binning as FATE, what crosses between
the parties, predict, bad input and its parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from component_harness import PartySetup, PartyStores, Run, run_component
from feature_tables import GUEST, HOST, Selection, breast_guest, breast_host, kept

from fate_runtime.components import BUILTIN, ParameterError, binning, selection
from fate_runtime.components.binning import hetero_binning_guest
from fate_runtime.components.instances import header, instance_block
from storage import decode


@pytest.fixture(autouse=True)
def short_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hetero_binning_guest, "KEY_LENGTH", 256)


def rows_of(run: Run, party: tuple[str, str]) -> dict[str, np.ndarray]:
    block = instance_block(run.outputs(party).collect())
    return dict(zip(block.ids, block.features))


def test_the_seed_jobs_defaults_keep_every_binned_column_as_fate(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    inputs = {GUEST: breast_guest().table(stores[GUEST], "guest"), HOST: breast_host().table(stores[HOST], "host")}
    binned = run_component(binning.SPEC, stores, {party: PartySetup({}, {"data": [table]})
                                                  for party, table in inputs.items()}, component="binning_0")
    selected = run_component(selection.SPEC, stores, {party: PartySetup(
        {}, {"data": [binned.outputs(party)]},
        {"isometric_model": {"binning_0": binned.results[party].models.saved["model"]}}) for party in inputs},
        component="selection_0")
    assert not selected.transfers
    for party, table in inputs.items():
        assert header(selected.outputs(party)) == header(table)
        assert {key: list(row) for key, row in rows_of(selected, party).items()} == \
            {key: list(row) for key, row in rows_of(binned, party).items()}


def test_iv_filters_send_anonymous_names_and_kept_names_only(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest().head(300), breast_host())
    run = setup.run(filter_methods=["iv_value_thres", "iv_percentile"], iv_value_param={"value_threshold": 0.5},
                    iv_percentile_param={"percentile_threshold": 0.6})
    by_name = {(transfer.name, transfer.tag): decode(transfer.payload) for transfer in run.transfers}
    assert sorted(by_name) == [("host_select_cols", "0"), ("host_select_cols", "1"), ("result_left_cols", "0"),
                               ("result_left_cols", "1")]
    assert all(transfer.dst == (GUEST if transfer.name == "host_select_cols" else HOST) for transfer in run.transfers)
    assert by_name[("host_select_cols", "0")] == [f"host.{index}" for index in range(20)]
    assert by_name[("host_select_cols", "1")] == by_name[("result_left_cols", "0")]  # the next judges what was kept
    assert set(by_name[("result_left_cols", "1")]) <= set(by_name[("result_left_cols", "0")])
    assert all(isinstance(name, str) and name.startswith("host.") for names in by_name.values() for name in names)
    host_names = setup.host.header
    assert kept(run, HOST) == [host_names[int(name[5:])] for name in by_name[("result_left_cols", "1")]]


def test_predict_keeps_the_trained_columns_without_sending_anything(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest().head(300), breast_host())
    trained = setup.run(filter_methods=["iv_value_thres"], iv_value_param={"value_threshold": 1.0})
    stores = PartyStores(tmp_path / "predict")
    guest, host = breast_guest(), breast_host()
    predicted = run_component(selection.SPEC, stores, {
        party: PartySetup({}, {"data": [rows.table(stores[party], "rows")]},
                          {"model": {"selection_0": trained.results[party].models.saved["model"]}})
        for party, rows in ((GUEST, guest), (HOST, host))}, component="selection_0", job_type="predict")
    assert not predicted.transfers
    for party, rows in ((GUEST, guest), (HOST, host)):
        assert header(predicted.outputs(party)) == kept(trained, party)
        positions = [rows.header.index(name) for name in kept(trained, party)]
        assert np.array_equal(rows_of(predicted, party)[rows.ids[-1]], rows.features[-1, positions])


def test_an_iv_filter_without_the_binning_model_is_refused(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest().head(40), breast_host())
    with pytest.raises(ValueError, match="filter iv_percentile needs the HeteroFeatureBinning model as isometric_model"):
        setup.run(isometric=False, filter_methods=["iv_percentile"])


def test_a_binning_model_without_the_hosts_ivs_is_refused(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest().head(40), breast_host())
    local = run_component(binning.SPEC, setup.stores, {party: PartySetup({"local_only": True}, {"data": [table]})
                                                       for party, table in setup.inputs.items()}, component="binning_0")
    with pytest.raises(ValueError, match="the binning model has no IV of host 9999's columns"):
        run_component(selection.SPEC, setup.stores, {party: PartySetup(
            {"filter_methods": ["iv_value_thres"]}, {"data": [table]},
            {"isometric_model": {"binning_0": local.results[party].models.saved["model"]}})
            for party, table in setup.inputs.items()}, component="selection_0", timeout=1)


def test_a_selected_column_outside_the_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="select_col_indexes names column 10, but the input has 10 columns"):
        Selection(tmp_path, breast_guest().head(40), breast_host()).run(isometric=False, select_col_indexes=[1, 10])


@pytest.mark.parametrize("given, path", [
    ({"filter_methods": ["iv_value"]}, "filter_methods"),
    ({"filter_methods": "unique_value"}, "filter_methods"),
    ({"select_col_indexes": None}, "select_col_indexes"),
    ({"select_names": [0]}, "select_names"),
    ({"unique_param": {"eps": 0}}, "unique_param.eps"),
    ({"iv_value_param": {"host_thresholds": ["a"]}}, "iv_value_param.host_thresholds"),
    ({"iv_percentile_param": {"percentile_threshold": 1.5}}, "iv_percentile_param.percentile_threshold"),
    ({"variance_coe_param": {"value_threshold": -1}}, "variance_coe_param.value_threshold"),
    ({"outlier_param": {"percentile": -0.1}}, "outlier_param.percentile"),
    ({"manually_param": {"filter_out_indexes": [-1]}}, "manually_param.filter_out_indexes"),
])
def test_bad_parameters_are_refused_naming_their_path(given: dict[str, Any], path: str) -> None:
    with pytest.raises(ParameterError) as raised:
        selection.SPEC.parameters(given)
    assert raised.value.path == path


def test_fates_parameters_and_defaults() -> None:
    params, unknown = selection.SPEC.parameters({"filter_methods": ["IV_Value_Thres", "unique_value"],
                                                 "filter_method": ["unique_value"], "select_cols": -1})
    assert params["filter_methods"] == ["iv_value_thres", "unique_value"]
    assert sorted(unknown) == ["filter_method", "select_cols"]  # FATE's default runtime conf carries these two
    defaults = selection.SPEC.parameters({})[0]
    assert defaults["filter_methods"] == ["unique_value"] and defaults["unique_param"] == {"eps": 1e-5}
    assert defaults["iv_value_param"] == {"value_threshold": 0.0, "host_thresholds": None, "local_only": False}
    assert defaults["outlier_param"] == {"percentile": 1.0, "upper_threshold": 1.0}


def test_selection_is_a_built_in_module_run_by_guest_and_host_and_deployed() -> None:
    spec = BUILTIN["HeteroFeatureSelection"]
    assert spec is selection.SPEC and spec.roles == ("guest", "host") and spec.deploy
    assert [(v.name, v.src, v.dst) for v in spec.variables] == [
        ("host_select_cols", "host", ("guest",)), ("result_left_cols", "guest", ("host",))]
