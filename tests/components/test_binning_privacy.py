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
from fate_runtime.components.binning.secure_counts import decrypted_counts
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
    ciphertexts = list(labels.values())
    assert all(type(c) is int and public_key.n < c < public_key.nsquare for c in ciphertexts)
    assert len(set(ciphertexts)) == len(ciphertexts)  # fresh randomness: equal labels do not show
    for key, label in zip(guest.ids, guest.labels):
        assert private_key.decrypt(EncryptedNumber(public_key, labels[key], 0)) == label


def test_the_guest_receives_encrypted_sums_under_anonymous_names_only(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    guest, host = breast_guest().head(60), breast_host().head(60)
    run, stores, [(public_key, _)] = run_recording_keys(monkeypatch, tmp_path, guest, host, bin_num=100)
    [to_guest] = [transfer for transfer in run.transfers if transfer.dst == GUEST]
    assert to_guest.name == "encrypted_bin_sum" and not to_guest.was_table
    sums = decode(to_guest.payload)
    assert sorted(sums) == sorted(f"host.{index}" for index in range(len(host.header)))
    sent = set(received_label_table(stores).values())
    for column in sums.values():
        assert sum(count for _, count in column) == 60  # each bin's row count in the clear, as FATE's sums imply
        for events, count in column:
            assert type(events) is int and 0 < events < public_key.nsquare and type(count) is int
            assert events not in sent  # with one row per bin, an unrandomized sum would be its ciphertext
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


def test_the_guest_reads_only_bin_sums_whose_events_fit_their_counts() -> None:
    public_key, private_key = generate_keypair(512)
    sums = [[public_key.raw_encrypt(3), 5], [public_key.raw_encrypt(0), 0]]
    assert decrypted_counts(sums, private_key, "10000") == ([3, 0], [2, 0])
    for wrong in ([[public_key.raw_encrypt(6), 5]], [[public_key.raw_encrypt(public_key.n - 1), 5]]):
        with pytest.raises(ValueError, match="host 10000 sent bin sums whose events do not fit their row counts"):
            decrypted_counts(wrong, private_key, "10000")
    for unreadable in ([[public_key.raw_encrypt(1), -1]], [[public_key.raw_encrypt(1), 2.0]], [[0, 1]],
                       [[public_key.raw_encrypt(1), True]], "sums", [[public_key.raw_encrypt(1)]]):
        with pytest.raises(ValueError, match="host 10000 sent encrypted bin sums the guest cannot read"):
            decrypted_counts(unreadable, private_key, "10000")
