"""HeteroFeatureSelection's filters between a guest and a host, each against its definition computed in numpy:
unique value (FATE's default, the seed job's), IV value and percentile on the binning model, coefficient of
variation, outlier, manual; filters in sequence, the columns left unjudged, keeping one column at least."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from component_harness import Run
from feature_tables import GUEST, HOST, Rows, Selection, breast_guest, breast_host, kept

from fate_runtime.components.binning import hetero_binning_guest
from fate_runtime.components.binning.model import PARAM as BINNING_PARAM
from fate_runtime.components.instances import instance_block
from fate_runtime.components.selection.model import META, PARAM
from protos.binning_model_pb2 import FeatureBinningParam
from protos.selection_model_pb2 import FeatureSelectionMeta, FeatureSelectionParam


@pytest.fixture(autouse=True)
def short_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hetero_binning_guest, "KEY_LENGTH", 256)


def param(run: Run, party: tuple[str, str] = GUEST) -> FeatureSelectionParam:
    return FeatureSelectionParam.FromString(run.results[party].models.saved["model"][PARAM])


def with_constant_column(rows: Rows) -> Rows:
    return Rows(rows.ids, rows.header + ["same"], np.hstack([rows.features, np.full((len(rows.ids), 1), 3.0)]),
                rows.labels)


def test_fates_default_unique_value_filter_drops_constant_columns_only(tmp_path: Path) -> None:
    guest, host = with_constant_column(breast_guest().head(120)), with_constant_column(breast_host())
    run = Selection(tmp_path, guest, host).run(isometric=False)
    assert kept(run, GUEST) == guest.header[:-1] and kept(run, HOST) == host.header[:-1]
    assert not run.transfers
    meta = FeatureSelectionMeta.FromString(run.results[GUEST].models.saved["model"][META])
    assert list(meta.filter_methods) == ["unique_value"] and meta.unique_meta.eps == 1e-5
    values = param(run).results[0].feature_values
    assert values["same"] == 0 and values["x0"] == pytest.approx(np.ptp(guest.features[:, 0]))
    rows = instance_block(run.outputs(GUEST).collect())
    position = rows.ids.index(guest.ids[0])
    assert np.array_equal(rows.features[position], guest.features[0, :-1]) and rows.labels is not None


def test_iv_value_threshold_keeps_columns_above_it_on_both_sides(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest(), breast_host())
    run = setup.run(filter_methods=["iv_value_thres"], iv_value_param={"value_threshold": 1.5})
    guest_ivs, host_ivs = setup.ivs(GUEST), setup.ivs(HOST)
    assert kept(run, GUEST) == [name for name in setup.guest.header if guest_ivs[name] > 1.5]
    assert kept(run, HOST) == [name for index, name in enumerate(setup.host.header) if host_ivs[f"host.{index}"] > 1.5]
    assert 0 < len(kept(run, HOST)) < len(setup.host.header) and 0 < len(kept(run, GUEST)) < len(setup.guest.header)
    result = param(run).results[0]
    assert dict(result.host_feature_values[0].feature_values) == pytest.approx(host_ivs)
    assert set(result.host_left_cols[0].left_cols) == {name for name, iv in host_ivs.items() if iv > 1.5}
    assert not param(run, HOST).results[0].feature_values  # the host learns no IV


def test_host_thresholds_apply_per_host(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest(), breast_host())
    run = setup.run(filter_methods=["iv_value_thres"], iv_value_param={"value_threshold": 0.0,
                                                                       "host_thresholds": [2.0]})
    assert kept(run, GUEST) == setup.guest.header
    host_ivs = setup.ivs(HOST)
    assert kept(run, HOST) == [name for index, name in enumerate(setup.host.header) if host_ivs[f"host.{index}"] > 2]


def test_iv_percentile_keeps_the_top_columns_of_both_sides_as_fate(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest(), breast_host())
    run = setup.run(filter_methods=["iv_percentile"], iv_percentile_param={"percentile_threshold": 0.5})
    everything = sorted(list(setup.ivs(GUEST).values()) + list(setup.ivs(HOST).values()), reverse=True)
    threshold = everything[math.floor(0.5 * 30 - 1e-6)]  # FATE's index: the 15th highest, itself not kept
    assert len(kept(run, GUEST)) + len(kept(run, HOST)) == 14
    assert all(setup.ivs(GUEST)[name] > threshold for name in kept(run, GUEST))


def test_local_only_iv_filters_leave_the_hosts_columns(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest(), breast_host())
    run = setup.run(filter_methods=["iv_value_thres"], iv_value_param={"value_threshold": 1.5, "local_only": True})
    assert not run.transfers and kept(run, HOST) == setup.host.header
    assert len(kept(run, GUEST)) < len(setup.guest.header)


def test_coefficient_of_variation_filter(tmp_path: Path) -> None:
    guest, host = breast_guest().head(200), breast_host()
    run = Selection(tmp_path, guest, host).run(isometric=False, filter_methods=["coefficient_of_variation_value_thres"],
                                               variance_coe_param={"value_threshold": 30.7})
    for rows, party in ((guest, GUEST), (host, HOST)):
        variation = np.abs(rows.features.std(axis=0) / rows.features.mean(axis=0))
        assert kept(run, party) == [name for name, value in zip(rows.header, variation) if value >= 30.7]
    assert len(kept(run, GUEST)) == 5  # of 10 (the host's columns are standardized: means near 0, all kept)
    assert dict(param(run).results[0].feature_values)["x1"] == pytest.approx(
        abs(guest.features[:, 1].std() / guest.features[:, 1].mean()))


def test_outlier_filter_drops_columns_whose_percentile_reaches_the_threshold(tmp_path: Path) -> None:
    guest, host = breast_guest(), breast_host()
    run = Selection(tmp_path, guest, host).run(isometric=False, filter_methods=["outlier_cols"],
                                               outlier_param={"percentile": 0.9, "upper_threshold": 1.2})
    for rows, party in ((guest, GUEST), (host, HOST)):
        ordered = np.sort(rows.features, axis=0)
        at_percentile = ordered[math.ceil(0.9 * len(rows.ids)) - 1]
        assert kept(run, party) == [name for name, value in zip(rows.header, at_percentile) if value < 1.2]
        assert 0 < len(kept(run, party)) < len(rows.header)


def test_manual_filter_by_index_and_name(tmp_path: Path) -> None:
    guest, host = breast_guest().head(80), breast_host()
    run = Selection(tmp_path, guest, host).run(isometric=False, filter_methods=["manually"], manually_param={
        "filter_out_indexes": [0, 5], "filter_out_names": ["x7"]})
    assert kept(run, GUEST) == [name for name in guest.header if name not in ("x0", "x5", "x7")]
    meta = FeatureSelectionMeta.FromString(run.results[GUEST].models.saved["model"][META])
    assert sorted(meta.manually_meta.filter_out_names) == ["x0", "x5", "x7"]


def test_filters_in_sequence_judge_what_the_earlier_kept_and_leave_unselected_columns(tmp_path: Path) -> None:
    setup = Selection(tmp_path, breast_guest(), breast_host())
    run = setup.run(select_col_indexes=[0, 1, 2, 3, 4, 5], filter_methods=["manually", "iv_value_thres"],
                    manually_param={"filter_out_names": ["x1"]}, iv_value_param={"value_threshold": 2.5})
    guest_ivs = setup.ivs(GUEST)
    expected = [name for index, name in enumerate(setup.guest.header)
                if index > 5 or (name != "x1" and guest_ivs[name] > 2.5)]
    assert kept(run, GUEST) == expected and "x1" not in expected
    iv_round = param(run).results[1]
    assert sorted(iv_round.feature_values) == sorted(name for name in ("x0", "x2", "x3", "x4", "x5"))
    assert list(param(run).final_left_cols.original_cols) == setup.guest.header[:6]
    assert set(param(run).final_left_cols.left_cols) == set(expected)


def test_a_filter_that_would_drop_every_judged_column_keeps_the_best(tmp_path: Path) -> None:
    guest, host = breast_guest().head(200), breast_host()
    run = Selection(tmp_path, guest, host).run(isometric=False, filter_methods=["unique_value"],
                                               unique_param={"eps": 1000.0})
    spread = np.ptp(guest.features, axis=0)
    assert kept(run, GUEST) == [guest.header[int(np.argmax(spread))]]
    setup = Selection(tmp_path / "iv", breast_guest(), breast_host())
    run = setup.run(filter_methods=["iv_value_thres"], iv_value_param={"value_threshold": 100.0})
    assert kept(run, GUEST) == [setup.guest.header[-1]]  # as FATE: the last judged column with an IV


def test_two_hosts_are_judged_each_with_its_threshold(tmp_path: Path) -> None:
    guest, host = breast_guest(), breast_host()
    other = ("host", "9998")
    setup = Selection(tmp_path, guest, Rows(host.ids, host.header[:10], host.features[:, :10]))
    setup.inputs[other] = Rows(host.ids, host.header[10:], host.features[:, 10:]).table(setup.stores[other], "host")
    run = setup.run(filter_methods=["iv_value_thres"], iv_value_param={"value_threshold": 0.0,
                                                                       "host_thresholds": [1.0, 2.0]})
    param = FeatureBinningParam.FromString(setup.binning.results[GUEST].models.saved["model"][BINNING_PARAM])
    results = {result.party_id: result for result in param.host_results}
    for party, threshold in ((HOST, 1.0), (other, 2.0)):
        ivs = {name: column.iv for name, column in results[party[1]].binning_result.items()}
        names = host.header[:10] if party == HOST else host.header[10:]
        assert kept(run, party) == [name for index, name in enumerate(names) if ivs[f"host.{index}"] > threshold]
