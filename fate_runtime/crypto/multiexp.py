"""Products of powers prod_i b_i^e_i mod N by the bucket (Pippenger) method: a few multiplications per term.

The exponents are cut into windows of c bits. For each window, from the most significant one, every
base joins the bucket of its digit (one multiplication), the buckets are combined as prod_d B_d^d by
running products (2^(c+1) multiplications), and the result so far is raised to 2^c before it takes
the window's product. With m terms of b-bit exponents that is about (b / c)(m + 2^(c+1)) modular
multiplications instead of m full exponentiations (about 1.2 b each): for 24-bit exponents and a
few hundred terms, 4-5 multiplications per term instead of ~29. The window is chosen from m and b;
when a handful of terms makes the buckets dearer, each power is a gmpy2 powmod.
`multi_exp_signed` takes negative exponents (fixed-point mantissas of negative numbers) as the
product of the negative terms' powers by |e|, inverted once at the end: no exponent as wide as N.
"""

from __future__ import annotations

import math
import operator
from typing import Sequence

import gmpy2

MAX_WINDOW_BITS = 16
POWMOD_COST_PER_BIT = 1.2  # a b-bit gmpy2 powmod costs about 1.2 b modular multiplications done from Python


def multi_exp(bases: Sequence[int], exponents: Sequence[int], modulus: int) -> int:
    """prod_i bases[i]^exponents[i] mod `modulus`, for exponents >= 0 (the empty product is 1 mod modulus)."""
    mod, reduced, integers = _checked_terms(bases, exponents, modulus)
    if any(e < 0 for e in integers):
        raise ValueError("multi_exp takes non-negative exponents; use multi_exp_signed for negative ones")
    return int(product_of_powers(reduced, integers, mod))


def multi_exp_signed(bases: Sequence[int], exponents: Sequence[int], modulus: int) -> int:
    """prod_i bases[i]^exponents[i] mod `modulus` for exponents of either sign (the bases with a negative
    exponent must be invertible mod `modulus`)."""
    mod, reduced, integers = _checked_terms(bases, exponents, modulus)
    return int(signed_product_of_powers(reduced, integers, mod))


def signed_product_of_powers(bases: Sequence[gmpy2.mpz], exponents: Sequence[int], modulus: gmpy2.mpz) -> gmpy2.mpz:
    """multi_exp_signed on bases already converted to mpz (callers reusing the bases across products)."""
    positive = [(b, e) for b, e in zip(bases, exponents) if e > 0]
    negative = [(b, -e) for b, e in zip(bases, exponents) if e < 0]
    result = product_of_powers([b for b, _ in positive], [e for _, e in positive], modulus)
    if negative:
        denominator = product_of_powers([b for b, _ in negative], [e for _, e in negative], modulus)
        try:
            result = result * gmpy2.invert(denominator, modulus) % modulus
        except ZeroDivisionError:
            raise ValueError("a base with a negative exponent is not invertible modulo the modulus") from None
    return result


def product_of_powers(bases: Sequence[gmpy2.mpz], exponents: Sequence[int], modulus: gmpy2.mpz) -> gmpy2.mpz:
    """multi_exp on mpz bases, without argument checks."""
    terms = [(b, e) for b, e in zip(bases, exponents) if e]
    bits = max((e for _, e in terms), default=0).bit_length()
    window = _window_bits(len(terms), bits)
    if window == 0:
        result = gmpy2.mpz(1) % modulus
        for base, exponent in terms:
            result = result * gmpy2.powmod(base, exponent, modulus) % modulus
        return result
    mask = (1 << window) - 1
    result = None
    for shift in range((bits - 1) // window * window, -1, -window):
        buckets: list[gmpy2.mpz | None] = [None] * (mask + 1)
        for base, exponent in terms:
            digit = (exponent >> shift) & mask
            if digit:
                bucket = buckets[digit]
                buckets[digit] = base if bucket is None else bucket * base % modulus
        window_product = _weighted_bucket_product(buckets, modulus)
        if result is None:
            result = window_product
        elif window_product is None:
            result = gmpy2.powmod(result, 1 << window, modulus)
        else:
            result = gmpy2.powmod(result, 1 << window, modulus) * window_product % modulus
    return gmpy2.mpz(1) % modulus if result is None else result % modulus


def _weighted_bucket_product(buckets: list[gmpy2.mpz | None], modulus: gmpy2.mpz) -> gmpy2.mpz | None:
    """prod_d buckets[d]^d by running products from the top digit down (None when every bucket is empty)."""
    running = None
    total = None
    for bucket in reversed(buckets[1:]):
        if bucket is not None:
            running = bucket if running is None else running * bucket % modulus
        if running is not None:
            total = running if total is None else total * running % modulus
    return total


def _window_bits(count: int, bits: int) -> int:
    """The bucket window that costs fewest multiplications for `count` terms of `bits`-bit exponents, or 0 when
    one powmod per term is cheaper."""
    if count == 0:
        return 0
    costs = {window: math.ceil(bits / window) * (count + (2 << window)) + bits
             for window in range(1, MAX_WINDOW_BITS + 1)}
    window = min(costs, key=costs.__getitem__)
    return window if costs[window] < count * POWMOD_COST_PER_BIT * bits else 0


def _checked_terms(bases: Sequence[int], exponents: Sequence[int],
                   modulus: int) -> tuple[gmpy2.mpz, list[gmpy2.mpz], list[int]]:
    """(modulus, bases reduced mod it, exponents as Python ints), or ValueError/TypeError naming what is wrong."""
    if len(bases) != len(exponents):
        raise ValueError(f"{len(bases)} bases but {len(exponents)} exponents")
    if modulus < 1:
        raise ValueError(f"the modulus must be positive, got {modulus}")
    mod = gmpy2.mpz(modulus)
    return mod, [gmpy2.mpz(operator.index(b)) % mod for b in bases], [operator.index(e) for e in exponents]
