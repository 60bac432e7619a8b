"""Array-level Paillier: every function decrypts to what the scalar EncryptedNumber path gives for the same
numbers at the same exponent - positive, negative, zero, tiny and huge values, ties, overflow, empty arrays."""

from __future__ import annotations

import pickle

import gmpy2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fate_runtime.crypto import EncryptedNumber, Obfuscators, OverflowDetected, PrivateKey, PublicKey, generate_keypair
from fate_runtime.crypto.paillier import decode, encode
from fate_runtime.crypto.vectors import (add, add_plain, column_exponents, decrypt_array, encode_array, encrypt_array,
                                         scale, total, weighted_sums)

FLOATS = st.one_of(st.just(0.0), st.just(-0.0), st.floats(min_value=1e-12, max_value=1e12),
                   st.floats(min_value=-1e12, max_value=-1e-12), st.floats(min_value=-4.0, max_value=4.0))
ARRAYS = hnp.arrays(np.float64, st.integers(min_value=0, max_value=12), elements=FLOATS)
EXPONENTS = st.sampled_from([-53, -24, -10, 0, 3])


@pytest.fixture(scope="module")
def keys() -> tuple[PublicKey, PrivateKey]:
    return generate_keypair(512)


@pytest.fixture(scope="module")
def obfuscators(keys) -> Obfuscators:
    return Obfuscators(keys[0])


def scalar_decryptions(private: PrivateKey, ciphertexts: list[int], exponent: int) -> list[float]:
    return [float(private.decrypt(EncryptedNumber(private.public_key, c, exponent))) for c in ciphertexts]


@settings(max_examples=60, deadline=None)
@given(ARRAYS, EXPONENTS)
def test_encoding_equals_the_scalar_encoding(keys, values, exponent):
    public, _ = keys
    assert encode_array(values, exponent, public) == [encode(public, float(v), exponent).mantissa for v in values]


def test_encoding_ties_huge_values_and_int_arrays(keys):
    public, _ = keys
    assert encode_array(np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.49]), 0) == [0, 2, 2, 0, -2, 3]
    huge = np.array([1e300, -3.5e200, 2.0**70, 1.0])
    assert encode_array(huge, -100) == [encode(generate_keypair(2048)[0], float(v), -100).mantissa for v in huge]
    assert encode_array(np.array([1e-300, 5e-324]), 3) == [0, 0]
    assert encode_array(np.array([3, -5, 2**62], dtype=np.int64), -2) == [12, -20, 2**64]
    assert encode_array(np.array([7, -6], dtype=np.int64), 1) == [4, -3]
    assert encode_array(np.array([], dtype=np.float64), -24) == []


def test_encoding_refusals(keys):
    public, _ = keys
    with pytest.raises(OverflowDetected, match="value 1 of the array is too large for a 512-bit key at exponent 0"):
        encode_array(np.array([1.0, 2.0**600]), 0, public)
    with pytest.raises(ValueError, match="value 2 of the array is not a finite number"):
        encode_array(np.array([1.0, 2.0, np.nan]), 0)
    with pytest.raises(ValueError, match="one-dimensional"):
        encode_array(np.zeros((2, 2)), 0)
    with pytest.raises(TypeError, match="only arrays of ints and floats"):
        encode_array(np.array(["1"]), 0)
    with pytest.raises(TypeError, match="only arrays of ints and floats"):
        encode_array(np.array([True]), 0)


@settings(max_examples=40, deadline=None)
@given(ARRAYS, EXPONENTS)
def test_encrypted_arrays_decrypt_as_the_scalar_path(keys, obfuscators, values, exponent):
    public, private = keys
    ciphertexts = encrypt_array(public, values, exponent, obfuscators)
    expected = [float(private.decrypt(public.encrypt(float(v), exponent))) for v in values]
    assert decrypt_array(private, ciphertexts, exponent).tolist() == expected
    assert scalar_decryptions(private, ciphertexts, exponent) == expected


def test_encryption_is_randomised_and_fresh_mode_works(keys, obfuscators):
    public, private = keys
    values = np.array([1.25, 1.25, -3.0])
    first, second = (encrypt_array(public, values, -24, obfuscators) for _ in range(2))
    assert len(set(first + second)) == 6
    fresh = encrypt_array(public, values, -24, Obfuscators(public, "fresh"))
    assert decrypt_array(private, fresh, -24).tolist() == [1.25, 1.25, -3.0]


def test_encryption_refuses_another_keys_obfuscators_and_overflow(keys, obfuscators):
    public, _ = keys
    with pytest.raises(ValueError, match="obfuscators belong to another key"):
        encrypt_array(generate_keypair(512)[0], np.array([1.0]), 0, obfuscators)
    with pytest.raises(OverflowDetected):
        encrypt_array(public, np.array([1.0]), -600, obfuscators)


