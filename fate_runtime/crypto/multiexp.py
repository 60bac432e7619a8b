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
Several products over the same bases (the columns of a weighted sum) may instead share the bases'
inverses, all found with one inversion, and use signed digits: a digit d < 0 puts the base's inverse
into bucket |d|, so there are half as many buckets and no split; a cost model picks the cheaper way.
"""

from __future__ import annotations

import math
import operator
from typing import Iterable, Sequence

import gmpy2
import numpy as np

MAX_WINDOW_BITS = 16
INT64_LIMIT = 2**62  # signed-digit recoding runs in numpy int64 below this
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


def signed_products_of_powers(bases: Sequence[gmpy2.mpz], exponent_columns: Sequence[Sequence[int]],
                              modulus: gmpy2.mpz) -> list[gmpy2.mpz]:
    """signed_product_of_powers of the same bases for each column of exponents. When the cost model says the
    shared inverses pay for themselves (several columns of int64 exponents), every base's inverse is computed
    once (Montgomery's trick: one inversion) and each column is a signed-digit product; otherwise each column
    is split into its positive and negative terms."""
    columns = [np.asarray(column, dtype=object if _too_wide(column) else np.int64) for column in exponent_columns]
    if not columns or any(column.dtype == object for column in columns) or not _inverses_pay(len(bases), columns):
        return [signed_product_of_powers(bases, column.tolist(), modulus) for column in columns]
    inverse_bases = inverses(bases, modulus)
    return [signed_digit_product(bases, inverse_bases, column, modulus) for column in columns]


def signed_digit_product(bases: Sequence[gmpy2.mpz], inverse_bases: Sequence[gmpy2.mpz], exponents: np.ndarray,
                         modulus: gmpy2.mpz) -> gmpy2.mpz:
    """prod_i bases[i]^exponents[i] for int64 exponents of either sign, given every base's inverse: window digits
    in [-2^(c-1), 2^(c-1)] take the base or its inverse, so a window needs half the buckets and no inversion."""
    magnitudes = np.abs(exponents)
    present = np.flatnonzero(magnitudes)
    if not len(present):
        return gmpy2.mpz(1) % modulus
    bits = int(magnitudes.max()).bit_length()
    window = _signed_cost(len(present), bits)[1]
    negative = (exponents[present] < 0).tolist()
    indices = present.tolist()
    for_positive_digits = [inverse_bases[i] if flip else bases[i] for i, flip in zip(indices, negative)]
    for_negative_digits = [bases[i] if flip else inverse_bases[i] for i, flip in zip(indices, negative)]
    rows = _signed_digits(magnitudes[present], window, bits)
    size = (1 << (window - 1)) + 1
    return _combined((_bucket_sum(((up if digit > 0 else down, abs(digit))
                                   for up, down, digit in zip(for_positive_digits, for_negative_digits, row)),
                                  size, modulus)
                      for row in reversed(rows)), window, modulus)


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
    shifts = range((bits - 1) // window * window, -1, -window)
    return _combined((_bucket_sum(((base, (exponent >> shift) & mask) for base, exponent in terms), mask + 1, modulus)
                      for shift in shifts), window, modulus)


def inverses(values: Sequence[gmpy2.mpz], modulus: gmpy2.mpz) -> list[gmpy2.mpz]:
    """Every value's inverse mod `modulus` with one inversion and three multiplications each (Montgomery's
    trick: invert the product of all, then peel the prefixes off)."""
    prefixes = []
    running = gmpy2.mpz(1) % modulus
    for value in values:
        running = running * value % modulus
        prefixes.append(running)
    try:
        inverse = gmpy2.invert(running, modulus)
    except ZeroDivisionError:
        raise ValueError("a base is not invertible modulo the modulus") from None
    result = list(values)
    for index in range(len(values) - 1, 0, -1):
        result[index] = inverse * prefixes[index - 1] % modulus
        inverse = inverse * values[index] % modulus
    if values:
        result[0] = inverse
    return result


def _bucket_sum(digits: Iterable[tuple[gmpy2.mpz, int]], size: int, modulus: gmpy2.mpz) -> gmpy2.mpz | None:
    """prod_d B_d^d where bucket B_d is the product of the bases whose digit is d (None when no digit is
    non-zero): one multiplication per term, then running products from the top digit down."""
    buckets: list[gmpy2.mpz | None] = [None] * size
    for base, digit in digits:
        if digit:
            bucket = buckets[digit]
            buckets[digit] = base if bucket is None else bucket * base % modulus
    running = None
    total = None
    for bucket in reversed(buckets[1:]):
        if bucket is not None:
            running = bucket if running is None else running * bucket % modulus
        if running is not None:
            total = running if total is None else total * running % modulus
    return total


def _combined(window_products: Iterable[gmpy2.mpz | None], window: int, modulus: gmpy2.mpz) -> gmpy2.mpz:
    """The product of the windows' products, most significant first, each earlier one raised to 2^window."""
    result = None
    for product in window_products:
        if result is not None:
            result = gmpy2.powmod(result, 1 << window, modulus)
        if product is not None:
            result = product if result is None else result * product % modulus
    return gmpy2.mpz(1) % modulus if result is None else result % modulus


