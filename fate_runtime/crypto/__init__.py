"""Cryptography for the federated components: Paillier's additively homomorphic encryption, scalar and on arrays."""

from __future__ import annotations

from fate_runtime.crypto.multiexp import multi_exp, multi_exp_signed
from fate_runtime.crypto.obfuscators import Obfuscators
from fate_runtime.crypto.paillier import (KEY_LENGTHS, EncryptedNumber, OverflowDetected, PrivateKey, PublicKey,
                                          generate_keypair)

__all__ = ["KEY_LENGTHS", "EncryptedNumber", "Obfuscators", "OverflowDetected", "PrivateKey", "PublicKey",
           "generate_keypair", "multi_exp", "multi_exp_signed"]
