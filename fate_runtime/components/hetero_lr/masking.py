"""Random masks on encrypted gradients, so that the arbiter, which decrypts them, learns nothing of them.

A party adds r_j (uniform below n / 16, far above any gradient's mantissa) to each encrypted
mantissa m_j; the arbiter decrypts m_j + r_j (below n / 3, so it decodes exactly) and returns
it; the party subtracts r_j and has m_j exactly.
"""

from __future__ import annotations

import secrets

import gmpy2
import numpy as np

from fate_runtime.components.hetero_lr.cipher_blocks import CipherBlock
from fate_runtime.crypto import PrivateKey, PublicKey
from fate_runtime.crypto.paillier import decode


def masked(public_key: PublicKey, block: CipherBlock) -> tuple[CipherBlock, list[int]]:
    """(the block with a random mask added to each ciphertext, the masks)."""
    n, nsquare = public_key.n, public_key.nsquare
    masks = [secrets.randbelow(n >> 4) for _ in block.ciphertexts]
    ciphertexts = [int(gmpy2.mod(c * (1 + r * n), nsquare)) for c, r in zip(block.ciphertexts, masks)]
    return CipherBlock(ciphertexts, block.exponent), masks


def decrypted_mantissas(private_key: PrivateKey, block: CipherBlock) -> list[int]:
    """The arbiter's side: the signed integers a block of (masked) ciphertexts holds."""
    return [int(decode(private_key.public_key, private_key.raw_decrypt(c), 0)) for c in block.ciphertexts]


def unmasked(values: list[int], masks: list[int], exponents: list[int], rows: int) -> np.ndarray:
    """The party's side: the masks taken off, each value scaled by its exponent and averaged over `rows`."""
    if len(values) != len(masks):
        raise ValueError(f"the arbiter returned {len(values)} gradient values for {len(masks)} sent")
    return np.array([float(np.ldexp(float(value - mask), exponent))
                     for value, mask, exponent in zip(values, masks, exponents)]) / rows
