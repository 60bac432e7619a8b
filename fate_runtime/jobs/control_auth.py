"""Who may drive a job on this node over the Scheduler service (the peer port).

- CheckJob/CreateJob: under TLS, the caller's certificate must name the job's initiator party.
  A job whose initiator is a party of this node is created only by this node's own scheduler
  (it registers the jobs it is submitting here, with their tokens).
- Every later call about a job (WatchJob, StartTask, UpdateJob, StopJob) must carry the job's
  token (metadata "job-token"), and under TLS come from the job's recorded initiator (checked by
  the peer port's interceptor, node/job_call_check.py, before the call runs).
Without TLS the token is what stands between a job and anyone who reaches the peer port; it
travels in clear text, so such a port belongs on a network the parties trust.
"""

from __future__ import annotations

import hmac
import threading
from contextlib import contextmanager
from typing import Iterator

import grpc

from fate_runtime.dsl import JobPlan
from fate_runtime.errors import Forbidden, NotFound
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.job_store import JobStore
from federation import call_token
from federation.tls import peer_party


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class ControlAuth:
    def __init__(self, jobs: JobStore, registry: JobRegistry, local_parties: frozenset[str] | None) -> None:
        self._jobs = jobs
        self._registry = registry
        self._local_parties = local_parties
        self._submitting: dict[str, str] = {}
        self._lock = threading.Lock()

    @contextmanager
    def submitting(self, job_id: str, token: str) -> Iterator[None]:
        """While this node's scheduler checks and creates a job it initiates."""
        with self._lock:
            self._submitting[job_id] = token
        try:
            yield
        finally:
            with self._lock:
                self._submitting.pop(job_id, None)

    def _serves(self, party_id: str) -> bool:
        return self._local_parties is None or party_id in self._local_parties

    def creator(self, job_id: str, plan: JobPlan, token: str, context: grpc.ServicerContext) -> None:
        """The caller may check or create this job here."""
        caller = peer_party(context)
        if caller is not None and caller != plan.initiator_party:
            raise Forbidden(f"party {caller} is not the initiator of job {job_id} (party {plan.initiator_party})")
        if self._serves(plan.initiator_party):
            with self._lock:
                submitted = self._submitting.get(job_id)
            if submitted is None or not _same(token, submitted):
                raise Forbidden(f"job {job_id} names {plan.initiator_role} {plan.initiator_party} of this node as its "
                                "initiator, but this node did not submit it")

    def job_call(self, job_id: str, context: grpc.ServicerContext) -> None:
        """The caller may drive this known job: it carries the job's token (and under TLS is its initiator)."""
        expected = self._registry.token(job_id)
        if expected is None:
            raise NotFound(f"job {job_id} is not known to this node")
        if not _same(call_token(context), expected):
            raise Forbidden(f"the call does not carry the token of job {job_id}")
        caller = peer_party(context)
        if caller is not None:
            rows = self._jobs.jobs({"job_id": job_id})
            initiator = str(rows[0].initiator_party_id) if rows else None
            if caller != initiator:
                raise Forbidden(f"party {caller} is not the initiator of job {job_id} (party {initiator})")
