"""Multi-exponentiation: equal to the naive product of powmods for every shape of input, either sign of
exponent, every window the cost model picks, and bad input refused."""

from __future__ import annotations

import random

import gmpy2
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
