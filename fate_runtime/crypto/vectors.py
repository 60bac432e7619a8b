"""Paillier on whole arrays: fixed-point numbers sharing one exponent, ciphertexts as plain Python ints.

These are pure functions of ints and numpy arrays (picklable, no state), so callers run them on each
storage partition in the worker processes. A list of ciphertexts means numbers mantissa * 2^exponent
whose exponent travels beside the list; every result equals what the scalar EncryptedNumber path gives
for the same numbers at that exponent (same rounding, same overflow rules: a mantissa above the key's
max_int is refused when encoded and reported as OverflowDetected when decrypted).

Precision of `weighted_sums`: the clear matrix enters as mantissas at one exponent per column, each entry
rounded to the nearest multiple of 2^exponent (an absolute error of at most 2^(exponent-1) per entry), and
the cost grows with the mantissas' bit width (a multi-exponentiation costs ~4.6 us per term at 21 bits,
~7 us at 29 bits, ~14 us at 53 bits, 1024-bit keys). `column_exponents` picks each column's exponent so
that its largest entry keeps a given number of significant bits: at 20 bits every entry errs by at most
2^-21 of its column's largest magnitude, so a gradient sum_i d_i x_ij errs by at most that much times
sum_i |d_i|: far below what logistic regression's updates resolve, whatever the features' scale.
Result mantissas must stay below max_int: with 53-bit residual mantissas and 20- to 30-bit matrix
mantissas a 1024-bit key sums over 2^900 rows before it overflows.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import gmpy2
import numpy as np

from fate_runtime.crypto.multiexp import signed_products_of_powers
from fate_runtime.crypto.obfuscators import Obfuscators
from fate_runtime.crypto.paillier import OverflowDetected, PrivateKey, PublicKey, decode

INT64_SAFE = float(2**62)  # scaled floats below this round and convert to int64 exactly


def encode_array(values: np.ndarray, exponent: int, public_key: PublicKey | None = None) -> list[int]:
    """The signed fixed-point mantissas of `values` at `exponent` (each rounded half to even, as `encode`); with
    `public_key`, a mantissa beyond its max_int is refused with OverflowDetected."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"values to encode must be a one-dimensional array, got shape {array.shape}")
    if array.dtype.kind in "iu":
        mantissas = [_exact_mantissa(int(value), exponent) for value in array.tolist()]
    elif array.dtype.kind == "f":
        mantissas = _float_mantissas(array.astype(np.float64, copy=False), exponent)
    else:
        raise TypeError(f"only arrays of ints and floats encode, not of {array.dtype}")
    if public_key is not None and mantissas and max(map(abs, mantissas)) > public_key.max_int:
        first = next(index for index, mantissa in enumerate(mantissas) if abs(mantissa) > public_key.max_int)
        raise OverflowDetected(f"value {first} of the array is too large for a {public_key.n.bit_length()}-bit key "
                               f"at exponent {exponent}")
    return mantissas


def encrypt_array(public_key: PublicKey, values: np.ndarray, exponent: int, obfuscators: Obfuscators) -> list[int]:
    """The ciphertexts of `values` at `exponent`, each blinded by one of `obfuscators`' factors."""
    if obfuscators.public_key != public_key:
        raise ValueError("the obfuscators belong to another key")
    mantissas = encode_array(values, exponent, public_key)
    return _times_one_plus_n(public_key, obfuscators.take(len(mantissas)), mantissas)


def decrypt_array(private_key: PrivateKey, ciphertexts: Sequence[int], exponent: int) -> np.ndarray:
    """The numbers the ciphertexts hold at `exponent`, as float64 (correctly rounded, as `decrypt`)."""
    public_key = private_key.public_key
    plaintexts = private_key.raw_decrypt_many(ciphertexts)
    return np.array([float(decode(public_key, plaintext, exponent)) for plaintext in plaintexts], dtype=np.float64)


def add_plain(public_key: PublicKey, ciphertexts: Sequence[int], values: np.ndarray, exponent: int) -> list[int]:
    """E(a_i) + b_i for clear `values` b at the ciphertexts' `exponent` (no new randomness: (1 + b n) c)."""
    mantissas = encode_array(values, exponent, public_key)
    _check_lengths(ciphertexts, mantissas, "values")
    return _times_one_plus_n(public_key, ciphertexts, mantissas)


def add(public_key: PublicKey, left: Sequence[int], right: Sequence[int]) -> list[int]:
    """E(a_i) + E(b_i) element-wise (both at one exponent)."""
    _check_lengths(left, right, "right-hand ciphertexts")
    modulus = gmpy2.mpz(public_key.nsquare)
    return [int(gmpy2.mpz(a) * b % modulus) for a, b in zip(left, right)]


