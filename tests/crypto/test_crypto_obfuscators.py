"""Blinding factors: both modes give n-th residues that blind encryptions correctly, differ from draw to draw,
survive pickling (the table rebuilt in another process) and the fixed-base ones equal h^s."""

from __future__ import annotations

import pickle
import secrets

import gmpy2
import pytest

from fate_runtime.crypto import Obfuscators, PrivateKey, PublicKey, generate_keypair
from fate_runtime.crypto import obfuscators as obfuscators_module


@pytest.fixture(scope="module")
def keys() -> tuple[PublicKey, PrivateKey]:
    return generate_keypair(512)


def is_nth_residue(private: PrivateKey, value: int) -> bool:
    """x is an n-th residue mod n^2 exactly when it decrypts, as a ciphertext, to 0."""
    return private.raw_decrypt(value) == 0


@pytest.mark.parametrize("mode", ["fixed_base", "fresh"])
def test_factors_are_distinct_nth_residues_that_blind_encryptions(keys, mode):
    public, private = keys
    factors = Obfuscators(public, mode).take(20)
    assert len(factors) == 20 and len(set(factors)) == 20
    assert all(0 < x < public.nsquare and is_nth_residue(private, x) for x in factors)
    assert [private.raw_decrypt(public.raw_encrypt(41, x)) for x in factors] == [41] * 20


def test_a_fixed_base_factor_is_the_base_to_a_256_bit_exponent(keys, monkeypatch):
    public, _ = keys
    source = Obfuscators(public, "fixed_base")
    exponent = secrets.token_bytes(32)
    monkeypatch.setattr(obfuscators_module.secrets, "token_bytes", lambda count: exponent)
    [factor] = source.take(1)
    assert factor == gmpy2.powmod(source.base, int.from_bytes(exponent, "little"), public.nsquare)


def test_each_source_draws_its_own_base_and_fresh_mode_has_none(keys):
    public, _ = keys
    assert Obfuscators(public).base != Obfuscators(public).base
    assert Obfuscators(public, "fresh").base is None


def test_a_pickled_source_keeps_its_base_and_rebuilds_its_table(keys, monkeypatch):
    public, private = keys
    source = Obfuscators(public)
    copy = pickle.loads(pickle.dumps(source))
    assert (copy.public_key, copy.mode, copy.base) == (source.public_key, source.mode, source.base)
    obfuscators_module._fixed_base_table.cache_clear()  # as in a fresh worker process
    exponent = bytes(range(32))
    monkeypatch.setattr(obfuscators_module.secrets, "token_bytes", lambda count: exponent)
    assert copy.take(1) == source.take(1)
    assert len(pickle.dumps(source)) < 1000  # the table does not travel


def test_zero_factors_and_refusals(keys):
    public, _ = keys
    assert Obfuscators(public).take(0) == [] and Obfuscators(public, "fresh").take(0) == []
    with pytest.raises(ValueError, match="cannot take -1"):
        Obfuscators(public).take(-1)
    with pytest.raises(ValueError, match="mode must be one of fixed_base, fresh, got 'short'"):
        Obfuscators(public, "short")
    with pytest.raises(ValueError, match="fixed base"):
        Obfuscators(public, "fresh", base=4)
    with pytest.raises(ValueError, match="fixed base"):
        Obfuscators(public, "fixed_base", base=public.nsquare)


def test_a_given_base_is_used(keys):
    public, private = keys
    base = public.obfuscator()
    source = Obfuscators(public, "fixed_base", base)
    assert source.base == base and all(is_nth_residue(private, x) for x in source.take(3))


def test_a_process_keeps_one_source_per_key_and_mode(keys):
    public, _ = keys
    source = obfuscators_module.process_obfuscators(public.n)
    assert source is obfuscators_module.process_obfuscators(public.n) and source.mode == "fixed_base"
    fresh = obfuscators_module.process_obfuscators(public.n, "fresh")
    assert fresh is not source and fresh.base is None
