"""The update rules of FATE 1.2's optimizers, run by each party on its own weights.

FATE's arbiter applied the optimizer to the decrypted gradient of every party; here the arbiter
sees only masked gradients, so each party applies it to its own unmasked gradient. Every rule is
element-wise, so the weights move exactly as they would have.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Optimizer:
    """Plain SGD with FATE's learning-rate decay and L1/L2 penalties; subclasses change `step`."""

    def __init__(self, learning_rate: float, alpha: float, penalty: str | None, decay: float, decay_sqrt: bool,
                 fit_intercept: bool) -> None:
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.penalty = (penalty or "NONE").upper()
        self.decay = decay
        self.decay_sqrt = decay_sqrt
        self.fit_intercept = fit_intercept
        self.iteration = 0

    def decayed_rate(self) -> float:
        scale = 1 + self.decay * self.iteration
        return self.learning_rate / (np.sqrt(scale) if self.decay_sqrt else scale)

    def step(self, gradient: np.ndarray) -> np.ndarray:
        """The change to subtract from the weights for this gradient."""
        return self.decayed_rate() * gradient

    def _coefficients(self, values: np.ndarray) -> np.ndarray:
        return values[:-1] if self.fit_intercept else values

    def update(self, weights: np.ndarray, gradient: np.ndarray) -> np.ndarray:
        """New weights (the intercept last, when fitted) from the gradient of the loss without its penalty."""
        gradient = gradient.astype(np.float64, copy=True)
        if self.penalty == "L2":
            self._coefficients(gradient)[:] += self.alpha * self._coefficients(weights)
        moved = weights - self.step(gradient)
        if self.penalty == "L1":  # FATE's shrinkage, counting iterations from 1
            shrink = self.alpha * self.learning_rate / np.sqrt(self.iteration + 1)
            coefficients = self._coefficients(moved)
            coefficients[:] = np.sign(coefficients) * np.maximum(0.0, np.abs(coefficients) - shrink)
        return moved

    def penalty_loss(self, weights: np.ndarray) -> float:
        coefficients = self._coefficients(weights)
        if self.penalty == "L2":
            return float(0.5 * self.alpha * np.dot(coefficients, coefficients))
        if self.penalty == "L1":
            return float(self.alpha * np.sum(np.abs(coefficients)))
        return 0.0


class _Moments(Optimizer):
    """An optimizer that keeps running moments of the gradient (zeros until the first step)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first: np.ndarray | float = 0.0
        self.second: np.ndarray | float = 0.0


class RMSProp(_Moments):
    rho = 0.99

    def step(self, gradient: np.ndarray) -> np.ndarray:
        self.second = self.rho * self.second + (1 - self.rho) * np.square(gradient)
        return self.decayed_rate() * gradient / np.sqrt(self.second + 1e-6)


class AdaGrad(_Moments):
    def step(self, gradient: np.ndarray) -> np.ndarray:
        self.second = self.second + np.square(gradient)
        return self.decayed_rate() * gradient / (np.sqrt(self.second) + 1e-7)


class NesterovMomentum(_Moments):
    momentum = 0.9

    def step(self, gradient: np.ndarray) -> np.ndarray:
        previous = self.first  # the velocity
        self.first = self.momentum * previous - self.decayed_rate() * gradient
        return self.momentum * previous - (1 + self.momentum) * self.first


class Adam(_Moments):
    beta1, beta2 = 0.9, 0.999

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = 0

    def step(self, gradient: np.ndarray) -> np.ndarray:
        self.steps += 1
        self.first = self.beta1 * self.first + (1 - self.beta1) * gradient
        self.second = self.beta2 * self.second + (1 - self.beta2) * np.square(gradient)
        first_hat = self.first / (1 - self.beta1 ** self.steps)
        second_hat = self.second / (1 - self.beta2 ** self.steps)
        return self.decayed_rate() * first_hat / (np.sqrt(second_hat) + 1e-8)


OPTIMIZER_CLASSES: dict[str, type[Optimizer]] = {"sgd": Optimizer, "rmsprop": RMSProp, "adam": Adam,
                                                 "adagrad": AdaGrad, "nesterov_momentum_sgd": NesterovMomentum}


def optimizer_for(params: dict, fit_intercept: bool) -> Optimizer:  # type: ignore[type-arg]
    """The optimizer HeteroLR's parameters name."""
    return OPTIMIZER_CLASSES[params["optimizer"]](params["learning_rate"], params["alpha"], params["penalty"],
                                                  params["decay"], params["decay_sqrt"], fit_intercept)
