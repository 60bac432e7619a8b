"""A party's scorer of one model version: DataIO's reader, the steps after it, and HeteroLR's weights -> the party's
partial score w x (+ the intercept at the guest) of each case, a batch of cases in one matrix product."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from typing import Callable

import numpy as np

from fate_runtime.components.dataio.settings import find_model, from_model
from fate_runtime.components.hetero_lr.model import aligned_features, loaded_weights
from fate_runtime.models import PartyModel
from fate_runtime.serving.errors import MODEL_INIT_ERROR, ServingError
from fate_runtime.serving.features import FeatureReader
from fate_runtime.serving.model_chain import GUEST, HOST, ModelChain, model_chain
from fate_runtime.serving.steps import Step, Transform, step

READING_MODULE = "DataIO"


@dataclasses.dataclass(frozen=True)
class PartyScorer:
    """One party's part of a bound model version, ready to score."""

    chain: ModelChain
    reader: FeatureReader
    transforms: tuple[Transform, ...]
    columns: np.ndarray  # the weighted features' positions after the transforms
    weights: np.ndarray
    intercept: float
    threshold: float  # HeteroLR's predict_param.threshold: a probability above it is label 1

    def partial_scores(self, features: np.ndarray) -> np.ndarray:
        """w x (+ b at the guest) of every row of `features` (rows x DataIO's header)."""
        for transform in self.transforms:
            features = transform(features)
        return features[:, self.columns] @ self.weights + self.intercept


def _reader(chain: ModelChain) -> FeatureReader:
    head = chain.links[0]
    trained = find_model({head.name: head.buffers}) if head.module == READING_MODULE else None
    if trained is None:
        raise ServingError(MODEL_INIT_ERROR, f"{chain.label} does not start with a trained {READING_MODULE} "
                                             f"component (it starts with {head.name})")
    return FeatureReader(from_model(*trained), f"{head.name} of {chain.label}")


def party_scorer(model: PartyModel) -> PartyScorer:
    """The scorer of a guest's or host's model version; ServingError (MODEL_INIT_ERROR) when it cannot be served."""
    if model.role not in (GUEST, HOST):
        raise ServingError(MODEL_INIT_ERROR, f"a {model.role}'s model version scores nothing online")
    chain = model_chain(model)
    reader = _reader(chain)
    current = Step(reader.header)
    transforms: list[Transform] = []
    for link in chain.links[1:-1]:
        current = step(link, current.header, model.role)
        if current.transform is not None:
            transforms.append(current.transform)
    scoring = chain.links[-1]
    try:
        weights = loaded_weights({scoring.name: scoring.buffers}, scoring.name)
        columns = aligned_features(weights.header, list(current.header), scoring.name)
    except ValueError as exc:
        raise ServingError(MODEL_INIT_ERROR, f"{chain.label} cannot be served: {exc}") from None
    return PartyScorer(chain, reader, tuple(transforms), np.asarray(columns, dtype=np.int64), weights.coefficients,
                       weights.intercept if model.role == GUEST else 0.0, chain.threshold())


def _fingerprint(model: PartyModel) -> str:
    """A digest of the version's buffers and pipeline: an import or restore that replaces them changes it."""
    digest = hashlib.sha256(repr(sorted(model.pipeline.inference_dsl.items())).encode())
    for component, aliases in sorted(model.components.items()):
        for alias, buffers in sorted(aliases.items()):
            for buffer in buffers:
                digest.update(f"{component}/{alias}/{buffer.name}/{buffer.type}/{len(buffer.data)}".encode())
                digest.update(buffer.data)
    return digest.hexdigest()


class ScorerCache:
    """Scorers by model version, party and the buffers' fingerprint, built once per content (an import or restore
    that replaces a version's buffers gets a new scorer)."""

    def __init__(self, build: Callable[[PartyModel], PartyScorer] = party_scorer, size: int = 32) -> None:
        self._build = build
        self._size = size
        self._scorers: dict[tuple[str, str, str, str, str], PartyScorer] = {}
        self._lock = threading.Lock()

    def scorer(self, model: PartyModel) -> PartyScorer:
        key = (model.model_id, model.model_version, model.role, model.party_id, _fingerprint(model))
        with self._lock:
            found = self._scorers.get(key)
        if found is None:
            found = self._build(model)
            with self._lock:
                if len(self._scorers) >= self._size:
                    self._scorers.pop(next(iter(self._scorers)))
                self._scorers[key] = found
        return found
