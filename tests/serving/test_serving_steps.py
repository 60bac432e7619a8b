"""Each component before HeteroLR replayed online as its own predict path replays it: DataIO's missing-cell and
outlier replacement (on a guest's featureData and on a host's stored row), binning's bin indexes and WOE, and the
modules serving refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from component_harness import PartySetup, PartyStores, Run, run_component
from feature_tables import GUEST as SELECTION_GUEST
from feature_tables import Selection, breast_guest, breast_host

from fate_runtime.components import binning, dataio
from fate_runtime.components.binning import hetero_binning_guest
from fate_runtime.components.dataio.settings import find_model, from_model
from fate_runtime.components.instances import instance_block
from fate_runtime.serving.errors import ServingError
from fate_runtime.serving.features import FeatureReader
from fate_runtime.serving.model_chain import ChainLink
from fate_runtime.serving.steps import step
from uploaded_tables import stored

GUEST, HOST = ("guest", "9999"), ("host", "10000")
# x0: missing cells (empty, NA, null); x1: outliers -999; x2: an integer column
ROWS = {"a": "1,-999,3", "b": ",4,5", "c": "NA,6,7", "d": "5,8,-999", "e": "2.5,null,1"}


def dataio_reader(tmp_path: Path, **params: Any) -> tuple[FeatureReader, dict[str, list[float]], Any]:
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], ROWS, "x0,x1,x2")
    run = run_component(dataio.SPEC, stores, {GUEST: PartySetup(params, {"data": [table]})})
    trained = find_model({"dataio_0": run.results[GUEST].models.saved["model"]})
    assert trained is not None
    batch = {key: instance.features.tolist() for key, instance in run.outputs(GUEST).collect()}
    return FeatureReader(from_model(*trained), "dataio_0"), batch, table


@pytest.mark.parametrize("params", [
    {},
    {"missing_fill_method": "mean", "outlier_impute": ["-999"], "outlier_replace_method": "designated",
     "outlier_replace_value": 7.5, "missing_impute": ["", "NA", "null"]},
    {"missing_fill_method": "max", "outlier_impute": [-999], "outlier_replace_method": "min",
     "exclusive_data_type": {"x2": "int"}},
])
def test_dataio_replaces_missing_cells_and_outliers_as_its_predict_path(tmp_path: Path, params: dict[str, Any]) -> None:
    reader, batch, table = dataio_reader(tmp_path, **params)
    layout = reader.table_layout(table, "the table")
    for key, line in ROWS.items():
        given = {name: (None if cell == "null" else cell) for name, cell in zip(("x0", "x1", "x2"), line.split(","))}
        assert reader.feature_data(given).tolist() == batch[key]
        assert reader.stored_row(table.get(key), layout, key).tolist() == batch[key]


def test_dataio_names_the_column_and_row_at_fault(tmp_path: Path) -> None:
    reader, _, table = dataio_reader(tmp_path, exclusive_data_type={"x2": "int"})
    with pytest.raises(ServingError, match="^feature x2 holds a fraction where its data type wants an integer$"):
        reader.feature_data({"x0": 1, "x1": 2, "x2": 2.5})
    layout = reader.table_layout(table, "the table")
    with pytest.raises(ServingError, match="^the row of id z has 2 values where the table's header has 3 columns$"):
        reader.stored_row("1,2", layout, "z")
    with pytest.raises(ServingError, match="^the host's table has no column x2, which the model was trained with$"):
        reader.table_layout(stored(PartyStores(tmp_path / "other")[GUEST], {"a": "1,2"}, "x0,x1"), "the host's table")


def test_dataio_sparse_formats_are_not_served(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"a": "1 0:2 3:4"}, None)
    run = run_component(dataio.SPEC, stores, {GUEST: PartySetup({"input_format": "sparse", "delimitor": " "},
                                                                 {"data": [table]})})
    trained = find_model({"dataio_0": run.results[GUEST].models.saved["model"]})
    assert trained is not None
    with pytest.raises(ServingError, match="^dataio_0 reads DataIO's sparse format; serving reads the dense format"):
        FeatureReader(from_model(*trained), "dataio_0")


def binning_runs(tmp_path: Path, transform_type: str) -> tuple[Run, Run]:
    guest, host = breast_guest().head(200), breast_host().head(200)
    params = {"transform_param": {"transform_type": transform_type}}
    stores = PartyStores(tmp_path)
    tables = {GUEST: guest.table(stores[GUEST], "in"), HOST: host.table(stores[HOST], "in")}
    trained = run_component(binning.SPEC, stores, {party: PartySetup(params, {"data": [tables[party]]})
                                                   for party in (GUEST, HOST)})
    predicted = run_component(binning.SPEC, stores, {party: PartySetup(params, {"data": [tables[party]]}, {
        "model": {"component_0": trained.results[party].models.saved["model"]}}) for party in (GUEST, HOST)},
                              job_type="predict", job_id="20261203000000000002")
    return trained, predicted


@pytest.mark.parametrize("transform_type", ["bin_num", "woe"])
def test_binning_transforms_as_its_predict_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               transform_type: str) -> None:
    monkeypatch.setattr(hetero_binning_guest, "KEY_LENGTH", 256)
    trained, predicted = binning_runs(tmp_path, transform_type)
    for party, rows in ((GUEST, breast_guest().head(200)), (HOST, breast_host().head(200))):
        link = ChainLink("component_0", "HeteroFeatureBinning", trained.results[party].models.saved["model"])
        replayed = step(link, tuple(rows.header), party[0])
        block = instance_block(predicted.outputs(party).collect())
        expected = block.features[[block.ids.index(key) for key in rows.ids]]
        assert replayed.header == tuple(rows.header)
        online = rows.features if replayed.transform is None else replayed.transform(rows.features)
        assert np.array_equal(online, expected)
        assert (replayed.transform is None) == (transform_type == "woe" and party == HOST)
        assert not np.array_equal(expected, rows.features) or party == HOST


def test_selection_keeps_the_columns_its_model_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hetero_binning_guest, "KEY_LENGTH", 256)
    guest, host = breast_guest().head(100), breast_host().head(100)
    run = Selection(tmp_path, guest, host).run(filter_methods=["manually"],
                                                manually_param={"filter_out_indexes": [1, 4]})
    link = ChainLink("selection_0", "HeteroFeatureSelection", run.results[SELECTION_GUEST].models.saved["model"])
    replayed = step(link, tuple(guest.header), "guest")
    block = instance_block(run.outputs(SELECTION_GUEST).collect())
    assert replayed.header == tuple(name for name in guest.header if name not in ("x1", "x4"))
    assert replayed.transform is not None
    assert np.array_equal(replayed.transform(guest.features), block.features[[block.ids.index(key)
                                                                               for key in guest.ids]])
    with pytest.raises(ServingError, match="^selection_0 was trained on other columns than its input has$"):
        step(link, tuple(reversed(guest.header)), "guest")


def test_a_module_serving_cannot_replay_is_named() -> None:
    with pytest.raises(ServingError, match="^serving cannot replay scale_0 \\(module FeatureScale\\) online$"):
        step(ChainLink("scale_0", "FeatureScale", {}), ("x0",), "guest")
    with pytest.raises(ServingError, match="^the model of binning_0 is not a HeteroFeatureBinning model$"):
        step(ChainLink("binning_0", "HeteroFeatureBinning", {}), ("x0",), "guest")
