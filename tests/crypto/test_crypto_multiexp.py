"""Multi-exponentiation: equal to the naive product of powmods for every shape of input, either sign of
exponent, every window the cost model picks, and bad input refused."""

from __future__ import annotations

import random

import gmpy2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fate_runtime.crypto import generate_keypair, multi_exp, multi_exp_signed
from fate_runtime.crypto import multiexp as multiexp_module

MODULUS = generate_keypair(256)[0].nsquare  # a Paillier-shaped modulus, small so that the tests are fast


def naive(bases, exponents, modulus):
    product = 1 % modulus
    for base, exponent in zip(bases, exponents):
        product = product * gmpy2.powmod(base, exponent, modulus) % modulus
    return int(product)


BASES = st.integers(min_value=0, max_value=MODULUS - 1) | st.sampled_from([0, 1, 2, MODULUS - 1])
EXPONENT_BITS = st.sampled_from([1, 2, 8, 24, 53, 64, 100])


@st.composite
def terms(draw, signed: bool):
    bits = draw(EXPONENT_BITS)
    limit = 2**bits - 1
    exponent = st.integers(min_value=-limit if signed else 0, max_value=limit) | st.just(0)
    pairs = draw(st.lists(st.tuples(BASES, exponent), max_size=60))
    return [b for b, _ in pairs], [e for _, e in pairs]


@settings(max_examples=150, deadline=None)
@given(terms(signed=False))
def test_equals_the_naive_product(case):
    bases, exponents = case
    assert multi_exp(bases, exponents, MODULUS) == naive(bases, exponents, MODULUS)


@settings(max_examples=150, deadline=None)
@given(terms(signed=True))
def test_signed_equals_the_naive_product_with_inverses(case):
    bases, exponents = case
    bases = [b if gmpy2.gcd(b, MODULUS) == 1 else 1 for b in bases]  # ciphertexts are units mod n^2
    assert multi_exp_signed(bases, exponents, MODULUS) == naive(bases, exponents, MODULUS)


@pytest.mark.parametrize("count, bits", [(0, 24), (1, 24), (2, 53), (7, 3), (300, 24), (300, 53), (20_000, 24)])
def test_sizes_from_empty_to_huge(count, bits):
    rng = random.Random(count * 1000 + bits)
    bases = [rng.randrange(MODULUS) for _ in range(count)]
    exponents = [rng.getrandbits(bits) for _ in range(count)]
    assert multi_exp(bases, exponents, MODULUS) == naive(bases, exponents, MODULUS)
    signs = [e if rng.random() < 0.5 else -e for e in exponents]
    assert multi_exp_signed(bases, signs, MODULUS) == naive(bases, signs, MODULUS)


def test_every_window_width_is_exact(monkeypatch):
    rng = random.Random(5)
    bases = [rng.randrange(MODULUS) for _ in range(40)]
    exponents = [rng.getrandbits(37) for _ in range(40)] + [2**37 - 1, 1, 0]
    bases += [3, 5, 7]
    expected = naive(bases, exponents, MODULUS)
    for window in range(0, multiexp_module.MAX_WINDOW_BITS + 1):
        monkeypatch.setattr(multiexp_module, "_window_bits", lambda count, bits: window)
        assert multi_exp(bases, exponents, MODULUS) == expected, window


def test_the_cost_model_uses_buckets_for_many_terms_and_powmod_for_few():
    assert multiexp_module._window_bits(1, 24) == 0
    assert multiexp_module._window_bits(0, 0) == 0
    assert 4 <= multiexp_module._window_bits(569, 24) <= 8
    assert multiexp_module._window_bits(100_000, 24) >= multiexp_module._window_bits(569, 24)


def test_edge_values():
    assert multi_exp([], [], MODULUS) == 1 and multi_exp([], [], 1) == 0
    assert multi_exp([5], [0], MODULUS) == 1
    assert multi_exp([0], [3], MODULUS) == 0
    assert multi_exp([MODULUS + 2], [3], MODULUS) == 8  # bases are reduced first
    assert multi_exp_signed([2], [-1], 7) == 4
    assert multi_exp_signed([2, 2], [5, -5], 7) == 1


def test_refusals():
    with pytest.raises(ValueError, match="2 bases but 1 exponents"):
        multi_exp([2, 3], [1], MODULUS)
    with pytest.raises(ValueError, match="non-negative exponents"):
        multi_exp([2], [-1], MODULUS)
    with pytest.raises(ValueError, match="modulus must be positive"):
        multi_exp([2], [1], 0)
    with pytest.raises(ValueError, match="not invertible"):
        multi_exp_signed([3], [-2], 9)
    with pytest.raises(TypeError):
        multi_exp([2], [1.5], MODULUS)


@st.composite
def shared_bases(draw):
    """Invertible bases and a few columns of signed exponents over them (sometimes wider than int64)."""
    count = draw(st.integers(min_value=0, max_value=40))
    bases = draw(st.lists(st.integers(min_value=1, max_value=MODULUS - 1).filter(lambda b: gmpy2.gcd(b, MODULUS) == 1),
                          min_size=count, max_size=count))
    limit = 2**draw(st.sampled_from([1, 8, 26, 53, 62, 70])) - 1
    exponent = st.integers(min_value=-limit, max_value=limit) | st.just(0)
    columns = draw(st.lists(st.lists(exponent, min_size=count, max_size=count), max_size=5))
    return bases, columns


@pytest.mark.parametrize("shared_inverses", [True, False])
@settings(max_examples=60, deadline=None)
@given(case=shared_bases())
def test_several_products_over_shared_bases_equal_the_naive_ones(shared_inverses, case):
    bases, columns = case
    mpz_bases = [gmpy2.mpz(b) for b in bases]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(multiexp_module, "_inverses_pay", lambda count, columns: shared_inverses)
        products = multiexp_module.signed_products_of_powers(mpz_bases, columns, gmpy2.mpz(MODULUS))
    assert [int(p) for p in products] == [naive(bases, column, MODULUS) for column in columns]


def test_the_cost_model_shares_inverses_over_many_columns_only():
    rng = random.Random(9)
    column = np.array([rng.randint(-2**26, 2**26) for _ in range(500)])
    assert multiexp_module._inverses_pay(500, [column] * 20)
    assert not multiexp_module._inverses_pay(500, [column])
    assert not multiexp_module._inverses_pay(500, [np.zeros(500, dtype=np.int64)] * 5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**62 - 1), min_size=1, max_size=20), st.integers(2, 16))
def test_signed_digits_rebuild_each_magnitude_and_stay_within_half_a_window(magnitudes, window):
    bits = max(magnitudes).bit_length()
    rows = multiexp_module._signed_digits(np.array(magnitudes, dtype=np.int64), window, bits)
    for index, magnitude in enumerate(magnitudes):
        assert sum(row[index] << (window * k) for k, row in enumerate(rows)) == magnitude
    assert all(abs(digit) <= 1 << (window - 1) for row in rows for digit in row)


def test_inverses_with_one_inversion():
    rng = random.Random(4)
    values = [gmpy2.mpz(v) for v in (rng.randrange(1, MODULUS) for _ in range(50)) if gmpy2.gcd(v, MODULUS) == 1]
    modulus = gmpy2.mpz(MODULUS)
    assert multiexp_module.inverses(values, modulus) == [gmpy2.invert(v, modulus) for v in values]
    assert multiexp_module.inverses([], modulus) == []
    with pytest.raises(ValueError, match="not invertible"):
        multiexp_module.inverses([gmpy2.mpz(2), gmpy2.mpz(3)], gmpy2.mpz(9))