@settings(max_examples=40, deadline=None)
@given(st.data(), EXPONENTS)
def test_adding_clear_values_and_ciphertexts(keys, obfuscators, data, exponent):
    public, private = keys
    left = data.draw(ARRAYS)
    right = data.draw(hnp.arrays(np.float64, len(left), elements=FLOATS))
    encrypted_left = encrypt_array(public, left, exponent, obfuscators)
    encrypted_right = encrypt_array(public, right, exponent, obfuscators)
    expected = [float(private.decrypt(public.encrypt(float(a), exponent) + public.encrypt(float(b), exponent)))
                for a, b in zip(left, right)]
    assert decrypt_array(private, add_plain(public, encrypted_left, right, exponent), exponent).tolist() == expected
    assert decrypt_array(private, add(public, encrypted_left, encrypted_right), exponent).tolist() == expected


def test_adding_a_clear_value_keeps_the_ciphertexts_randomness(keys, obfuscators):
    public, _ = keys
    [ciphertext] = encrypt_array(public, np.array([2.0]), -24, obfuscators)
    [unobfuscated] = add_plain(public, [ciphertext], np.array([3.0]), -24)
    assert unobfuscated == (1 + encode(public, 3.0, -24).mantissa * public.n) * ciphertext % public.nsquare


def test_totals_and_scaling(keys, obfuscators):
    public, private = keys
    values = np.array([1.5, -2.25, 0.0, 1e6, -1e-3])
    ciphertexts = encrypt_array(public, values, -53, obfuscators)
    mantissas = encode_array(values, -53)
    assert private.raw_decrypt(total(public, ciphertexts)) == sum(mantissas) % public.n
    assert total(public, []) == 1
    for factor in (3, -7, 0, 2**40):
        expected = [float(decode(public, m * factor % public.n, -53)) for m in mantissas]
        assert decrypt_array(private, scale(public, ciphertexts, factor), -53).tolist() == expected
        scalar = [float(private.decrypt(EncryptedNumber(public, c, -53) * factor)) for c in ciphertexts]
        assert scalar == expected
    assert scale(public, [], 5) == []
    with pytest.raises(OverflowDetected, match="factor is too large"):
        scale(public, ciphertexts, public.n)


@settings(max_examples=30, deadline=None)
@given(st.data(), st.sampled_from([-24, -53, 0]))
def test_weighted_sums_equal_the_scalar_sums_of_products(keys, obfuscators, data, matrix_exponent):
    public, private = keys
    rows = data.draw(st.integers(min_value=0, max_value=15))
    residuals = data.draw(hnp.arrays(np.float64, rows, elements=st.floats(min_value=-2.0, max_value=2.0)))
    matrix = data.draw(hnp.arrays(np.float64, (rows, data.draw(st.integers(min_value=0, max_value=4))),
                                  elements=FLOATS))
    ciphertexts = encrypt_array(public, residuals, -53, obfuscators)
    sums = weighted_sums(public, ciphertexts, matrix, matrix_exponent)
    assert len(sums) == matrix.shape[1]
    for column, ciphertext in zip(matrix.T, sums):
        # the scalar path: each ciphertext times its entry's mantissa (an int, so the exponent stays -53), summed
        products = (EncryptedNumber(public, c, -53) * m for c, m in zip(ciphertexts, encode_array(column,
                                                                                                  matrix_exponent)))
        scalar = sum(products, EncryptedNumber(public, 1, -53))
        assert private.raw_decrypt(ciphertext) == private.raw_decrypt(scalar.ciphertext)


def test_weighted_sums_with_zero_one_and_negative_columns(keys, obfuscators):
    public, private = keys
    residuals = np.array([0.5, -1.25, 2.0, 0.0])
    matrix = np.array([[0.0, 1.0, -1.0, 3.0], [0.0, 1.0, -2.0, -0.5], [0.0, 1.0, -0.25, 0.125],
                       [0.0, 1.0, -9.0, 7.0]])
    ciphertexts = encrypt_array(public, residuals, -53, obfuscators)
    sums = decrypt_array(private, weighted_sums(public, ciphertexts, matrix, -24), -77)
    assert sums.tolist() == (residuals @ matrix).tolist()  # every product and sum exact in binary here
    assert weighted_sums(public, [], np.zeros((0, 3)), -24) == [1, 1, 1]


def test_weighted_sums_error_is_within_the_documented_bound(keys, obfuscators):
    public, private = keys
    rng = np.random.default_rng(3)
    residuals, matrix = rng.uniform(-1, 1, 200), rng.standard_normal((200, 3))
    ciphertexts = encrypt_array(public, residuals, -53, obfuscators)
    sums = decrypt_array(private, weighted_sums(public, ciphertexts, matrix, -24), -77)
    assert np.all(np.abs(sums - residuals @ matrix) <= 2.0**-25 * np.sum(np.abs(residuals)) + 1e-12)


