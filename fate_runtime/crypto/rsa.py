"""RSA on gmpy2 for private set intersection: key pairs, CRT signing, blind signatures, and FATE's id digests.

A key pair is n = p q, a public exponent e and the private exponent d (e d = 1 mod lcm(p - 1, q - 1)).
Signing x is x^d mod n, computed modulo p and q and recombined (the Chinese remainder theorem); verifying
(or encrypting) is x^e mod n. Blind signatures: the guest sends b = h r^e mod n for a random r, the key holder
returns b^d = h^d r mod n, and dividing by r leaves h^d - the signature of h, which the key holder never saw.

Ids are signed as FATE 1.2 does: h = sha256(str(id)) read as an integer, and the signature is compared as the
sha256 hex digest of its decimal text, so that tables signed here match FATE's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import secrets
from typing import Any

import gmpy2

DEFAULT_KEY_LENGTH = 1024  # FATE 1.2's intersection key
PUBLIC_EXPONENT = 65537
MIN_KEY_LENGTH = 256  # short keys only for tests


@dataclasses.dataclass(frozen=True)
class RsaPublicKey:
    """What the key holder publishes: n and e."""

    n: int
    e: int

    def __post_init__(self) -> None:
        if self.n < 3 or self.e < 3 or self.e >= self.n:
            raise ValueError("an RSA public key needs n > e >= 3")

    def encrypt(self, value: int) -> int:
        """value^e mod n (also how a signature is verified)."""
        return int(gmpy2.powmod(value, self.e, self.n))

    def verify(self, value: int, signature: int) -> bool:
        return self.encrypt(signature) == value % self.n

    def blinding_factor(self, bits: int) -> int:
        """A random r of at most `bits` bits, invertible mod n (so that it can be divided out again)."""
        while True:
            r = secrets.randbits(bits)
            if r > 1 and gmpy2.gcd(r, self.n) == 1:
                return r

    def blind(self, value: int, r: int) -> int:
        """value r^e mod n: what the key holder signs without learning value."""
        return int(gmpy2.powmod(r, self.e, self.n) * value % self.n)

    def unblind(self, signed: int, r: int) -> int:
        """The signature of value from the signature of its blinded form: signed / r mod n."""
        return int(gmpy2.divm(signed, r, self.n))


@dataclasses.dataclass(frozen=True)
class RsaPrivateKey:
    """The key holder's key: the public key, d, and the primes of n (for CRT signing)."""

    public_key: RsaPublicKey
    d: int
    p: int
    q: int
    _crt: tuple[int, int, int] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.p * self.q != self.public_key.n or self.p == self.q:
            raise ValueError("p and q must be the two distinct primes of n")
        # d mod (p - 1), d mod (q - 1), q^-1 mod p
        object.__setattr__(self, "_crt", (self.d % (self.p - 1), self.d % (self.q - 1),
                                          int(gmpy2.invert(self.q, self.p))))

    def sign(self, value: int) -> int:
        """value^d mod n, modulo p and q separately."""
        dp, dq, q_inverse = self._crt
        sp = gmpy2.powmod(value, dp, self.p)
        sq = gmpy2.powmod(value, dq, self.q)
        return int(sq + (sp - sq) * q_inverse % self.p * self.q)

    @classmethod
    def from_exponents(cls, n: int, e: int, d: int) -> "RsaPrivateKey":
        """The key of (n, e, d) as FATE's confs give it, its primes recovered from e and d; ValueError when d is not
        the private exponent of (n, e)."""
        public_key = RsaPublicKey(n, e)
        p = _factor_from_exponents(n, e, d)
        if p is None:
            raise ValueError("d is not the private exponent of the RSA key (n, e)")
        return cls(public_key, d, p, n // p)


def generate_rsa_keypair(n_length: int = DEFAULT_KEY_LENGTH,
                         e: int = PUBLIC_EXPONENT) -> tuple[RsaPublicKey, RsaPrivateKey]:
    """A new key pair whose modulus has exactly `n_length` bits (even, at least MIN_KEY_LENGTH)."""
    if n_length < MIN_KEY_LENGTH or n_length % 2:
        raise ValueError(f"an RSA key length must be even and at least {MIN_KEY_LENGTH} bits, got {n_length}")
    while True:
        p, q = _rsa_prime(n_length // 2, e), _rsa_prime(n_length // 2, e)
        if p != q and (p * q).bit_length() == n_length:
            break
    d = int(gmpy2.invert(e, math.lcm(p - 1, q - 1)))
    public_key = RsaPublicKey(p * q, e)
    return public_key, RsaPrivateKey(public_key, d, p, q)


def _rsa_prime(bits: int, e: int) -> int:
    """A prime of exactly `bits` bits with p - 1 coprime to e (so that e is invertible)."""
    while True:
        prime = int(gmpy2.next_prime(secrets.randbits(bits) | (3 << (bits - 2))))
        if prime.bit_length() == bits and math.gcd(prime - 1, e) == 1:
            return prime


def _factor_from_exponents(n: int, e: int, d: int, attempts: int = 64) -> int | None:
    """A prime factor of n found from e d - 1, a multiple of the group's order: some square root of 1 mod n other
    than +-1 shares a factor with n. None when none turns up (d does not belong to (n, e))."""
    k = e * d - 1
    if d <= 1 or k <= 0 or k % 2:
        return None
    odd, twos = k, 0
    while odd % 2 == 0:
        odd, twos = odd // 2, twos + 1
    for _ in range(attempts):
        y = gmpy2.powmod(secrets.randbelow(n - 3) + 2, odd, n)
        for _ in range(twos):
            square = gmpy2.powmod(y, 2, n)
            if square == 1 and y not in (1, n - 1):
                factor = int(gmpy2.gcd(y - 1, n))
                return factor if 1 < factor < n and gmpy2.is_prime(factor) and gmpy2.is_prime(n // factor) else None
            y = square
        if y != 1:  # y^(e d - 1) is not 1: e d is not 1 modulo the order
            return None
    return None


def id_hash(value: Any) -> int:
    """FATE's hash of an id before it is signed: sha256 of its text, as an integer."""
    return int(hashlib.sha256(str(value).encode("utf-8")).hexdigest(), 16)


def signature_digest(signature: int) -> str:
    """FATE's comparable form of a signed id: the sha256 hex digest of the signature's decimal text."""
    return hashlib.sha256(str(signature).encode("utf-8")).hexdigest()


def signed_id(key: RsaPrivateKey, sid: Any, _: Any = None) -> tuple[str, Any]:
    """(the digest of the signature of an id's hash, the id): a key holder's own ids as FATE keys them (a `map`
    function: the row's value is not used)."""
    return signature_digest(key.sign(id_hash(sid))), sid
