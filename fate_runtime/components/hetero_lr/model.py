"""HeteroLR's model as FATE saves it: LRModelMeta (the settings) and LRModelParam (weights by feature name)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from fate_runtime.components.context import Buffers
from protos.lr_model_pb2 import LRModelMeta, LRModelParam

META, PARAM = "HeteroLRMeta", "HeteroLRParam"


@dataclasses.dataclass
class Weights:
    """A party's weights in header order, and the intercept (the guest's; 0 elsewhere)."""

    header: list[str]
    coefficients: np.ndarray
    intercept: float = 0.0


def model_meta(params: dict[str, Any]) -> LRModelMeta:
    return LRModelMeta(penalty=params["penalty"] or "NONE", tol=params["tol"], alpha=params["alpha"],
                       optimizer=params["optimizer"], party_weight=0.0, batch_size=params["batch_size"],
                       learning_rate=params["learning_rate"], max_iter=params["max_iter"],
                       early_stop=params["early_stop"], re_encrypt_batches=0,
                       fit_intercept=params["init_param"]["fit_intercept"], need_one_vs_rest=False)


def model_param(weights: Weights | None, iterations: int, losses: list[float], converged: bool) -> LRModelParam:
    param = LRModelParam(iters=iterations, loss_history=losses, is_converged=converged)
    if weights is not None:
        param.header.extend(weights.header)
        param.weight.update({name: float(value) for name, value in zip(weights.header, weights.coefficients)})
        param.intercept = weights.intercept
    return param


def loaded_weights(models: dict[str, Buffers], component: str) -> Weights:
    """The weights of the model a predict job was given (the one its DSL's `model` input names)."""
    if not models:
        raise ValueError(f"{component} has no trained model to predict with")
    buffers = next(iter(models.values()))
    if PARAM not in buffers:
        raise ValueError(f"the model given to {component} is not a HeteroLR model (no {PARAM})")
    param = LRModelParam.FromString(buffers[PARAM])
    header = list(param.header)
    return Weights(header, np.array([param.weight[name] for name in header], dtype=np.float64), param.intercept)


def aligned_features(model_header: list[str], table_header: list[str], component: str) -> list[int]:
    """The table's column index of each model feature; ValueError naming a feature the table lacks."""
    position = {name: index for index, name in enumerate(table_header)}
    missing = [name for name in model_header if name not in position]
    if missing:
        raise ValueError(f"the data given to {component} lacks the trained feature {missing[0]}")
    return [position[name] for name in model_header]
