"""Blinding factors for Paillier encryption: r^n mod n^2, fresh or from a fixed base with short exponents.

A ciphertext (1 + m n) * x mod n^2 hides m as long as the blinding factor x looks like a random n-th residue.

- "fresh" draws x = r^n for a uniformly random r in [1, n): the textbook scheme and FATE's default. One
  costs a full exponentiation by n (1.4-2 ms at 1024 bits).
- "fixed_base" draws x = h^s, where h = r0^n mod n^2 is fixed once per source (a random r0, kept by the
  encrypting party) and s is a fresh random 256-bit exponent. h^s is a product of 256 / 8 entries of a
  table of h^(d 2^(8 i)) (one per byte of s), built once per (n, h) and cached per process: about 0.05 ms
  at 1024 bits.

Security note: every h^s is an n-th residue, so each ciphertext is still a valid encryption of its m,
but the blinding factors now range over the 2^256 powers h^s instead of all n-th residues. That they
cannot be told apart from uniform n-th residues rests on the short-exponent assumption (discrete
logarithms with 256-bit exponents are as hard as with full ones; the best known generic attack,
Pollard's lambda, needs about 2^128 steps), on top of Paillier's decisional composite residuosity
assumption. It is the well-known fixed-base variant used by fast Paillier implementations, not
the textbook scheme: components expose the choice as a parameter and "fresh" keeps full r^n.
h is no secret key material (it is an encryption of zero), but s must never be reused or revealed.
"""

from __future__ import annotations

import functools
import secrets
from typing import Literal

import gmpy2

from fate_runtime.crypto.paillier import PublicKey

Mode = Literal["fixed_base", "fresh"]
MODES: tuple[Mode, ...] = ("fixed_base", "fresh")
EXPONENT_BYTES = 32  # s has 256 bits: 128-bit security against Pollard's lambda
WINDOW_BITS = 8  # one table row per byte of s: 32 rows of 256 powers


class Obfuscators:
    """A source of blinding factors r^n-type mod n^2 for one public key (picklable; the table is rebuilt per
    process)."""

    def __init__(self, public_key: PublicKey, mode: str = "fixed_base", base: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"obfuscator mode must be one of {', '.join(MODES)}, got {mode!r}")
        if base is not None and (mode != "fixed_base" or not 0 < base < public_key.nsquare):
            raise ValueError("a fixed base is only taken in fixed_base mode, and must lie in (0, n^2)")
        self.public_key = public_key
        self.mode = mode
        self.base = public_key.obfuscator() if mode == "fixed_base" and base is None else base

    def __reduce__(self) -> tuple[type, tuple[PublicKey, str, int | None]]:
        return Obfuscators, (self.public_key, self.mode, self.base)

    def __repr__(self) -> str:
        return f"Obfuscators({self.public_key.n.bit_length()}-bit key, {self.mode})"

    def take(self, count: int) -> list[int]:
        """`count` blinding factors, each independent of the others."""
        if count < 0:
            raise ValueError(f"cannot take {count} obfuscators")
        n, nsquare = self.public_key.n, self.public_key.nsquare
        if self.base is None:
            randoms = [secrets.randbelow(n - 1) + 1 for _ in range(count)]
            return [int(x) for x in gmpy2.powmod_base_list(randoms, n, nsquare)]
        table = _fixed_base_table(nsquare, self.base)
        modulus = gmpy2.mpz(nsquare)
        drawn = secrets.token_bytes(EXPONENT_BYTES * count)
        factors = []
        for start in range(0, len(drawn), EXPONENT_BYTES):
            exponent = drawn[start:start + EXPONENT_BYTES]
            power = table[0][exponent[0]]
            for row, digit in zip(table[1:], exponent[1:]):
                power = power * row[digit] % modulus
            factors.append(int(power))
        return factors


@functools.lru_cache(maxsize=8)
def process_obfuscators(n: int, mode: str = "fixed_base") -> Obfuscators:
    """One source per key and mode in this process (its fixed base, and so its table, made once): for work that
    encrypts a little at a time, per row or per block, in a worker process."""
    return Obfuscators(PublicKey(n), mode)


@functools.lru_cache(maxsize=4)
def _fixed_base_table(modulus: int, base: int) -> tuple[tuple[gmpy2.mpz, ...], ...]:
    """Row i holds base^(d 2^(8 i)) mod `modulus` for every byte d (8,160 multiplications, ~15 ms at 1024 bits)."""
    mod = gmpy2.mpz(modulus)
    rows = []
    step = gmpy2.mpz(base) % mod  # base^(2^(8 i)) for the current row
    for _ in range(EXPONENT_BYTES):
        row = [gmpy2.mpz(1), step]
        for _ in range(2, 1 << WINDOW_BITS):
            row.append(row[-1] * step % mod)
        rows.append(tuple(row))
        step = row[-1] * step % mod
    return tuple(rows)
