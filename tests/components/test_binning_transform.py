"""HeteroFeatureBinning's output rows (bin indexes by default, WOE at the guest, or unchanged), its predict path
(the trained split points replayed, nothing sent) and its parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from component_harness import PartySetup, PartyStores, Run, run_component
from feature_tables import Rows, breast_guest, breast_host, reference_bins, reference_split_points, reference_woe_iv

from fate_runtime.components import BUILTIN, ParameterError, binning
from fate_runtime.components.binning import hetero_binning_guest
from fate_runtime.components.instances import header, instance_block
from storage import Table

GUEST, HOST = ("guest", "10000"), ("host", "9999")


@pytest.fixture(autouse=True)
def short_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hetero_binning_guest, "KEY_LENGTH", 256)


def run_binning(stores: PartyStores, guest: Rows, host: Rows, job_type: str = "train",
                models: dict[Any, Any] | None = None, name: str = "in", **params: object) -> Run:
    return run_component(binning.SPEC, stores, {
        GUEST: PartySetup(dict(params), {"data": [guest.table(stores[GUEST], name)]}, (models or {}).get(GUEST, {})),
        HOST: PartySetup(dict(params), {"data": [host.table(stores[HOST], name)]}, (models or {}).get(HOST, {}))},
        job_type=job_type)


def output_rows(table: Table, ids: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    block = instance_block(table.collect())
    order = [block.ids.index(key) for key in ids]
    return block.features[order], None if block.labels is None else block.labels[order]


def trained_models(trained: Run) -> dict[Any, Any]:
    """Each party's input models of a predict job: its own trained model."""
    return {party: {"model": {"component_0": trained.results[party].models.saved["model"]}} for party in (GUEST, HOST)}


def bins_of(rows: Rows, trained_on: Rows, columns: list[int] | None = None) -> np.ndarray:
    expected = rows.features.copy()
    for column in columns if columns is not None else range(len(rows.header)):
        points = reference_split_points(trained_on.features[:, column])
        expected[:, column] = reference_bins(rows.features[:, column], points)
    return expected


def test_bin_num_turns_every_column_into_its_bin_index(tmp_path: Path) -> None:
    guest, host = breast_guest(), breast_host()
    run = run_binning(PartyStores(tmp_path), guest, host, transform_param={"transform_type": "bin_num"})
    features, labels = output_rows(run.outputs(GUEST), guest.ids)
    assert np.array_equal(features, bins_of(guest, guest)) and np.array_equal(labels, guest.labels)
    assert header(run.outputs(GUEST)) == guest.header
    assert np.array_equal(output_rows(run.outputs(HOST), host.ids)[0], bins_of(host, host))


def test_woe_replaces_the_guests_values_and_leaves_the_hosts(tmp_path: Path) -> None:
    guest, host = breast_guest().head(150), breast_host()
    run = run_binning(PartyStores(tmp_path), guest, host, transform_param={"transform_type": "woe"})
    features, _ = output_rows(run.outputs(GUEST), guest.ids)
    assert guest.labels is not None
    for column in range(len(guest.header)):
        points = reference_split_points(guest.features[:, column])
        woe, _ = reference_woe_iv(guest.features[:, column], guest.labels, points)
        assert features[:, column] == pytest.approx(woe[reference_bins(guest.features[:, column], points)])
    assert np.array_equal(output_rows(run.outputs(HOST), host.ids)[0], host.features)


def test_by_default_the_rows_stay_unchanged(tmp_path: Path) -> None:
    guest, host = breast_guest().head(100), breast_host()
    run = run_binning(PartyStores(tmp_path), guest, host)
    assert np.array_equal(output_rows(run.outputs(GUEST), guest.ids)[0], guest.features)
    assert np.array_equal(output_rows(run.outputs(HOST), host.ids)[0], host.features)


def test_only_the_chosen_columns_are_transformed(tmp_path: Path) -> None:
    guest, host = breast_guest().head(100), breast_host()
    run = run_binning(PartyStores(tmp_path), guest, host, transform_param={"transform_cols": [0],
                                                                          "transform_names": ["x3"],
                                                                          "transform_type": "bin_num"})
    assert np.array_equal(output_rows(run.outputs(GUEST), guest.ids)[0], bins_of(guest, guest, [0, 3]))


def test_a_transformed_column_must_be_binned(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="transform_param names column 'x4', which is not binned"):
        run_binning(PartyStores(tmp_path), breast_guest().head(50), breast_host(), bin_indexes=[0, 1],
                    transform_param={"transform_cols": [4]}, local_only=True)