def test_column_exponents_keep_the_asked_significant_bits_of_each_columns_largest_value():
    matrix = np.array([[0.75, -1000.0, 0.0, 3e-9], [-0.5, 999.0, 0.0, 1e-9]])
    exponents = column_exponents(matrix, 20)
    assert exponents == [-20, 10 - 20, -20, -28 - 20]
    for column, exponent in zip(matrix.T, exponents):
        assert max(abs(m) for m in encode_array(column, exponent)) < 2**20
    assert column_exponents(np.zeros((0, 2)), 8) == [-8, -8]
    with pytest.raises(ValueError, match="not a finite number"):
        column_exponents(np.array([[np.nan]]), 20)


def test_weighted_sums_take_one_exponent_per_column(keys, obfuscators):
    public, private = keys
    rng = np.random.default_rng(5)
    residuals, matrix = rng.uniform(-1, 1, 50), rng.standard_normal((50, 3)) * np.array([1e-4, 1.0, 1e4])
    exponents = column_exponents(matrix, 20)
    ciphertexts = encrypt_array(public, residuals, -53, obfuscators)
    sums = [float(private.decrypt(EncryptedNumber(public, c, -53 + e)))
            for c, e in zip(weighted_sums(public, ciphertexts, matrix, exponents), exponents)]
    for column, total, exponent in zip(matrix.T, sums, exponents):  # each column within 2^-21 of its largest
        assert abs(total - residuals @ column) <= 2.0**(exponent - 1) * np.sum(np.abs(residuals)) + 1e-12
        assert abs(total - residuals @ column) <= 2.0**-21 * np.abs(column).max() * np.sum(np.abs(residuals))
    with pytest.raises(ValueError, match="2 exponents for a matrix of 3 columns"):
        weighted_sums(public, ciphertexts, matrix, exponents[:2])


def test_mismatched_shapes_are_refused(keys, obfuscators):
    public, _ = keys
    ciphertexts = encrypt_array(public, np.array([1.0, 2.0]), 0, obfuscators)
    with pytest.raises(ValueError, match="2 ciphertexts but 3 values"):
        add_plain(public, ciphertexts, np.array([1.0, 2.0, 3.0]), 0)
    with pytest.raises(ValueError, match="2 ciphertexts but 1 right-hand ciphertexts"):
        add(public, ciphertexts, ciphertexts[:1])
    with pytest.raises(ValueError, match=r"one row per ciphertext \(2\), got shape \(3, 1\)"):
        weighted_sums(public, ciphertexts, np.ones((3, 1)), -24)


def test_overflow_is_detected_at_decryption(keys):
    public, private = keys
    beyond = public.raw_encrypt(public.max_int + 1)
    with pytest.raises(OverflowDetected):
        decrypt_array(private, [public.raw_encrypt(5), beyond], 0)
    with pytest.raises(ValueError, match="ciphertext must lie in"):
        decrypt_array(private, [0], 0)
    assert decrypt_array(private, [], -24).shape == (0,)


def test_sums_past_max_int_are_detected(keys, obfuscators):
    public, private = keys
    big = float(public.max_int) * 0.75  # two of them sum to about n / 2: neither positive nor negative
    ciphertexts = encrypt_array(public, np.array([big, big]), 0, obfuscators)
    with pytest.raises(OverflowDetected):
        decrypt_array(private, [total(public, ciphertexts)], 0)


def test_results_are_plain_ints_that_pickle(keys, obfuscators):
    public, _ = keys
    ciphertexts = encrypt_array(public, np.array([1.0, -2.0]), -24, obfuscators)
    results = [ciphertexts, add(public, ciphertexts, ciphertexts), add_plain(public, ciphertexts, np.ones(2), -24),
               weighted_sums(public, ciphertexts, np.ones((2, 2)), -24), scale(public, ciphertexts, -3),
               [total(public, ciphertexts)]]
    for result in results:
        assert all(type(value) is int for value in result)
        assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("bits", [1024, 2048])
def test_real_key_lengths(bits):
    public, private = generate_keypair(bits)
    rng = np.random.default_rng(bits)
    residuals, matrix = rng.uniform(-1, 1, 30), rng.standard_normal((30, 2))
    obfuscators = Obfuscators(public)
    ciphertexts = encrypt_array(public, residuals, -53, obfuscators)
    assert decrypt_array(private, ciphertexts, -53).tolist() == residuals.tolist()
    shifted = add_plain(public, ciphertexts, np.full(30, 0.5), -53)
    assert decrypt_array(private, shifted, -53).tolist() == (residuals + 0.5).tolist()
    sums = weighted_sums(public, ciphertexts, matrix, -24)
    expected = [sum(a * b for a, b in zip(encode_array(residuals, -53), encode_array(column, -24)))
                for column in matrix.T]
    assert [private.raw_decrypt(c) for c in sums] == [e % public.n for e in expected]
    assert gmpy2.gcd(sums[0], public.n) == 1


def test_every_ciphertext_is_reduced_below_n_squared(keys, obfuscators):
    public, _ = keys
    values = np.linspace(-100.0, 100.0, 200)
    ciphertexts = encrypt_array(public, values, -24, obfuscators)
    for result in (ciphertexts, add_plain(public, ciphertexts, values, -24), add(public, ciphertexts, ciphertexts)):
        assert all(0 < c < public.nsquare for c in result)
