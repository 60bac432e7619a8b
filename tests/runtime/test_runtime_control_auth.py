"""Who may drive a job over the peer port: the job's token on every call, the initiator's certificate under TLS,
and a job naming this node as initiator only from this node's own scheduler."""

from __future__ import annotations

from typing import Any

import pytest

from fate_runtime.jobs.control_auth import ControlAuth
from fate_runtime.errors import Forbidden, NotFound
from fate_runtime.state.job_registry import JobRegistry
from federation import TransferVariable

JOB = "20261201000000000001"
TOKEN = "a" * 32


class Context:
    """The parts of a gRPC servicer context ControlAuth reads."""

    def __init__(self, token: str | None = None, party: str | None = None) -> None:
        self._metadata = (("job-token", token),) if token is not None else ()
        self._party = party

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def auth_context(self) -> dict[str, list[bytes]]:
        return {"x509_common_name": [self._party.encode()]} if self._party else {}


def _auth(db, store, local: frozenset[str] | None, guest_host_plan: Any = None) -> ControlAuth:
    registry = JobRegistry(db)
    if guest_host_plan is not None:
        registry.register(JOB, guest_host_plan.roles, [TransferVariable("x", "guest", ("host",))], TOKEN)
        store.create(JOB, guest_host_plan, [("host", "10000")])
    return ControlAuth(store, registry, local)


def test_every_call_about_a_job_carries_its_token(db, store, guest_host_plan):
    auth = _auth(db, store, frozenset({"10000"}), guest_host_plan)
    auth.job_call(JOB, Context(TOKEN))
    for context in (Context(), Context(""), Context("b" * 32), Context(TOKEN[:-1])):
        with pytest.raises(Forbidden, match=f"does not carry the token of job {JOB}"):
            auth.job_call(JOB, context)
    with pytest.raises(NotFound, match="is not known to this node"):
        auth.job_call("20261201000000000002", Context(TOKEN))


def test_under_tls_only_the_initiator_s_certificate_drives_a_job(db, store, guest_host_plan):
    auth = _auth(db, store, frozenset({"10000"}), guest_host_plan)
    auth.job_call(JOB, Context(TOKEN, "9999"))
    with pytest.raises(Forbidden, match="party 10000 is not the initiator of job .* \\(party 9999\\)"):
        auth.job_call(JOB, Context(TOKEN, "10000"))


def test_a_job_is_created_by_its_initiator(db, store, guest_host_plan):
    host = _auth(db, store, frozenset({"10000"}))
    host.creator(JOB, guest_host_plan, TOKEN, Context(party="9999"))
    host.creator(JOB, guest_host_plan, TOKEN, Context())  # without TLS there is no certificate to check
    with pytest.raises(Forbidden, match="party 10001 is not the initiator"):
        host.creator(JOB, guest_host_plan, TOKEN, Context(party="10001"))


@pytest.mark.parametrize("local", [frozenset({"9999"}), None])
def test_a_job_naming_this_node_as_initiator_comes_from_this_node_s_scheduler(db, store, guest_host_plan, local):
    guest = _auth(db, store, local)
    with pytest.raises(Forbidden, match="this node did not submit it"):
        guest.creator(JOB, guest_host_plan, TOKEN, Context(party="9999"))
    with guest.submitting(JOB, TOKEN):
        guest.creator(JOB, guest_host_plan, TOKEN, Context(party="9999"))
        with pytest.raises(Forbidden, match="this node did not submit it"):
            guest.creator(JOB, guest_host_plan, "c" * 32, Context())
    with pytest.raises(Forbidden):
        guest.creator(JOB, guest_host_plan, TOKEN, Context())
