"""Paillier: every homomorphic operation, negative numbers, edge values, overflow detection, key lengths."""

from __future__ import annotations

import math

import gmpy2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fate_runtime.crypto import KEY_LENGTHS, OverflowDetected, PrivateKey, PublicKey, generate_keypair
from fate_runtime.crypto.paillier import EncryptedNumber, decode, encode

# floats over the range the components use (exponents close enough to align under a 512-bit key)
FLOATS = st.one_of(st.just(0.0), st.floats(min_value=1e-30, max_value=1e12),
                   st.floats(min_value=-1e12, max_value=-1e-30))
INTS = st.integers(min_value=-(2**200), max_value=2**200)


@pytest.fixture(scope="module")
def keys() -> tuple[PublicKey, PrivateKey]:
    return generate_keypair(512)  # small keys keep unit tests fast; real lengths below and in integration tests


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(INTS)
def test_integers_decrypt_exactly(keys, value):
    public, private = keys
    assert private.decrypt(public.encrypt(value)) == value


@settings(max_examples=30, deadline=None)
@given(FLOATS, FLOATS)
def test_encrypted_plus_encrypted_minus_and_negation(keys, a, b):
    public, private = keys
    x, y = public.encrypt(a), public.encrypt(b)
    assert close(private.decrypt(x + y), a + b)
    assert close(private.decrypt(x - y), a - b)
    assert close(private.decrypt(-x), -a)


@settings(max_examples=30, deadline=None)
@given(FLOATS, st.one_of(FLOATS, INTS.filter(lambda v: abs(v) < 2**60)))
def test_encrypted_and_clear_numbers_add_and_subtract_on_either_side(keys, a, b):
    public, private = keys
    x = public.encrypt(a)
    assert close(private.decrypt(x + b), a + b)
    assert close(private.decrypt(b + x), a + b)
    assert close(private.decrypt(x - b), a - b)
    assert close(private.decrypt(b - x), b - a)


@settings(max_examples=30, deadline=None)
@given(FLOATS, st.one_of(FLOATS, st.integers(min_value=-(2**60), max_value=2**60)))
def test_encrypted_times_a_clear_number_on_either_side(keys, a, k):
    public, private = keys
    x = public.encrypt(a)
    assert close(private.decrypt(x * k), a * k)
    assert close(private.decrypt(k * x), a * k)


def test_a_linear_combination_as_hetero_lr_sums_it(keys):
    public, private = keys
    values, weights = [0.5, -1.25, 3.0, 1e-6, -2e5], [0.1, -3, 2.5, 1e6, -1e-3]
    total = sum((public.encrypt(v) * w for v, w in zip(values, weights)), start=public.encrypt(0))
    assert close(private.decrypt(total), sum(v * w for v, w in zip(values, weights)))


@pytest.mark.parametrize("value", [0, -0.0, 0.0, 1, -1, 5e-324, -5e-324, 1.7976931348623157e308 / 2**800, 2**53,
                                   -(2**53) - 1])
def test_edge_values(keys, value):
    public, private = keys
    assert private.decrypt(public.encrypt(value)) == value


def test_exponents_too_far_apart_to_align_are_refused(keys):
    public, _ = keys
    with pytest.raises(OverflowDetected):
        public.encrypt(1.0) + public.encrypt(1e-300)
    with pytest.raises(OverflowDetected):
        public.encrypt(1.0) + 1e-300


