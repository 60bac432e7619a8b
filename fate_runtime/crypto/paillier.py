"""Paillier's additively homomorphic cryptosystem on gmpy2, with fixed-point numbers.

A key pair of modulus n (p, q primes of n_length / 2 bits) encrypts an integer m mod n as
c = (1 + m n) r^n mod n^2 with a random obfuscator r. Then D(c1 c2) = m1 + m2 and D(c^k) = k m,
which is all hetero LR needs. Real numbers travel as fixed-point: value = mantissa * 2^exponent,
the mantissa an integer taken mod n, the exponent kept in the clear beside the ciphertext. Only
mantissas of magnitude below n / 3 are valid: one outside [-(n/3), n/3] is refused when encoded
and reported as an overflow when decrypted (a sum that grew past it cannot be told from a
negative number otherwise). Adding numbers of different exponents scales the coarser one down;
a shift as wide as the key is refused, a narrower one that pushes its mantissa past n / 3 is not
seen until decryption, and then only as a likely overflow: components encrypt at one exponent
(`encrypt(value, exponent)`) so that sums stay aligned. The private key decrypts with the Chinese
remainder theorem.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import secrets
from fractions import Fraction
from typing import Sequence, Union

import gmpy2

KEY_LENGTHS = (1024, 2048, 3072, 4096)
FLOAT_MANTISSA_BITS = 53  # a double's precision: encoding keeps every bit of a float
Scalar = Union[int, float]


class OverflowDetected(ArithmeticError):
    """A number too large for the key: its mantissa is not below n / 3 in magnitude."""


@dataclasses.dataclass(frozen=True)
class PublicKey:
    """The public key: n, and what encryption derives from it."""

    n: int

    @property
    def nsquare(self) -> int:
        return self.n * self.n

    @property
    def max_int(self) -> int:
        """The largest mantissa magnitude that encodes (and survives decryption) unambiguously."""
        return self.n // 3 - 1

    def obfuscator(self) -> int:
        """A fresh r^n mod n^2 for a random r in [1, n)."""
        r = secrets.randbelow(self.n - 1) + 1
        return int(gmpy2.powmod(r, self.n, self.nsquare))

    def raw_encrypt(self, plaintext: int, obfuscator: int | None = None) -> int:
        """The ciphertext of an integer in [0, n): (1 + m n) r^n mod n^2 (r^n fresh unless given)."""
        if not 0 <= plaintext < self.n:
            raise ValueError("a Paillier plaintext must lie in [0, n)")
        blinding = self.obfuscator() if obfuscator is None else obfuscator
        return int(gmpy2.mod((1 + plaintext * self.n) * blinding, self.nsquare))

    def encrypt(self, value: Scalar, exponent: int | None = None) -> "EncryptedNumber":
        """Encrypt a number (an int exactly; a float with its full precision, or at `exponent`)."""
        encoded = encode(self, value, exponent)
        return EncryptedNumber(self, self.raw_encrypt(encoded.mantissa % self.n), encoded.exponent)


@dataclasses.dataclass(frozen=True)
class PrivateKey:
    """The private key: the primes of n, decrypting with the Chinese remainder theorem."""

    public_key: PublicKey
    p: int
    q: int

    def __post_init__(self) -> None:
        if self.p * self.q != self.public_key.n or self.p == self.q:
            raise ValueError("p and q must be the two distinct primes of n")

    @functools.cached_property
    def _crt(self) -> tuple[int, int, int, int, int]:
        """(p^2, q^2, hp, hq, q^-1 mod p) for decryption modulo p and q separately."""
        p, q, n = self.p, self.q, self.public_key.n
        hp = int(gmpy2.invert(_l_function(int(gmpy2.powmod(n + 1, p - 1, p * p)), p), p))
        hq = int(gmpy2.invert(_l_function(int(gmpy2.powmod(n + 1, q - 1, q * q)), q), q))
        return p * p, q * q, hp, hq, int(gmpy2.invert(q, p))

    def raw_decrypt(self, ciphertext: int) -> int:
        """The integer in [0, n) a ciphertext holds."""
        if not 0 < ciphertext < self.public_key.nsquare:
            raise ValueError("a Paillier ciphertext must lie in (0, n^2)")
        psquare, qsquare, hp, hq, q_inverse = self._crt
        mp = _l_function(int(gmpy2.powmod(ciphertext, self.p - 1, psquare)), self.p) * hp % self.p
        mq = _l_function(int(gmpy2.powmod(ciphertext, self.q - 1, qsquare)), self.q) * hq % self.q
        return mq + ((mp - mq) * q_inverse % self.p) * self.q

    def raw_decrypt_many(self, ciphertexts: Sequence[int]) -> list[int]:
        """raw_decrypt of every ciphertext, the exponentiations in gmpy2's batch calls (which release the GIL)."""
        nsquare = self.public_key.nsquare
        if not all(0 < ciphertext < nsquare for ciphertext in ciphertexts):
            raise ValueError("a Paillier ciphertext must lie in (0, n^2)")
        psquare, qsquare, hp, hq, q_inverse = self._crt
        p, q = gmpy2.mpz(self.p), gmpy2.mpz(self.q)
        residues_p = gmpy2.powmod_base_list(ciphertexts, p - 1, psquare)
        residues_q = gmpy2.powmod_base_list(ciphertexts, q - 1, qsquare)
        plaintexts = []
        for residue_p, residue_q in zip(residues_p, residues_q):
            mp = (residue_p - 1) // p * hp % p
            mq = (residue_q - 1) // q * hq % q
            plaintexts.append(int(mq + (mp - mq) * q_inverse % p * q))
        return plaintexts

    def decrypt(self, number: "EncryptedNumber") -> Scalar:
        """The number an EncryptedNumber holds (an int when its exponent is 0 or more)."""
        if number.public_key != self.public_key:
            raise ValueError("the number was encrypted with another key")
        return decode(self.public_key, self.raw_decrypt(number.ciphertext), number.exponent)