def test_an_unknown_column_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bin_names names column 'nope', which is not in the input's header"):
        run_binning(PartyStores(tmp_path), breast_guest().head(50), breast_host(), bin_indexes=None,
                    bin_names=["nope"], local_only=True)


def test_predict_replays_the_trained_split_points_without_sending_anything(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    guest, host = breast_guest(), breast_host()
    trained = run_binning(stores, guest.head(300), host.head(300), name="train",
                          transform_param={"transform_type": "bin_num"})
    models = trained_models(trained)
    predicted = run_binning(PartyStores(tmp_path / "predict"), guest, host, "predict", models)
    assert not predicted.transfers
    assert np.array_equal(output_rows(predicted.outputs(GUEST), guest.ids)[0], bins_of(guest, guest.head(300)))
    assert np.array_equal(output_rows(predicted.outputs(HOST), host.ids)[0], bins_of(host, host.head(300)))


def test_predict_with_woe_replays_the_guests_woe(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    guest, host = breast_guest().head(200), breast_host()
    trained = run_binning(stores, guest, host, name="train", transform_param={"transform_type": "woe"})
    models = trained_models(trained)
    predicted = run_binning(PartyStores(tmp_path / "predict"), guest, host, "predict", models)
    assert np.array_equal(output_rows(predicted.outputs(GUEST), guest.ids)[0],
                          output_rows(trained.outputs(GUEST), guest.ids)[0])
    assert np.array_equal(output_rows(predicted.outputs(HOST), host.ids)[0], host.features)


def test_predict_without_a_trained_model_or_with_other_columns_is_refused(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    guest = breast_guest().head(50)
    with pytest.raises(ValueError, match="component_0 \\(HeteroFeatureBinning\\) has no trained model"):
        run_binning(stores, guest, breast_host(), "predict", name="a")
    trained = run_binning(PartyStores(tmp_path / "train"), guest, breast_host(), local_only=True)
    renamed = Rows(guest.ids, [f"z{index}" for index in range(len(guest.header))], guest.features, guest.labels)
    models = trained_models(trained)
    with pytest.raises(ValueError, match="the input's columns differ from those component_0 was trained on"):
        run_binning(stores, renamed, breast_host(), "predict", models, name="b")


@pytest.mark.parametrize("given, path", [
    ({"bin_indexes": "all"}, "bin_indexes"),
    ({"bin_indexes": [0, -2]}, "bin_indexes"),
    ({"bin_names": [1]}, "bin_names"),
    ({"category_indexes": -1}, "category_indexes"),
    ({"adjustment_factor": 1.0}, "adjustment_factor"),
    ({"adjustment_factor": 0}, "adjustment_factor"),
    ({"method": "optimal"}, "method"),
    ({"bin_num": 0}, "bin_num"),
    ({"error": 1.5}, "error"),
    ({"transform_param": {"transform_type": "onehot"}}, "transform_param.transform_type"),
    ({"transform_param": {"transform_cols": "x0"}}, "transform_param.transform_cols"),
])
def test_bad_parameters_are_refused_naming_their_path(given: dict[str, Any], path: str) -> None:
    with pytest.raises(ParameterError) as raised:
        binning.SPEC.parameters(given)
    assert raised.value.path == path


def test_fates_parameters_and_defaults() -> None:
    params, unknown = binning.SPEC.parameters({"method": "Bucket", "cols": -1})
    assert params["method"] == "bucket" and unknown == ["cols"]
    assert {key: params[key] for key in ("bin_num", "error", "adjustment_factor", "bin_indexes", "local_only")} == \
        {"bin_num": 10, "error": 0.001, "adjustment_factor": 0.5, "bin_indexes": -1, "local_only": False}
    assert params["transform_param"] == {"transform_cols": -1, "transform_names": None, "transform_type": None}


def test_binning_is_a_built_in_module_run_by_guest_and_host_and_deployed() -> None:
    spec = BUILTIN["HeteroFeatureBinning"]
    assert spec is binning.SPEC and spec.roles == ("guest", "host") and spec.deploy
    assert [(v.name, v.src, v.dst) for v in spec.variables] == [
        ("paillier_pubkey", "guest", ("host",)), ("encrypted_label", "guest", ("host",)),
        ("encrypted_bin_sum", "host", ("guest",))]
