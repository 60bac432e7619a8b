"""A host's side of online serving: its partial scores of the guest's cases, never its features.

The guest names the service, the model version it bound to it, and per case the sendToRemoteFeatureData whose
`id` the host finds its row by (in the feature table bound with the service: by default the table it trained
on). The host answers only the guest party of the model version it bound to that service - the caller's party id
is given by the transport (under TLS, the party its certificate names) - and only when the guest bound the same
model version: a host that scored for anyone would let them probe its weights.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable

import numpy as np

from fate_runtime.models import PartyModel
from fate_runtime.serving.errors import (BIND_MODEL_ERROR, HOST_FEATURE_NOT_EXIST, INVALID_ROLE_ERROR, MODEL_NULL,
                                         PARAM_ERROR, SUCCESS, ServingError)
from fate_runtime.serving.features import FeatureRows
from fate_runtime.serving.model_chain import GUEST, HOST
from fate_runtime.serving.requests import SUCCESS_MESSAGE
from fate_runtime.serving.scorer import ScorerCache

ID_KEY = "id"  # the key of sendToRemoteFeatureData a host finds its row by

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class HostQuery:
    """What the guest asks a host for: partial scores of `cases` (each a sendToRemoteFeatureData)."""

    service_id: str
    model_id: str
    model_version: str
    guest_party_id: str
    caseid: str
    cases: tuple[dict[str, str], ...]


@dataclasses.dataclass(frozen=True)
class CaseScore:
    retcode: int = SUCCESS
    retmsg: str = SUCCESS_MESSAGE
    score: float = 0.0


@dataclasses.dataclass(frozen=True)
class HostReply:
    """The host's answer: one CaseScore per case, or (retcode not 0) why it scored none."""

    retcode: int = SUCCESS
    retmsg: str = SUCCESS_MESSAGE
    scores: tuple[CaseScore, ...] = ()


@dataclasses.dataclass(frozen=True)
class HostBinding:
    """What a host bound to a service: its model version and the table it finds its features in."""

    model: PartyModel
    features: FeatureRows


class HostScoring:
    """Answers the guests' PartialScores calls for the services bound on this host party."""

    def __init__(self, party_id: str, bindings: Callable[[str], HostBinding | None],
                 scorers: ScorerCache | None = None) -> None:
        self._party_id = party_id
        self._bindings = bindings
        self._scorers = scorers or ScorerCache()

    def partial_scores(self, query: HostQuery, caller_party_id: str) -> HostReply:
        """The host's partial scores of `query`'s cases for the party `caller_party_id` (as authenticated)."""
        try:
            return self._scores(query, caller_party_id)
        except ServingError as exc:
            log.info("host %s refused case %s of service %s: %s", self._party_id, query.caseid, query.service_id,
                     exc.message)
            return HostReply(exc.retcode, exc.message)

    def _binding(self, query: HostQuery, caller_party_id: str) -> HostBinding:
        binding = self._bindings(query.service_id)
        if binding is None:
            raise ServingError(MODEL_NULL, f"service {query.service_id} is not bound on host {self._party_id}")
        if binding.model.role != HOST or binding.model.party_id != self._party_id:
            raise ServingError(MODEL_NULL, f"service {query.service_id} is bound to no host model of party "
                                           f"{self._party_id}")
        scorer = self._scorers.scorer(binding.model)
        if caller_party_id not in scorer.chain.parties(GUEST):
            raise ServingError(INVALID_ROLE_ERROR, f"party {caller_party_id} is not the guest of the model version "
                                                   f"bound to service {query.service_id} on host {self._party_id}")
        bound = (binding.model.model_id, binding.model.model_version)
        if (query.model_id, query.model_version) != bound:
            raise ServingError(BIND_MODEL_ERROR, f"service {query.service_id} is bound to model version {bound[1]} "
                                                 f"on host {self._party_id}, not to {query.model_version} as on the "
                                                 "guest")
        return binding

    def _scores(self, query: HostQuery, caller_party_id: str) -> HostReply:
        binding = self._binding(query, caller_party_id)
        scorer = self._scorers.scorer(binding.model)
        layout = scorer.reader.table_layout(binding.features, f"the feature table of host {self._party_id}")
        outcomes: list[CaseScore | None] = []
        rows: list[np.ndarray] = []
        for case in query.cases:
            key = case.get(ID_KEY)
            value = binding.features.get(key) if key else None
            if not key:
                outcomes.append(CaseScore(PARAM_ERROR, f"sendToRemoteFeatureData gives host {self._party_id} no "
                                                       f"{ID_KEY} to find its features by"))
            elif value is None:
                outcomes.append(CaseScore(HOST_FEATURE_NOT_EXIST, f"host {self._party_id} has no features of id "
                                                                  f"{key}"))
            else:
                try:
                    rows.append(scorer.reader.stored_row(value, layout, key))
                    outcomes.append(None)
                except ServingError as exc:
                    outcomes.append(CaseScore(exc.retcode, f"host {self._party_id}: {exc.message}"))
        scores = iter(scorer.partial_scores(np.vstack(rows)).tolist() if rows else [])
        log.info("host %s scored %d of %d cases of %s for service %s", self._party_id, len(rows), len(query.cases),
                 query.caseid, query.service_id)
        return HostReply(scores=tuple(outcome or CaseScore(score=next(scores)) for outcome in outcomes))