def _signed_digits(magnitudes: np.ndarray, window: int, bits: int) -> list[list[int]]:
    """Each magnitude as digits in [-2^(window-1), 2^(window-1)], least significant window first (a digit above
    half the window becomes negative and carries one into the next; ceil((bits + 1) / window) windows)."""
    mask, half = (1 << window) - 1, 1 << (window - 1)
    rest, carry = magnitudes.copy(), np.zeros_like(magnitudes)
    rows = []
    for _ in range((bits + window) // window):
        digit = (rest & mask) + carry
        rest >>= window
        carry = (digit > half).astype(np.int64)
        rows.append((digit - (carry << window)).tolist())
    return rows


def _unsigned_cost(count: int, bits: int) -> tuple[int, int]:
    """(multiplications, window) of the cheapest bucket window for `count` terms of `bits`-bit exponents."""
    return min((math.ceil(bits / window) * (count + (2 << window)) + bits, window)
               for window in range(1, MAX_WINDOW_BITS + 1))


def _signed_cost(count: int, bits: int) -> tuple[int, int]:
    """The same for signed digits (one more bit, half the buckets)."""
    return min((math.ceil((bits + 1) / window) * (count + (1 << window)) + bits, window)
               for window in range(2, MAX_WINDOW_BITS + 1))


def _window_bits(count: int, bits: int) -> int:
    """The bucket window that costs fewest multiplications for `count` terms of `bits`-bit exponents, or 0 when
    one powmod per term is cheaper."""
    if count == 0:
        return 0
    cost, window = _unsigned_cost(count, bits)
    return window if cost < count * POWMOD_COST_PER_BIT * bits else 0


def _inverses_pay(count: int, columns: list[np.ndarray]) -> bool:
    """Whether 3 multiplications per base for the inverses, then signed digits, cost less than splitting each
    column into its positive and negative terms."""
    split, signed = 0, 3 * count
    for column in columns:
        magnitudes = np.abs(column)
        bits = int(magnitudes.max(initial=0)).bit_length()
        positive, negative = int(np.count_nonzero(column > 0)), int(np.count_nonzero(column < 0))
        split += sum(_unsigned_cost(part, bits)[0] for part in (positive, negative) if part)
        signed += _signed_cost(positive + negative, bits)[0] if positive + negative else 0
    return signed < split


def _too_wide(column: Sequence[int]) -> bool:
    """Whether some exponent does not fit int64 with room for a carry."""
    return any(abs(exponent) >= INT64_LIMIT for exponent in column)


def _checked_terms(bases: Sequence[int], exponents: Sequence[int],
                   modulus: int) -> tuple[gmpy2.mpz, list[gmpy2.mpz], list[int]]:
    """(modulus, bases reduced mod it, exponents as Python ints), or ValueError/TypeError naming what is wrong."""
    if len(bases) != len(exponents):
        raise ValueError(f"{len(bases)} bases but {len(exponents)} exponents")
    if modulus < 1:
        raise ValueError(f"the modulus must be positive, got {modulus}")
    mod = gmpy2.mpz(modulus)
    return mod, [gmpy2.mpz(operator.index(b)) % mod for b in bases], [operator.index(e) for e in exponents]
