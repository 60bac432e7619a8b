"""HeteroLR's privacy (what crosses between parties), its predict path and its answers to bad input."""

from __future__ import annotations

import logging
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from component_harness import PartySetup, PartyStores, Run, Transfer, run_component
from fate_runtime.components import ParameterError, hetero_lr
from fate_runtime.crypto import generate_keypair
from fate_runtime.components.hetero_lr.blocks import Layout
from fate_runtime.components.hetero_lr.cipher_blocks import FORWARD_EXPONENT, CipherBlock
from fate_runtime.components.hetero_lr.training import ConvergeInfo
from hetero_lr_reference import PartyData, breast
from storage import decode

GUEST, HOST, ARBITER = ("guest", "9999"), ("host", "10000"), ("arbiter", "10001")
GUEST_DATA, HOST_DATA = breast("breast_b.csv", True), breast("breast_a.csv", False)
PARAMS = {"optimizer": "sgd", "learning_rate": 0.15, "max_iter": 2, "batch_size": 300,
          "init_param": {"init_method": "zeros"}}


def _train(tmp_path: Path, params: dict[str, Any] = PARAMS, guest_data: PartyData = GUEST_DATA,
           host_data: PartyData = HOST_DATA, timeout: float = 120) -> tuple[Run, PartyStores]:
    stores = PartyStores(tmp_path)
    run = run_component(hetero_lr.SPEC, stores, {
        GUEST: PartySetup(params, {"train_data": [guest_data.table(stores[GUEST], "guest")]}),
        HOST: PartySetup(params, {"train_data": [host_data.table(stores[HOST], "host")]}),
        ARBITER: PartySetup(params)}, component="hetero_lr_0", timeout=timeout)
    return run, stores


def _float_patterns(features: np.ndarray) -> set[bytes]:
    """The bytes a feature value has in the codec (msgpack doubles, big-endian) and in numpy arrays."""
    values = {float(v) for v in features.ravel() if v not in (0.0, 1.0, -1.0)}
    return {struct.pack(">d", v) for v in values} | {struct.pack("<d", v) for v in values}


def _is_ciphertext(value: int, n: int) -> bool:
    return n < value < n * n  # a Paillier ciphertext is mod n^2; a clear number is far below n


def test_every_party_sends_only_what_the_protocol_allows(tmp_path: Path) -> None:
    run, _ = _train(tmp_path)
    n = next(decode(t.payload) for t in run.transfers if t.name == "paillier_pubkey")
    guest_patterns, host_patterns = _float_patterns(GUEST_DATA.features), _float_patterns(HOST_DATA.features)
    for transfer in run.transfers:
        sender = transfer.src[0]
        patterns = guest_patterns if sender == "guest" else host_patterns if sender == "host" else set()
        assert not any(p in transfer.payload for p in patterns), f"raw {sender} features in {transfer.name}"
        for value in transfer.values():
            if transfer.name in ("host_forward", "fore_gradient", "guest_masked_gradient", "host_masked_gradient"):
                assert isinstance(value, CipherBlock) and all(_is_ciphertext(c, n) for c in value.ciphertexts)
                assert value.exponent == FORWARD_EXPONENT  # (not a gradient column's: that tells a feature's scale)
            elif transfer.name in ("loss", "host_loss_part"):
                assert _is_ciphertext(value[0], n)
            elif transfer.name in ("guest_decrypted_gradient", "host_decrypted_gradient"):
                assert all(abs(v) > n >> 64 for v in value), "the arbiter returned an unmasked gradient"
            elif transfer.name == "batch_layout":
                assert isinstance(value, Layout)
            elif transfer.name == "host_prob":  # after training: the host's clear partial scores, as FATE
                assert isinstance(value, np.ndarray) and value.ndim == 1
            else:
                assert transfer.name in ("paillier_pubkey", "batch_info", "host_missing_rows", "converge_info")
                assert isinstance(value, (int, ConvergeInfo))
    labels_out = [t for t in run.transfers if t.src[0] == "guest" and t.dst[0] != "guest"]
    assert {t.name for t in labels_out} == {"batch_layout", "batch_info", "fore_gradient", "guest_masked_gradient",
                                            "loss"}


