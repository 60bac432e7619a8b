"""RSA for intersection: key generation, CRT signing, verification, blind signatures, keys from (n, e, d)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import gmpy2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fate_runtime.crypto.rsa import (DEFAULT_KEY_LENGTH, PUBLIC_EXPONENT, RsaPrivateKey, RsaPublicKey,
                                     generate_rsa_keypair, id_hash, signature_digest, signed_id)

RSA_EXAMPLE = Path("/work/shared/fate_examples/v1.2.0/fate_flow_examples/test_rsa_job_conf.json")


@pytest.fixture(scope="module")
def keys() -> tuple[RsaPublicKey, RsaPrivateKey]:
    return generate_rsa_keypair(512)  # short keys keep unit tests fast; the default length is tested below


def test_default_keys_have_exactly_1024_bits_and_e_65537():
    public, private = generate_rsa_keypair()
    assert DEFAULT_KEY_LENGTH == 1024 and public.n.bit_length() == 1024 and public.e == PUBLIC_EXPONENT
    assert private.p * private.q == public.n and gmpy2.is_prime(private.p) and gmpy2.is_prime(private.q)
    assert public.e * private.d % math.lcm(private.p - 1, private.q - 1) == 1


@pytest.mark.parametrize("bits", [255, 100, 513])
def test_short_or_odd_key_lengths_are_refused(bits):
    with pytest.raises(ValueError, match="even and at least 256 bits"):
        generate_rsa_keypair(bits)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**600))
def test_crt_signature_equals_plain_exponentiation_and_verifies(keys, value):
    public, private = keys
    signature = private.sign(value)
    assert signature == int(gmpy2.powmod(value, private.d, public.n))
    assert public.verify(value, signature) and public.encrypt(signature) == value % public.n


def test_edge_values_sign_to_themselves(keys):
    public, private = keys
    for value in (0, 1, public.n - 1):  # 0^d, 1^d and (-1)^d (d is odd)
        assert private.sign(value) == value


def test_a_wrong_signature_does_not_verify(keys):
    public, private = keys
    assert not public.verify(12345, private.sign(12345) + 1)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_blind_signature_unblinds_to_the_signature_of_the_hidden_value(keys, value):
    public, private = keys
    r = public.blinding_factor(128)
    blinded = public.blind(value, r)
    assert blinded != value % public.n or value in (0, 1)  # (the signer sees a masked number)
    assert public.unblind(private.sign(blinded), r) == private.sign(value)


def test_blinding_factors_are_random_invertible_and_within_their_bits(keys):
    public, _ = keys
    factors = {public.blinding_factor(128) for _ in range(50)}
    assert len(factors) == 50
    assert all(1 < r < 2**128 and gmpy2.gcd(r, public.n) == 1 for r in factors)


def test_a_key_from_n_e_d_recovers_its_primes_and_signs_as_the_generated_one(keys):
    public, private = keys
    rebuilt = RsaPrivateKey.from_exponents(public.n, public.e, private.d)
    assert {rebuilt.p, rebuilt.q} == {private.p, private.q}
    assert rebuilt.sign(987654321) == private.sign(987654321)


def test_the_rsa_example_key_is_consistent():
    params = json.loads(RSA_EXAMPLE.read_text())["algorithm_parameters"]["rsa_0"]
    key = RsaPrivateKey.from_exponents(params["rsa_key_n"], params["rsa_key_e"], params["rsa_key_d"])
    assert key.p * key.q == params["rsa_key_n"] and key.p.bit_length() == 512


@pytest.mark.parametrize("wrong_d", [lambda d: d + 2, lambda d: 1, lambda d: 0, lambda d: d * 3])
def test_a_d_that_does_not_belong_to_n_and_e_is_refused(keys, wrong_d):
    public, private = keys
    with pytest.raises(ValueError, match="d is not the private exponent"):
        RsaPrivateKey.from_exponents(public.n, public.e, wrong_d(private.d))


def test_public_keys_and_prime_pairs_are_checked(keys):
    public, private = keys
    with pytest.raises(ValueError, match="n > e >= 3"):
        RsaPublicKey(public.n, 1)
    with pytest.raises(ValueError, match="two distinct primes"):
        RsaPrivateKey(public, private.d, private.p, private.p)


def test_ids_hash_and_digest_as_fate_does():
    # FATE 1.2: int(sha256(str(id)).hexdigest(), 16), then sha256(str(signature)).hexdigest()
    assert id_hash("133") == int("d2f483672c0239f6d7dd3c9ecee6deacbcd59185855625902a8b1c1a3bd67440", 16)
    assert id_hash(133) == id_hash("133")
    assert signature_digest(10) == "4a44dc15364204a80fe80e9039455cc1608281820fe2b24f1e5233ade6af1dd5"


def test_a_signed_id_is_keyed_by_the_digest_of_the_signature_of_its_hash(keys):
    public, private = keys
    assert signed_id(private, "abc", "ignored value") == (
        signature_digest(int(gmpy2.powmod(id_hash("abc"), private.d, public.n))), "abc")