def total(public_key: PublicKey, ciphertexts: Sequence[int]) -> int:
    """E(sum_i a_i): the product of the ciphertexts (an unblinded E(0) for none)."""
    modulus = gmpy2.mpz(public_key.nsquare)
    product = gmpy2.mpz(1)
    for ciphertext in ciphertexts:
        product = product * ciphertext % modulus
    return int(product)


def scale(public_key: PublicKey, ciphertexts: Sequence[int], factor_mantissa: int) -> list[int]:
    """E(k a_i) for an integer k (a fixed-point factor's mantissa: the result's exponent is the ciphertexts' plus
    the factor's); a negative k goes through one inversion per ciphertext."""
    if abs(factor_mantissa) > public_key.max_int:
        raise OverflowDetected(f"the factor is too large for a {public_key.n.bit_length()}-bit key")
    return [int(c) for c in gmpy2.powmod_base_list(list(ciphertexts), factor_mantissa, public_key.nsquare)]


def column_exponents(matrix: np.ndarray, significant_bits: int) -> list[int]:
    """Per column of `matrix`, the fixed-point exponent at which its largest magnitude has `significant_bits` bits
    (a column of zeros takes -significant_bits)."""
    array = np.asarray(matrix, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"the matrix must be two-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("the matrix holds a value that is not a finite number")
    largest = np.abs(array).max(axis=0) if array.shape[0] else np.zeros(array.shape[1])
    return [int(np.frexp(value)[1]) - significant_bits for value in largest.tolist()]


def weighted_sums(public_key: PublicKey, ciphertexts: Sequence[int], matrix: np.ndarray,
                  matrix_exponents: int | Sequence[int]) -> list[int]:
    """E(sum_i a_i x_ij) for each column j of the clear (m x f) `matrix`, by a signed multi-exponentiation per
    column over the shared ciphertexts; column j enters at `matrix_exponents[j]` (or all at one exponent), so
    result j's exponent is the ciphertexts' plus that (see the module's precision note)."""
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] != len(ciphertexts):
        raise ValueError(f"the matrix must have one row per ciphertext ({len(ciphertexts)}), got shape {array.shape}")
    exponents = ([int(matrix_exponents)] * array.shape[1] if isinstance(matrix_exponents, (int, np.integer))
                 else [int(exponent) for exponent in matrix_exponents])
    if len(exponents) != array.shape[1]:
        raise ValueError(f"{len(exponents)} exponents for a matrix of {array.shape[1]} columns")
    modulus = gmpy2.mpz(public_key.nsquare)
    bases = [gmpy2.mpz(c) for c in ciphertexts]
    columns = [encode_array(array[:, column], exponent, public_key) for column, exponent in enumerate(exponents)]
    return [int(product) for product in signed_products_of_powers(bases, columns, modulus)]


def _times_one_plus_n(public_key: PublicKey, ciphertexts: Sequence[int], mantissas: Sequence[int]) -> list[int]:
    """(1 + m_i n) c_i mod n^2, computed as c_i + n (m_i c_i mod n) (one product mod n instead of mod n^2)."""
    n = gmpy2.mpz(public_key.n)
    nsquare = n * n
    results = []
    for ciphertext, mantissa in zip(ciphertexts, mantissas):
        value = ciphertext + n * (mantissa * gmpy2.mpz(ciphertext) % n)
        results.append(int(value - nsquare if value >= nsquare else value))
    return results


def _float_mantissas(array: np.ndarray, exponent: int) -> list[int]:
    """Mantissas of floats: numpy for those that fit int64 (scaling by a power of two is exact), exact Python
    arithmetic for the rest."""
    if not np.all(np.isfinite(array)):
        raise ValueError(f"value {int(np.argmin(np.isfinite(array)))} of the array is not a finite number")
    with np.errstate(over="ignore"):
        scaled = np.ldexp(array, -exponent) if abs(exponent) < 2**31 else np.full(array.shape, np.inf)
    fits = np.abs(scaled) < INT64_SAFE
    mantissas: list[int] = np.rint(np.where(fits, scaled, 0.0)).astype(np.int64).tolist()
    for index in np.flatnonzero(~fits).tolist():
        mantissas[index] = _exact_mantissa(float(array[index]), exponent)
    return mantissas


def _exact_mantissa(value: int | float, exponent: int) -> int:
    """round(value / 2^exponent), half to even, in exact arithmetic."""
    if isinstance(value, int) and exponent <= 0:
        return value << -exponent
    return round(Fraction(value) / Fraction(2) ** exponent)


def _check_lengths(ciphertexts: Sequence[object], others: Sequence[object], what: str) -> None:
    if len(ciphertexts) != len(others):
        raise ValueError(f"{len(ciphertexts)} ciphertexts but {len(others)} {what}")