@dataclasses.dataclass(frozen=True)
class Encoded:
    """A fixed-point number: mantissa * 2^exponent, the mantissa a signed integer."""

    mantissa: int
    exponent: int


def encode(public_key: PublicKey, value: Scalar, exponent: int | None = None) -> Encoded:
    """A number as a fixed-point mantissa and exponent: ints at exponent 0 (exact), floats at the exponent of
    their least significant bit unless `exponent` is given; refused beyond the key's range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"only ints and floats encrypt, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} cannot be encrypted")
    if exponent is None:
        exponent = 0 if isinstance(value, int) else math.frexp(value)[1] - FLOAT_MANTISSA_BITS
    mantissa = round(Fraction(value) * _power_of_two(-exponent))
    if abs(mantissa) > public_key.max_int:
        raise OverflowDetected(f"{value} is too large for a {public_key.n.bit_length()}-bit key at exponent "
                               f"{exponent}")
    return Encoded(int(mantissa), exponent)


def decode(public_key: PublicKey, plaintext: int, exponent: int) -> Scalar:
    """The number a decrypted plaintext (mod n) holds at `exponent`."""
    n, max_int = public_key.n, public_key.max_int
    if plaintext <= max_int:
        mantissa = plaintext
    elif plaintext >= n - max_int:
        mantissa = plaintext - n
    else:
        raise OverflowDetected("the decrypted number overflowed the key's range (a sum or product grew too large)")
    if exponent >= 0:
        return mantissa << exponent
    return float(mantissa * _power_of_two(exponent))  # correctly rounded, however large the mantissa


@dataclasses.dataclass(frozen=True)
class EncryptedNumber:
    """A ciphertext with its (clear) fixed-point exponent; adds to ciphertexts and numbers, multiplies by numbers."""

    public_key: PublicKey
    ciphertext: int
    exponent: int

    def _at(self, exponent: int) -> "EncryptedNumber":
        """The same number at a lower (finer) exponent: the mantissa scaled by a power of two."""
        if exponent > self.exponent:
            raise ValueError("an encrypted number cannot move to a coarser exponent")
        if self.exponent - exponent >= self.public_key.max_int.bit_length():
            raise OverflowDetected(f"exponents {self.exponent} and {exponent} are too far apart for a "
                                   f"{self.public_key.n.bit_length()}-bit key")
        factor = 1 << (self.exponent - exponent)
        return EncryptedNumber(self.public_key, int(gmpy2.powmod(self.ciphertext, factor, self.public_key.nsquare)),
                               exponent)

    def __add__(self, other: "EncryptedNumber | Scalar") -> "EncryptedNumber":
        if isinstance(other, EncryptedNumber):
            if other.public_key != self.public_key:
                raise ValueError("numbers encrypted with different keys do not add")
            right = other
        else:
            encoded = encode(self.public_key, other, min(self.exponent, _natural_exponent(other)))
            # an unobfuscated ciphertext of the plaintext: adding it keeps this number's randomness
            right = EncryptedNumber(self.public_key, self.public_key.raw_encrypt(encoded.mantissa % self.public_key.n,
                                                                                 1), encoded.exponent)
        exponent = min(self.exponent, right.exponent)
        left, right = self._at(exponent), right._at(exponent)
        return EncryptedNumber(self.public_key, int(gmpy2.mod(left.ciphertext * right.ciphertext,
                                                              self.public_key.nsquare)), exponent)

    __radd__ = __add__

    def __neg__(self) -> "EncryptedNumber":
        return EncryptedNumber(self.public_key, int(gmpy2.invert(self.ciphertext, self.public_key.nsquare)),
                               self.exponent)

    def __sub__(self, other: "EncryptedNumber | Scalar") -> "EncryptedNumber":
        return self + (-other)

    def __rsub__(self, other: Scalar) -> "EncryptedNumber":
        return -self + other

    def __mul__(self, other: Scalar) -> "EncryptedNumber":
        """Times a clear number: c^k, with a negative k as (c^-1)^|k| (no exponent near n)."""
        if isinstance(other, EncryptedNumber):
            raise TypeError("two encrypted numbers do not multiply under Paillier")
        encoded = encode(self.public_key, other)
        base = self.ciphertext if encoded.mantissa >= 0 else int(gmpy2.invert(self.ciphertext,
                                                                             self.public_key.nsquare))
        return EncryptedNumber(self.public_key, int(gmpy2.powmod(base, abs(encoded.mantissa),
                                                                 self.public_key.nsquare)),
                               self.exponent + encoded.exponent)

    __rmul__ = __mul__

    def obfuscated(self) -> "EncryptedNumber":
        """The same number under fresh randomness (before it leaves its owner)."""
        return EncryptedNumber(self.public_key, int(gmpy2.mod(self.ciphertext * self.public_key.obfuscator(),
                                                              self.public_key.nsquare)), self.exponent)


def generate_keypair(n_length: int = 1024) -> tuple[PublicKey, PrivateKey]:
    """A new key pair whose modulus n has exactly `n_length` bits (one of KEY_LENGTHS, or at least 256 bits in
    tests)."""
    if n_length < 256 or n_length % 2:
        raise ValueError(f"a Paillier key length must be even and at least 256 bits, got {n_length}")
    while True:
        p, q = _prime(n_length // 2), _prime(n_length // 2)
        n = p * q
        if p != q and n.bit_length() == n_length:
            public_key = PublicKey(n)
            return public_key, PrivateKey(public_key, p, q)


def _prime(bits: int) -> int:
    """A random prime of exactly `bits` bits (its two top bits set, so a product of two has 2 * bits bits)."""
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        prime = int(gmpy2.next_prime(candidate))
        if prime.bit_length() == bits:
            return prime


def _natural_exponent(value: Scalar) -> int:
    """The exponent a number encodes at by itself (0 for ints, its last bit for floats)."""
    return 0 if isinstance(value, int) else math.frexp(value)[1] - FLOAT_MANTISSA_BITS


def _power_of_two(exponent: int) -> Fraction:
    return Fraction(1 << exponent) if exponent >= 0 else Fraction(1, 1 << -exponent)


def _l_function(x: int, p: int) -> int:
    return (x - 1) // p
