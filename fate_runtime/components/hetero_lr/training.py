"""What guest and hosts do alike in training: initial weights, the masked gradient round trip, convergence news."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.hetero_lr.cipher_blocks import CipherBlock, gradient_exponents
from fate_runtime.components.hetero_lr.masking import masked, unmasked
from fate_runtime.components.hetero_lr.optimizers import Optimizer, optimizer_for
from fate_runtime.crypto import PublicKey
from storage.codec import register_data_class

ARBITER = "arbiter"


class StepTimes:
    """Seconds per step of one batch, for the task log (where an iteration's time goes)."""

    def __init__(self) -> None:
        self._steps: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, step: str) -> None:
        now = time.perf_counter()
        self._steps[step] = self._steps.get(step, 0.0) + now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{step} {seconds:.3f} s" for step, seconds in self._steps.items())


def received_public_key(ctx: ComponentContext) -> PublicKey:
    """The arbiter's public key, refused unless its modulus is an odd number of the job's key_length bits (a weaker
    key would let a party decrypt what others send under it)."""
    n = ctx.federation.get("paillier_pubkey", "train", ctx.parties(ARBITER))[0]
    bits = ctx.params["encrypt_param"]["key_length"]
    if isinstance(n, bool) or not isinstance(n, int) or n % 2 == 0 or n.bit_length() != bits:
        raise ValueError(f"the arbiter's public key is not a {bits}-bit Paillier modulus")
    return PublicKey(n)


def initial_weights(init: dict[str, Any], size: int) -> np.ndarray:
    """FATE's init_param: random_uniform in [0, 1), random_normal, ones, zeros or const, seeded by random_seed."""
    method = init["init_method"]
    rng = np.random.default_rng(init["random_seed"])
    if method == "random_uniform":
        return rng.random(size)
    if method == "random_normal":
        return rng.standard_normal(size)
    if method == "ones":
        return np.ones(size)
    if method == "const":
        return np.full(size, float(init["init_const"]))
    return np.zeros(size)


@register_data_class("fate_runtime.hetero_lr.ConvergeInfo")
@dataclasses.dataclass
class ConvergeInfo:
    """What the arbiter tells every party after an iteration: converged or not, and the loss if it had one."""

    converged: bool
    loss: float | None


@dataclasses.dataclass
class PartyTraining:
    """A guest's or host's weights (intercept last when fitted), how it moves them, and the exponents its gradient's
    columns are computed at."""

    ctx: ComponentContext
    public_key: PublicKey
    weights: np.ndarray
    optimizer: Optimizer
    gradient_exponents: list[int]
    losses: list[float] = dataclasses.field(default_factory=list)
    iterations: int = 0
    converged: bool = False

    @staticmethod
    def start(ctx: ComponentContext, public_key: PublicKey, features: np.ndarray,
              fit_intercept: bool) -> "PartyTraining":
        """Training on `features` (all of the party's rows)."""
        exponents = gradient_exponents(features, fit_intercept)
        return PartyTraining(ctx, public_key, initial_weights(ctx.params["init_param"], len(exponents)),
                             optimizer_for(ctx.params, fit_intercept), exponents)

    def apply(self, encrypted_gradient: CipherBlock, rows: int, tag: str, times: StepTimes) -> None:
        """Send the gradient masked to the arbiter, take the masks off its decryption, step the weights."""
        name = f"{self.ctx.role}_masked_gradient"
        hidden, masks = masked(self.public_key, encrypted_gradient)
        arbiter = self.ctx.parties(ARBITER)
        self.ctx.federation.remote(hidden, name, tag, arbiter)
        values = self.ctx.federation.get(f"{self.ctx.role}_decrypted_gradient", tag, arbiter)[0]
        exponents = [encrypted_gradient.exponent + exponent for exponent in self.gradient_exponents]
        self.weights = self.optimizer.update(self.weights, unmasked(values, masks, exponents, rows))
        times.done("arbiter round trip")
        self.ctx.log.info("batch %s: %s", tag, times)

    def end_iteration(self, iteration: int, start_weights: np.ndarray) -> bool:
        """Report the weights' change where the arbiter judges by it; True once the arbiter says converged."""
        arbiter = self.ctx.parties(ARBITER)
        if self.ctx.params["early_stop"] == "weight_diff":
            change = self.weights - start_weights
            norms = (self.public_key.encrypt(float(np.dot(change, change))),
                     self.public_key.encrypt(float(np.dot(self.weights, self.weights))))
            self.ctx.federation.remote([(c.ciphertext, c.exponent) for c in norms], "weight_norms", iteration, arbiter)
        info: ConvergeInfo = self.ctx.federation.get("converge_info", iteration, arbiter)[0]
        if info.loss is not None:
            self.losses.append(info.loss)
        self.iterations = iteration + 1
        self.optimizer.iteration = self.iterations
        self.converged = info.converged
        return info.converged
