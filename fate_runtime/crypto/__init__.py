"""Cryptography for the federated components: Paillier's additively homomorphic encryption."""

from __future__ import annotations

from fate_runtime.crypto.paillier import (KEY_LENGTHS, EncryptedNumber, OverflowDetected, PrivateKey, PublicKey,
                                          generate_keypair)

__all__ = ["KEY_LENGTHS", "EncryptedNumber", "OverflowDetected", "PrivateKey", "PublicKey", "generate_keypair"]
