"""The guest's side of online serving: FATE-Serving's request in, the probability and label of each case out.

The guest replays its bound model version on each case's featureData, asks every host of that model version for
its partial score of the same cases (passing on only sendToRemoteFeatureData), adds them to its own and answers
with sigmoid(sum) and the label HeteroLR's threshold gives, as the batch predict job does. Collaborators are
given: which model version a service id is bound to, and how to ask a host (the node's gRPC client; a fake in
unit tests). A request that cannot be answered gets FATE-Serving's status code and one sentence.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import numpy as np

from fate_runtime.models import PartyModel
from fate_runtime.serving.errors import MODEL_NULL, NET_ERROR, SUCCESS, SYSTEM_ERROR, ServingError
from fate_runtime.serving.host import CaseScore, HostQuery, HostReply
from fate_runtime.serving.model_chain import GUEST, HOST
from fate_runtime.serving.requests import (Case, InferenceRequest, Outcome, batch_reply, batch_request, failure,
                                           single_reply, single_request)
from fate_runtime.serving.scorer import PartyScorer, ScorerCache

log = logging.getLogger(__name__)


class HostUnreachable(Exception):
    """A host did not answer (raised by the transport; its details belong in the log, not in a reply)."""


HostCall = Callable[[str, HostQuery], HostReply]  # (host party id, query) -> the host's reply


class GuestInference:
    """Answers FATE-Serving's inference requests for the services bound on this guest party."""

    def __init__(self, bound: Callable[[str], PartyModel | None], ask_host: HostCall, where: str,
                 scorers: ScorerCache | None = None) -> None:
        """`bound`: the guest model version a service id is bound to (None: none); `where`: the guest parties
        served, as replies name them ("guest 9999")."""
        self._where = where
        self._bound = bound
        self._ask_host = ask_host
        self._scorers = scorers or ScorerCache()

    def inference(self, body: Any) -> dict[str, Any]:
        """The reply to one case (FATE-Serving's `inference`)."""
        return self._answer(body, single_request, lambda request, outcomes: single_reply(request, outcomes[0]))

    def batch_inference(self, body: Any) -> dict[str, Any]:
        """The reply to a batch of cases (FATE-Serving 2's `batchInference`): one result per case."""
        return self._answer(body, batch_request, batch_reply)

    def _answer(self, body: Any, parse: Callable[[Any], InferenceRequest],
                render: Callable[[InferenceRequest, list[Outcome]], dict[str, Any]]) -> dict[str, Any]:
        try:
            request = parse(body)
        except ServingError as exc:
            return failure(exc)
        try:
            return render(request, self._outcomes(request))
        except ServingError as exc:
            log.info("%s: case %s of service %s failed: %s", self._where, request.caseid,
                     request.service_id, exc.message)
            return failure(exc, request.caseid)
        except Exception:  # noqa: BLE001 - a bug must not take the service down; the log has the traceback
            log.exception("%s failed to score case %s of service %s", self._where, request.caseid,
                          request.service_id)
            return failure(ServingError(SYSTEM_ERROR, f"{self._where} failed to score service "
                                                      f"{request.service_id}; its log says why"), request.caseid)

    def _scorer(self, service_id: str) -> PartyScorer:
        model = self._bound(service_id)
        if model is None or model.role != GUEST:
            raise ServingError(MODEL_NULL, f"service id {service_id} is not bound on {self._where}")
        return self._scorers.scorer(model)

    def _outcomes(self, request: InferenceRequest) -> list[Outcome]:
        scorer = self._scorer(request.service_id)
        outcomes: list[Outcome | None] = []
        rows: list[np.ndarray] = []
        scored: list[Case] = []
        for case in request.cases:
            try:
                rows.append(scorer.reader.feature_data(case.feature_data))
                scored.append(case)
                outcomes.append(None)
            except ServingError as exc:
                outcomes.append(Outcome(exc.retcode, exc.message))
        if not rows:
            return [outcome or Outcome() for outcome in outcomes]
        totals = scorer.partial_scores(np.vstack(rows))
        failed: dict[int, Outcome] = {}
        for host in scorer.chain.parties(HOST):
            scores = self._host_scores(host, scorer, request, scored)
            for position, found in enumerate(scores):
                if found.retcode != SUCCESS:
                    failed.setdefault(position, Outcome(found.retcode, found.retmsg))
                totals[position] += found.score
        probabilities = 1.0 / (1.0 + np.exp(-totals))
        results = iter(failed.get(position) or Outcome(score=float(p), label=int(p > scorer.threshold))
                       for position, p in enumerate(probabilities))
        log.info("guest %s scored %d of %d cases of %s for service %s", scorer.chain.model.party_id,
                 len(rows) - len(failed), len(request.cases), request.caseid, request.service_id)
        return [outcome or next(results) for outcome in outcomes]

    def _host_scores(self, host: str, scorer: PartyScorer, request: InferenceRequest,
                     cases: list[Case]) -> tuple[CaseScore, ...]:
        model = scorer.chain.model
        query = HostQuery(request.service_id, model.model_id, model.model_version, model.party_id, request.caseid,
                          tuple(case.remote for case in cases))
        try:
            reply = self._ask_host(host, query)
        except HostUnreachable as exc:
            log.warning("host %s did not answer case %s of service %s: %s", host, request.caseid, request.service_id,
                        exc)
            raise ServingError(NET_ERROR, f"host {host} did not answer for service {request.service_id}") from None
        if reply.retcode != SUCCESS:
            raise ServingError(reply.retcode, reply.retmsg)
        if len(reply.scores) != len(cases):
            raise ServingError(SYSTEM_ERROR, f"host {host} answered {len(reply.scores)} scores for the "
                                             f"{len(cases)} cases of service {request.service_id}")
        return reply.scores
