"""What crosses between the parties in HeteroFeatureBinning: the host receives the public key and ciphertexts of the
labels only; the guest receives re-randomized encrypted sums under anonymous names - no host value, split point or
column name; nothing secret reaches a log line."""

from __future__ import annotations

import logging
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from component_harness import PartySetup, PartyStores, Run, run_component
from feature_tables import Rows, breast_guest, breast_host, reference_split_points

from fate_runtime.components import binning
from fate_runtime.components.binning import hetero_binning_guest
from fate_runtime.crypto import EncryptedNumber, PrivateKey, PublicKey, generate_keypair
from storage import decode

GUEST, HOST = ("guest", "10000"), ("host", "9999")


def run_recording_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, guest: Rows, host: Rows,
                       key_length: int | None = 256, **params: object) -> tuple[Run, PartyStores, list[Any]]:
    keys: list[tuple[PublicKey, PrivateKey]] = []

    def recorded(n_length: int) -> tuple[PublicKey, PrivateKey]:
        keys.append(generate_keypair(key_length or n_length))
        return keys[-1]

    monkeypatch.setattr(hetero_binning_guest, "generate_keypair", recorded)
    stores = PartyStores(tmp_path)
    run = run_component(binning.SPEC, stores, {
        GUEST: PartySetup(dict(params), {"data": [guest.table(stores[GUEST], "guest")]}),
        HOST: PartySetup(dict(params), {"data": [host.table(stores[HOST], "host")]})})
    return run, stores, keys


def received_label_table(stores: PartyStores) -> dict[str, Any]:
    [meta] = stores[HOST].list_tables("__received__")
    return dict(stores[HOST].table("__received__", meta.name).collect())


def packed_floats(values: np.ndarray) -> set[bytes]:
    """How msgpack writes each of these numbers (0xcb and the big-endian double)."""
    return {b"\xcb" + struct.pack(">d", float(value)) for value in values.ravel()}


def test_the_host_receives_the_public_key_and_label_ciphertexts_only(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    guest, host = breast_guest().head(80), breast_host()
    run, stores, [(public_key, private_key)] = run_recording_keys(monkeypatch, tmp_path, guest, host)
    to_host = [transfer for transfer in run.transfers if transfer.dst == HOST]
    assert sorted(transfer.name for transfer in to_host) == ["encrypted_label", "paillier_pubkey"]
    assert decode(next(t for t in to_host if t.name == "paillier_pubkey").payload) == public_key.n
    labels = received_label_table(stores)
    assert guest.labels is not None and sorted(labels) == sorted(guest.ids)
    ciphertexts = [ciphertext for pair in labels.values() for ciphertext in pair]
    assert all(type(c) is int and public_key.n < c < public_key.nsquare for c in ciphertexts)
    assert len(set(ciphertexts)) == len(ciphertexts)  # fresh randomness: equal labels do not show
    for key, label in zip(guest.ids, guest.labels):
        event, non_event = (private_key.decrypt(EncryptedNumber(public_key, c, 0)) for c in labels[key])
        assert (event, non_event) == (label, 1 - label)


def test_the_guest_receives_encrypted_sums_under_anonymous_names_only(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    guest, host = breast_guest().head(60), breast_host().head(60)
    run, stores, [(public_key, _)] = run_recording_keys(monkeypatch, tmp_path, guest, host, bin_num=100)
    [to_guest] = [transfer for transfer in run.transfers if transfer.dst == GUEST]
    assert to_guest.name == "encrypted_bin_sum" and not to_guest.was_table
    sums = decode(to_guest.payload)
    assert sorted(sums) == sorted(f"host.{index}" for index in range(len(host.header)))
    sent = {ciphertext for pair in received_label_table(stores).values() for ciphertext in pair}
    for column in sums.values():
        for pair in column:
            assert all(type(c) is int and 0 < c < public_key.nsquare for c in pair)
            assert not sent.intersection(pair)  # with one row per bin, an unrandomized sum would be its ciphertext
    host_points = [point for column in range(len(host.header))
                   for point in reference_split_points(host.features[:, column], 100)]
    secrets = packed_floats(host.features) | packed_floats(np.array(host_points))
    assert not any(secret in to_guest.payload for secret in secrets)


def test_the_guest_makes_a_1024_bit_key_as_fate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run, _, [(public_key, _)] = run_recording_keys(monkeypatch, tmp_path, breast_guest().head(12),
                                                   breast_host().head(12), key_length=None, bin_num=2)
    assert public_key.n.bit_length() == 1024
    assert run.results[GUEST].models.saved["model"]


def test_no_key_label_or_value_in_the_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    guest, host = breast_guest().head(40), breast_host().head(40)
    _, _, [(public_key, private_key)] = run_recording_keys(monkeypatch, tmp_path, guest, host)
    text = caplog.text
    assert "split points of" in text  # the components did log
    for secret in (public_key.n, private_key.p, private_key.q):
        assert str(secret) not in text
    for value in np.concatenate((guest.features.ravel(), host.features.ravel())):
        assert f"{value:.6f}" not in text and repr(float(value)) not in text
