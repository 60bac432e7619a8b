"""Where a table a party receives from a peer lands: in the backend that party's tasks compute on."""

from __future__ import annotations

from fate_runtime.computing import party_backend
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.node.config import NodeConfig
from fate_runtime.state.job_store import JobStore
from federation import TransferRefused
from federation.landing import BackendOf


def received_tables_backend(jobs: JobStore, config: NodeConfig) -> BackendOf:
    """(job id, role, party id) -> "lmdb" or "spark", as fate_runtime.computing decides for the job's tasks from its
    job_parameters and the node's settings; the node's `computing` for a job registered for federation only. A job
    that asks for a backend the node lacks is refused (TransferRefused naming the party)."""

    def backend(job_id: str, role: str, party_id: str) -> str:
        try:
            parameters = jobs.plan(job_id).job_parameters
        except NotFound:
            return config.computing
        try:
            return party_backend(parameters, config.computing, bool(config.spark), role, party_id)
        except BadRequest as exc:
            raise TransferRefused(str(exc)) from None

    return backend
