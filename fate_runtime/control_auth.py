"""Who may drive a job on this node over the Scheduler service (TLS: the party a caller's certificate names).

Only a job's initiator creates, starts, updates, watches and stops it here; task reports come
from this node's own task processes; a job registration comes from one of the job's parties.
Without TLS there is no caller identity and the network is trusted, as FATE trusts it.
"""

from __future__ import annotations

from typing import Iterable

from fate_runtime.errors import Forbidden
from fate_runtime.jobs import JobStore


class ControlAuth:
    def __init__(self, jobs: JobStore, local_parties: frozenset[str] | None) -> None:
        self._jobs = jobs
        self._local_parties = local_parties

    def initiator(self, job_id: str, initiator_party: str, caller: str | None) -> None:
        """The caller must be the job's initiator party."""
        if caller is not None and caller != initiator_party:
            raise Forbidden(f"party {caller} is not the initiator of job {job_id} (party {initiator_party})")

    def initiator_of_known_job(self, job_id: str, caller: str | None) -> None:
        """The caller must be the initiator recorded for the job (a job this node does not know has nothing to guard)."""
        if caller is None:
            return
        rows = self._jobs.jobs({"f_job_id": job_id})
        if rows:
            self.initiator(job_id, str(rows[0]["f_initiator_party_id"]), caller)

    def job_party(self, job_id: str, parties: Iterable[str], caller: str | None) -> None:
        """The caller must be one of the job's parties."""
        if caller is not None and caller not in set(parties):
            raise Forbidden(f"party {caller} is not a party of job {job_id}")

    def local(self, caller: str | None) -> None:
        """The caller must be a party this node serves (its own task processes)."""
        if caller is not None and self._local_parties is not None and caller not in self._local_parties:
            raise Forbidden(f"party {caller} is not served by this node")
