"""HeteroLR through the multi-party harness: the federated run equals the same algorithm in the clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from component_harness import PartySetup, PartyStores, Run, run_component
from fate_runtime.components import hetero_lr
from fate_runtime.components.hetero_lr.model import PARAM
from hetero_lr_reference import breast, joined, plaintext_hetero_lr
from protos.lr_model_pb2 import LRModelParam

GUEST, HOST, ARBITER = ("guest", "9999"), ("host", "10000"), ("arbiter", "10001")
GUEST_DATA, HOST_DATA = breast("breast_b.csv", True), breast("breast_a.csv", False)


def _params(**given: Any) -> dict[str, Any]:
    return {"penalty": "L2", "alpha": 0.01, "optimizer": "rmsprop", "learning_rate": 0.15, "max_iter": 3,
            "init_param": {"init_method": "random_uniform", "random_seed": 7}, **given}


def _train(tmp_path: Path, params: dict[str, Any], guest_data: Any = GUEST_DATA, host_data: Any = HOST_DATA) -> Run:
    stores = PartyStores(tmp_path)
    return run_component(hetero_lr.SPEC, stores, {
        GUEST: PartySetup(params, {"train_data": [guest_data.table(stores[GUEST], "guest")]}),
        HOST: PartySetup(params, {"train_data": [host_data.table(stores[HOST], "host")]}),
        ARBITER: PartySetup(params)}, component="hetero_lr_0", timeout=120)


def _weights(run: Run, party: tuple[str, str]) -> tuple[np.ndarray, float, LRModelParam]:
    param = LRModelParam.FromString(run.results[party].models.saved["model"][PARAM])
    return np.array([param.weight[name] for name in param.header]), param.intercept, param


def _scores(run: Run) -> tuple[np.ndarray, np.ndarray]:
    rows = dict(run.outputs(GUEST).collect())
    ids = GUEST_DATA.ids
    return np.array([rows[key][0] for key in ids]), np.array([rows[key][2] for key in ids])


@pytest.mark.parametrize("optimizer", ["rmsprop", "sgd", "adam", "adagrad", "nesterov_momentum_sgd"])
def test_federated_weights_equal_the_plaintext_algorithm(tmp_path: Path, optimizer: str) -> None:
    params = hetero_lr.SPEC.parameters(_params(optimizer=optimizer))[0]
    run = _train(tmp_path, params)
    guest_w, intercept, guest_param = _weights(run, GUEST)
    host_w, _, host_param = _weights(run, HOST)
    expected_guest, expected_host, expected_losses = plaintext_hetero_lr(params, *joined(GUEST_DATA, HOST_DATA))
    assert np.allclose(guest_w, expected_guest[:-1], atol=1e-6) and abs(intercept - expected_guest[-1]) < 1e-6
    assert np.allclose(host_w, expected_host, atol=1e-6)
    arbiter_param = LRModelParam.FromString(run.results[ARBITER].models.saved["model"][PARAM])
    assert np.allclose(arbiter_param.loss_history, expected_losses, atol=1e-6)
    assert list(guest_param.loss_history) == list(arbiter_param.loss_history) and guest_param.iters == 3
    assert list(host_param.header) == HOST_DATA.header and list(guest_param.header) == GUEST_DATA.header
    metric = run.results[ARBITER].tracker.metrics[("train", "loss")]
    assert [iteration for iteration, _ in metric] == [0, 1, 2]


def test_the_seed_job_settings_reach_the_auc_of_a_central_lr(tmp_path: Path) -> None:
    params = hetero_lr.SPEC.parameters(_params(max_iter=30))[0]
    run = _train(tmp_path, params)
    labels, scores = _scores(run)
    guest_x, host_x, y = joined(GUEST_DATA, HOST_DATA)
    central = LogisticRegression(C=1.0 / (0.01 * len(y)), max_iter=1000).fit(np.hstack([guest_x, host_x]), y)
    central_auc = roc_auc_score(y, central.decision_function(np.hstack([guest_x, host_x])))
    auc = roc_auc_score(labels, scores)
    assert np.array_equal(labels, y)
    assert auc >= 0.98 and abs(auc - central_auc) <= 0.01, (auc, central_auc)


def test_mini_batches_train_to_the_same_quality(tmp_path: Path) -> None:
    params = hetero_lr.SPEC.parameters(_params(batch_size=100, max_iter=5, optimizer="adam", learning_rate=0.05,
                                                    init_param={"init_method": "zeros"}))[0]
    run = _train(tmp_path, params)
    labels, scores = _scores(run)
    assert roc_auc_score(labels, scores) >= 0.98
    assert len(run.results[ARBITER].tracker.metrics[("train", "loss")]) == 5


def test_the_output_rows_are_fates_prediction_rows(tmp_path: Path) -> None:
    run = _train(tmp_path, hetero_lr.SPEC.parameters(_params(max_iter=1))[0])
    output = run.outputs(GUEST)
    assert output.schema["header"] == ["label", "predict_result", "predict_score", "predict_detail", "type"]
    assert output.count() == len(GUEST_DATA.ids)
    label, predicted, score, detail, kind = output.get(GUEST_DATA.ids[0])
    assert kind == "train" and predicted == int(score > 0.5) and detail == {"0": 1.0 - score, "1": score}
    assert "data" not in run.results[HOST].tracker.outputs


def test_early_stop_abs_ends_training_when_the_loss_is_small(tmp_path: Path) -> None:
    params = hetero_lr.SPEC.parameters(_params(max_iter=10, early_stop="abs", tol=1.0,
                                                    init_param={"init_method": "zeros"}))[0]
    run = _train(tmp_path, params)
    _, _, param = _weights(run, GUEST)
    assert param.iters == 1 and param.is_converged


def test_early_stop_weight_diff_compares_the_weights_change(tmp_path: Path) -> None:
    params = hetero_lr.SPEC.parameters(_params(max_iter=10, early_stop="weight_diff", tol=100.0))[0]
    run = _train(tmp_path, params)
    assert _weights(run, HOST)[2].iters == 1 and _weights(run, HOST)[2].is_converged


def test_2048_bit_keys_give_the_same_weights(tmp_path: Path) -> None:
    params = hetero_lr.SPEC.parameters(_params(optimizer="sgd", max_iter=2, encrypt_param={"key_length": 2048}))[0]
    run = _train(tmp_path, params)
    expected_guest, expected_host, _ = plaintext_hetero_lr(params, *joined(GUEST_DATA, HOST_DATA))
    assert np.allclose(_weights(run, GUEST)[0], expected_guest[:-1], atol=1e-6)
    assert np.allclose(_weights(run, HOST)[0], expected_host, atol=1e-6)


def test_two_hosts_each_learn_their_own_columns(tmp_path: Path) -> None:
    params = hetero_lr.SPEC.parameters(_params(optimizer="adam", max_iter=3, early_stop="weight_diff"))[0]
    first, second = HOST_DATA.columns(slice(0, 12)), HOST_DATA.columns(slice(12, 20))
    other = ("host", "10002")
    stores = PartyStores(tmp_path)
    run = run_component(hetero_lr.SPEC, stores, {
        GUEST: PartySetup(params, {"train_data": [GUEST_DATA.table(stores[GUEST], "guest")]}),
        HOST: PartySetup(params, {"train_data": [first.table(stores[HOST], "host")]}),
        other: PartySetup(params, {"train_data": [second.table(stores[other], "host")]}),
        ARBITER: PartySetup(params)}, component="hetero_lr_0", timeout=120)
    guest_x, host_x, y = joined(GUEST_DATA, HOST_DATA)
    expected_guest, expected_host, _ = plaintext_hetero_lr(params, guest_x, host_x, y, host_split=12)
    assert np.allclose(_weights(run, GUEST)[0], expected_guest[:-1], atol=1e-6)
    assert np.allclose(np.concatenate([_weights(run, HOST)[0], _weights(run, other)[0]]), expected_host, atol=1e-6)
    assert ("train", "loss") not in run.results[ARBITER].tracker.metrics  # (as FATE: no loss with several hosts)
