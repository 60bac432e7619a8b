"""HeteroFeatureBinning between a guest and a host: the guest's IV/WOE of its own columns and of the host's (from
encrypted counts) equal the same numbers computed centrally in the clear; bad labels and disjoint ids refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from component_harness import PartySetup, PartyStores, Run, run_component
from feature_tables import Rows, breast_guest, breast_host, reference_split_points, reference_woe_iv

from fate_runtime.components import binning
from fate_runtime.components.binning import hetero_binning_guest
from fate_runtime.components.binning.model import PARAM
from protos.binning_model_pb2 import FeatureBinningParam

GUEST, HOST = ("guest", "10000"), ("host", "9999")


@pytest.fixture(autouse=True)
def short_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hetero_binning_guest, "KEY_LENGTH", 256)  # the protocol is the same; 1024 is tested apart


def run_binning(tmp_path: Path, guest: Rows, host: Rows, **params: object) -> Run:
    stores = PartyStores(tmp_path)
    return run_component(binning.SPEC, stores, {
        GUEST: PartySetup(dict(params), {"data": [guest.table(stores[GUEST], "guest")]}),
        HOST: PartySetup(dict(params), {"data": [host.table(stores[HOST], "host")]})})


def guest_param(run: Run) -> FeatureBinningParam:
    return FeatureBinningParam.FromString(run.results[GUEST].models.saved["model"][PARAM])


def aligned_labels(guest: Rows, host: Rows) -> np.ndarray:
    labels = dict(zip(guest.ids, guest.labels if guest.labels is not None else []))
    return np.array([labels[key] for key in host.ids])


def test_guest_and_host_iv_equal_the_central_plaintext_computation(tmp_path: Path) -> None:
    guest, host = breast_guest(), breast_host()
    param = guest_param(run_binning(tmp_path, guest, host))
    assert guest.labels is not None
    for column, name in enumerate(guest.header):
        points = reference_split_points(guest.features[:, column])
        woe, iv = reference_woe_iv(guest.features[:, column], guest.labels, points)
        found = param.binning_result.binning_result[name]
        assert list(found.split_points) == points
        assert list(found.woe_array) == pytest.approx(list(woe)) and found.iv == pytest.approx(iv)
    [host_result] = param.host_results
    assert (host_result.role, host_result.party_id) == HOST
    labels = aligned_labels(guest, host)
    assert sorted(host_result.binning_result) == sorted(f"host.{index}" for index in range(len(host.header)))
    for column in range(len(host.header)):
        points = reference_split_points(host.features[:, column])
        woe, iv = reference_woe_iv(host.features[:, column], labels, points)
        found = host_result.binning_result[f"host.{column}"]
        assert list(found.split_points) == []  # the guest never learns them
        assert list(found.woe_array) == pytest.approx(list(woe)) and found.iv == pytest.approx(iv)
        assert sum(found.event_count_array) == int(labels.sum())


def test_host_keeps_its_split_points_and_learns_no_iv(tmp_path: Path) -> None:
    guest, host = breast_guest(), breast_host()
    run = run_binning(tmp_path, guest.head(200), host)
    param = FeatureBinningParam.FromString(run.results[HOST].models.saved["model"][PARAM])
    assert list(param.header) == host.header and not param.host_results
    for column, name in enumerate(host.header):
        result = param.binning_result.binning_result[name]
        assert list(result.split_points) == reference_split_points(host.features[:, column])
        assert result.iv == 0 and not result.woe_array and not result.event_count_array


def test_bins_without_events_get_the_adjustment_factor(tmp_path: Path) -> None:
    values = np.arange(40, dtype=float).reshape(-1, 1)
    labels = (values[:, 0] >= 20).astype(float)  # the lower half of the bins has no event, the upper no non-event
    ids = [str(i) for i in range(40)]
    guest = Rows(ids, ["x"], values, labels)
    host = Rows(ids, ["z"], values[::-1].copy())
    param = guest_param(run_binning(tmp_path, guest, host, bin_num=4, adjustment_factor=0.2))
    points = reference_split_points(values[:, 0], 4)
    woe, iv = reference_woe_iv(values[:, 0], labels, points, adjustment=0.2)
    found = param.binning_result.binning_result["x"]
    assert list(found.event_count_array) == [0, 0, 10, 10] and list(found.woe_array) == pytest.approx(list(woe))
    assert found.event_rate_array[0] == pytest.approx(0.2 / 20) and found.iv == pytest.approx(iv)
    assert param.host_results[0].binning_result["host.0"].iv == pytest.approx(iv)  # the same column, reversed ids


def test_local_only_bins_the_guest_alone(tmp_path: Path) -> None:
    run = run_binning(tmp_path, breast_guest().head(100), breast_host(), local_only=True)
    assert not guest_param(run).host_results and not run.transfers


def test_labels_that_are_not_0_or_1_are_refused(tmp_path: Path) -> None:
    guest = breast_guest().head(50)
    assert guest.labels is not None
    guest.labels[3] = 2.0
    with pytest.raises(ValueError, match="labels 0 or 1"):
        run_binning(tmp_path, guest, breast_host(), local_only=True)


def test_unlabelled_guest_rows_are_refused(tmp_path: Path) -> None:
    host = breast_host()
    with pytest.raises(ValueError, match="labels 0 or 1"):
        run_binning(tmp_path, host, host, local_only=True)


def test_a_host_sharing_no_id_with_the_guest_is_refused(tmp_path: Path) -> None:
    guest, host = breast_guest().head(30), breast_host()
    host.ids = [f"other-{key}" for key in host.ids]
    with pytest.raises(ValueError, match="no id of host 9999's rows is among the guest's"):
        run_binning(tmp_path, guest, host.head(30))


def test_one_label_only_is_refused(tmp_path: Path) -> None:
    guest = breast_guest().head(30)
    guest.labels = np.ones(30)
    with pytest.raises(ValueError, match="no row has label 0"):
        run_binning(tmp_path, guest, breast_host(), local_only=True)


def test_each_of_two_hosts_gets_its_own_result_at_the_guest(tmp_path: Path) -> None:
    guest, host = breast_guest().head(200), breast_host()
    first = Rows(host.ids, host.header[:10], host.features[:, :10])
    second = Rows(host.ids[:150], host.header[10:], host.features[:150, 10:])
    stores = PartyStores(tmp_path)
    other = ("host", "9998")
    run = run_component(binning.SPEC, stores, {
        GUEST: PartySetup({}, {"data": [guest.table(stores[GUEST], "guest")]}),
        HOST: PartySetup({}, {"data": [first.table(stores[HOST], "host")]}),
        other: PartySetup({}, {"data": [second.table(stores[other], "host")]})})
    results = {result.party_id: result for result in guest_param(run).host_results}
    assert sorted(results) == ["9998", "9999"]
    labels = dict(zip(guest.ids, guest.labels if guest.labels is not None else []))
    for rows, party in ((first, "9999"), (second, "9998")):
        shared = [index for index, key in enumerate(rows.ids) if key in labels]  # the host bins all its rows
        shared_labels = np.array([labels[rows.ids[index]] for index in shared])
        for column in range(len(rows.header)):
            _, iv = reference_woe_iv(rows.features[shared, column], shared_labels,
                                     reference_split_points(rows.features[:, column]))
            assert results[party].binning_result[f"host.{column}"].iv == pytest.approx(iv)