@settings(max_examples=40, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_decrypts_exactly(keys, value):
    public, private = keys
    assert private.decrypt(public.encrypt(value)) == value


def test_the_largest_numbers_a_key_holds_and_one_beyond(keys):
    public, private = keys
    biggest = public.max_int
    assert private.decrypt(public.encrypt(biggest)) == biggest
    assert private.decrypt(public.encrypt(-biggest)) == -biggest
    with pytest.raises(OverflowDetected):
        public.encrypt(biggest + 1)
    with pytest.raises(OverflowDetected):
        public.encrypt(-biggest - 1)


def test_a_sum_that_outgrows_the_key_is_detected_at_decryption(keys):
    public, private = keys
    big = public.encrypt(public.max_int)
    with pytest.raises(OverflowDetected):
        private.decrypt(big + big)
    with pytest.raises(OverflowDetected):
        private.decrypt(big * 2)


def test_a_float_at_a_given_exponent_rounds_to_it(keys):
    public, private = keys
    assert private.decrypt(public.encrypt(1.0 / 3, exponent=-20)) == round((1.0 / 3) * 2**20) / 2**20
    assert encode(public, 12, exponent=2) == encode(public, 12.0, exponent=2)


def test_what_cannot_be_encrypted_is_refused(keys):
    public, _ = keys
    for value, error in ((float("nan"), ValueError), (float("inf"), ValueError), ("1", TypeError),
                         (True, TypeError), (None, TypeError)):
        with pytest.raises(error):
            public.encrypt(value)  # type: ignore[arg-type]


def test_the_same_number_encrypts_differently_every_time_and_obfuscation_keeps_it(keys):
    public, private = keys
    first, second = public.encrypt(42), public.encrypt(42)
    assert first.ciphertext != second.ciphertext
    refreshed = first.obfuscated()
    assert refreshed.ciphertext != first.ciphertext and private.decrypt(refreshed) == 42


def test_adding_a_clear_number_keeps_the_ciphertext_randomised(keys):
    public, _ = keys
    x = public.encrypt(0)
    assert (x + 0).ciphertext == x.ciphertext  # no fresh randomness needed, none lost
    assert (x + 1).ciphertext != public.raw_encrypt(1, 1)


def test_raw_encryption_is_paillier_with_g_n_plus_one(keys):
    public, private = keys
    n, n2 = public.n, public.nsquare
    r = 12345
    assert public.raw_encrypt(7, int(gmpy2.powmod(r, n, n2))) == (pow(n + 1, 7, n2) * pow(r, n, n2)) % n2
    assert private.raw_decrypt(public.raw_encrypt(n - 1)) == n - 1


def test_numbers_of_different_keys_do_not_mix(keys):
    public, private = keys
    other_public, other_private = generate_keypair(512)
    with pytest.raises(ValueError):
        public.encrypt(1) + other_public.encrypt(1)
    with pytest.raises(ValueError):
        private.decrypt(other_public.encrypt(1))
    with pytest.raises(TypeError):
        public.encrypt(1) * public.encrypt(2)  # type: ignore[operator]


def test_ciphertexts_and_plaintexts_out_of_range_are_refused(keys):
    public, private = keys
    for plaintext in (-1, public.n):
        with pytest.raises(ValueError):
            public.raw_encrypt(plaintext)
    for ciphertext in (0, public.nsquare):
        with pytest.raises(ValueError):
            private.raw_decrypt(ciphertext)
    with pytest.raises(ValueError):
        PrivateKey(public, private.p, private.p)


def test_decoding_reads_the_top_third_as_negative_and_the_middle_as_overflow(keys):
    public, _ = keys
    assert decode(public, public.n - 5, 0) == -5
    assert decode(public, 6, -1) == 3.0
    with pytest.raises(OverflowDetected):
        decode(public, public.n // 2, 0)


@pytest.mark.parametrize("n_length", KEY_LENGTHS)
def test_every_allowed_key_length(n_length):
    public, private = generate_keypair(n_length)
    assert public.n.bit_length() == n_length
    assert gmpy2.is_prime(private.p) and gmpy2.is_prime(private.q)
    x = public.encrypt(-2.5) * 3 + public.encrypt(10)
    assert private.decrypt(x) == 2.5
    assert isinstance(x, EncryptedNumber)


@pytest.mark.parametrize("n_length", [255, 100, 1023])
def test_odd_or_tiny_key_lengths_are_refused(n_length):
    with pytest.raises(ValueError):
        generate_keypair(n_length)


def test_decrypting_many_at_once_equals_one_by_one(keys):
    public, private = keys
    ciphertexts = [public.raw_encrypt(m) for m in (0, 1, 12345, public.n - 1, public.max_int)]
    assert private.raw_decrypt_many(ciphertexts) == [private.raw_decrypt(c) for c in ciphertexts]
    assert private.raw_decrypt_many([]) == []
    with pytest.raises(ValueError, match="ciphertext must lie in"):
        private.raw_decrypt_many([ciphertexts[0], public.nsquare])