def test_no_feature_label_or_key_appears_in_the_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    run, _ = _train(tmp_path)
    text = caplog.text
    assert "loss" in text  # (the arbiter logs each iteration's loss)
    for value in list(GUEST_DATA.features[:20].ravel()) + list(HOST_DATA.features[:20].ravel()):
        assert repr(float(value)) not in text and f"{value:.6f}" not in text
    n = next(decode(t.payload) for t in run.transfers if t.name == "paillier_pubkey")
    assert str(n) not in text and str(n)[:30] not in text


def test_a_predict_job_scores_as_training_did(tmp_path: Path) -> None:
    run, stores = _train(tmp_path)
    trained = dict(run.outputs(GUEST).collect())
    models = {party: {"model": {"hetero_lr_0": run.results[party].models.saved["model"]}}
              for party in (GUEST, HOST)}
    predicted = run_component(hetero_lr.SPEC, stores, {
        GUEST: PartySetup(PARAMS, {"eval_data": [GUEST_DATA.table(stores[GUEST], "guest_eval")]}, models[GUEST]),
        HOST: PartySetup(PARAMS, {"eval_data": [HOST_DATA.table(stores[HOST], "host_eval")]}, models[HOST]),
        ARBITER: PartySetup(PARAMS)}, component="hetero_lr_0", job_type="predict",
        job_id="20261203000000000002")
    rows = dict(predicted.outputs(GUEST).collect())
    assert rows.keys() == trained.keys()
    for key, row in rows.items():
        assert row[4] == "predict" and row[:4] == trained[key][:4]


def test_labels_other_than_0_and_1_are_refused(tmp_path: Path) -> None:
    bad = PartyData(GUEST_DATA.ids, GUEST_DATA.header, GUEST_DATA.features,
                    np.where(np.arange(len(GUEST_DATA.ids)) < 3, 2.0, GUEST_DATA.labels))
    with pytest.raises(ValueError, match="binary and needs labels 0 and 1: 3 rows of the guest have another label"):
        _train(tmp_path, guest_data=bad, timeout=2)


def test_a_host_without_the_guests_ids_is_named(tmp_path: Path) -> None:
    other_ids = PartyData([f"h{key}" for key in HOST_DATA.ids], HOST_DATA.header, HOST_DATA.features, None)
    with pytest.raises(ValueError, match="host 10000 has none of the guest's ids: no overlapping ids"):
        _train(tmp_path, host_data=other_ids, timeout=2)


@pytest.mark.parametrize("given, message", [
    ({"max_iter": 0}, "max_iter must be at least 1, got 0"),
    ({"optimizer": "sqn"}, "optimizer must be one of sgd, rmsprop, adam, adagrad, nesterov_momentum_sgd, got 'sqn'"),
    ({"encrypt_param": {"key_length": 512}}, "encrypt_param.key_length must be one of 1024, 2048, 3072, 4096"),
])
def test_bad_parameters_are_refused_naming_the_parameter(given: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        hetero_lr.SPEC.parameters(given)


def test_a_batch_size_below_fates_minimum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size must be -1 \\(all rows\\) or at least 10, got 5"):
        _train(tmp_path, params={**PARAMS, "batch_size": 5}, timeout=2)


def test_a_public_key_weaker_than_the_jobs_key_length_is_refused(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fate_runtime.components.hetero_lr import arbiter
    monkeypatch.setattr(arbiter, "generate_keypair", lambda bits: generate_keypair(512))
    with pytest.raises(ValueError, match="the arbiter's public key is not a 1024-bit Paillier modulus"):
        _train(tmp_path, timeout=2)
