"""The work done on each block in the storage workers: encrypted forwards, residuals, gradients and loss terms.

Labels are taken as -1/+1 (FATE's convention for the Taylor expansion of the logistic loss around 0):
    residual d = 0.25 (u_guest + u_hosts) - 0.5 y,   gradient = sum_i d_i x_i,
    loss ~ log 2 - 0.5 y u + 0.125 u^2.
Hosts encrypt 0.25 u_host (so the guest only adds clear numbers to it); ciphertexts carry one shared
fixed-point exponent per block (FORWARD_EXPONENT). Each feature column enters the gradient's products at its
own exponent, the one that leaves the column's largest magnitude FEATURE_BITS significant bits (the cost of
a product grows with that width); the loss's weights enter at LOSS_EXPONENT.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from fate_runtime.components.instances import InstanceBlock
from fate_runtime.crypto import PublicKey
from fate_runtime.crypto.obfuscators import process_obfuscators
from fate_runtime.crypto.vectors import add, add_plain, column_exponents, encrypt_array, weighted_sums
from storage.codec import register_data_class

FORWARD_EXPONENT = -53  # 0.25 u and the residuals: every bit of a double near 1
FEATURE_BITS = 20  # each feature within 2^-21 of its column's largest magnitude: ample for LR
LOSS_EXPONENT = -24  # the loss's weights multiplied into ciphertexts: 6e-8 absolute
LOG_2 = math.log(2.0)


@register_data_class("fate_runtime.hetero_lr.CipherBlock")
@dataclasses.dataclass
class CipherBlock:
    """Paillier ciphertexts (ints mod n^2) of numbers that share one fixed-point exponent."""

    ciphertexts: list[int]
    exponent: int


def signed_labels(block: InstanceBlock) -> np.ndarray:
    assert block.labels is not None
    return np.where(block.labels == 1, 1.0, -1.0)


def forward(block: InstanceBlock, weights: np.ndarray, intercept: float) -> np.ndarray:
    """u = X w + b of a block (the clear part a party adds to the score)."""
    return block.features @ weights + intercept


def encrypted_forward(block: InstanceBlock, weights: np.ndarray, n: int, mode: str) -> CipherBlock:
    """A host's encrypted 0.25 u_host of a block."""
    values = 0.25 * forward(block, weights, 0.0)
    return CipherBlock(encrypt_array(PublicKey(n), values, FORWARD_EXPONENT, process_obfuscators(n, mode)),
                       FORWARD_EXPONENT)


def added(left: CipherBlock, right: CipherBlock, n: int) -> CipherBlock:
    """The element-wise sum of two blocks of ciphertexts at the same exponent."""
    return CipherBlock(add(PublicKey(n), left.ciphertexts, right.ciphertexts), left.exponent)


def residuals(block: InstanceBlock, hosts_forward: CipherBlock, weights: np.ndarray, intercept: float,
              n: int) -> CipherBlock:
    """The guest's encrypted residuals d = 0.25 (u_guest + u_hosts) - 0.5 y of a block."""
    clear = 0.25 * forward(block, weights, intercept) - 0.5 * signed_labels(block)
    return CipherBlock(add_plain(PublicKey(n), hosts_forward.ciphertexts, clear, hosts_forward.exponent),
                       hosts_forward.exponent)


def design_matrix(features: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """The columns a gradient sums over: the features, and a column of ones for the intercept when fitted."""
    return np.hstack([features, np.ones((features.shape[0], 1))]) if fit_intercept else features


def gradient_exponents(features: np.ndarray, fit_intercept: bool) -> list[int]:
    """The exponent each gradient column enters at, from all of a party's rows (every block uses the same)."""
    return column_exponents(design_matrix(features, fit_intercept), FEATURE_BITS)


def gradient(residual: CipherBlock, block: InstanceBlock, n: int, fit_intercept: bool,
             exponents: list[int]) -> CipherBlock:
    """sum_i d_i x_ij of a block, one ciphertext per column j (the intercept's sum_i d_i last when fitted); column j
    holds its number at residual.exponent + exponents[j], while the block carries residual.exponent alone (what the
    arbiter may see: the columns' exponents would tell it the scale of each feature)."""
    return CipherBlock(weighted_sums(PublicKey(n), residual.ciphertexts, design_matrix(block.features, fit_intercept),
                                     exponents), residual.exponent)


@register_data_class("fate_runtime.hetero_lr.LossTerms")
@dataclasses.dataclass
class LossTerms:
    """A block's part of the guest's loss sum: the encrypted cross term with one host and the clear rest."""

    cross: CipherBlock
    clear: float


def loss_terms(block: InstanceBlock, host_forward: CipherBlock, weights: np.ndarray, intercept: float,
               n: int) -> LossTerms:
    """sum_i (-2 y_i + u_i) [0.25 u_host,i] (= sum of -0.5 y u_host + 0.25 u u_host) and sum_i (log 2 - 0.5 y u +
    0.125 u^2) over a block."""
    y, u = signed_labels(block), forward(block, weights, intercept)
    cross = weighted_sums(PublicKey(n), host_forward.ciphertexts, (u - 2.0 * y)[:, None], LOSS_EXPONENT)
    clear = float(np.sum(LOG_2 - 0.5 * y * u + 0.125 * u * u))
    return LossTerms(CipherBlock(cross, host_forward.exponent + LOSS_EXPONENT), clear)


def summed_loss_terms(left: LossTerms, right: LossTerms, n: int) -> LossTerms:
    return LossTerms(added(left.cross, right.cross, n), left.clear + right.clear)
