"""A `get` waits as long as the job runs, and tells a slow sender from a gone one.

While it waits it asks the sending party's node, every `check_every` seconds, whether it still runs
the job (Federation.JobState): a sender that is slow but alive is waited for past any fixed limit,
a node that is killed or a job that ended there ends the wait at once with an error naming that
party. The tests use a check interval of a fraction of a second instead of the default 30 s.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import grpc
import pytest

import federation.client
from federation import JobEnded, PeerUnreachable, RetryPolicy, TransferTimeout, TransferVariable
from federation_helpers import Cluster, job_id, stop_job_on, toy_job_on_host

pytestmark = pytest.mark.integration

GUEST, HOST = "9999", "10000"
VARIABLES = [TransferVariable("g2h", "guest", ("host",)), TransferVariable("host_share", "host", ("guest",))]
CHECK_EVERY = 0.2


@pytest.fixture
def job_state_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The JobState calls the federation clients of the test make (to any node)."""
    calls: list[str] = []

    class Count(grpc.UnaryUnaryClientInterceptor):
        def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
            if client_call_details.method.endswith("/JobState"):
                calls.append(client_call_details.method)
            return continuation(client_call_details, request)

    real_open_channel = federation.client.open_channel
    monkeypatch.setattr(federation.client, "open_channel",
                        lambda *args, **kwargs: grpc.intercept_channel(real_open_channel(*args, **kwargs), Count()))
    return calls


def _later(seconds: float, action: Any) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()), daemon=True)
    thread.start()
    return thread


def test_a_slow_sender_that_still_runs_the_job_is_waited_for(cluster3: Cluster, job_state_calls: list[str]) -> None:
    job = job_id("slow")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    guest = cluster3.client(job, "guest", GUEST, VARIABLES)
    host = cluster3.client(job, "host", HOST, VARIABLES, check_every=CHECK_EVERY)  # no limit of its own
    sender = _later(3.0, lambda: guest.remote("at last", "g2h", "slow", [("host", HOST)]))
    started = time.monotonic()
    assert host.get("g2h", "slow", [("guest", GUEST)]) == ["at last"]
    waited = time.monotonic() - started
    sender.join(30)
    assert waited >= 3.0 - 0.1
    assert len(job_state_calls) >= 5, job_state_calls  # the guest's node was asked while the host waited


def test_a_limit_given_to_get_still_ends_the_wait(cluster3: Cluster, job_state_calls: list[str]) -> None:
    job = job_id("limit")
    cluster3.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES, parties=[GUEST, HOST])
    host = cluster3.client(job, "host", HOST, VARIABLES, check_every=CHECK_EVERY)
    started = time.monotonic()
    with pytest.raises(TransferTimeout, match=f"timed out after 1.5 s waiting for variable 'g2h' .* in job {job}"):
        host.get("g2h", "never", [("guest", GUEST)], timeout=1.5)
    assert 1.5 <= time.monotonic() - started < 10
    assert len(job_state_calls) >= 3


def test_a_job_that_ended_on_the_sender_s_node_ends_the_wait(cluster3: Cluster) -> None:
    job = toy_job_on_host(cluster3, GUEST, HOST)
    guest = cluster3.client(job, "guest", GUEST, VARIABLES, check_every=CHECK_EVERY)
    stopper = _later(1.0, lambda: stop_job_on(cluster3.node(HOST), job))
    started = time.monotonic()
    with pytest.raises(JobEnded) as caught:
        guest.get("host_share", 0, [("host", HOST)])
    stopper.join(30)
    assert time.monotonic() - started < 10
    assert str(caught.value) == (f"stopped waiting for variable 'host_share' (tag '0') from host {HOST} to guest {GUEST} "
                                 f"in job {job}: the job is no longer running on host {HOST} at "
                                 f"{cluster3.node(HOST).address}")


def test_a_sender_whose_node_is_killed_ends_the_wait_within_seconds(pair: Cluster) -> None:
    job = job_id("killed_sender")
    pair.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
    host = pair.client(job, "host", HOST, VARIABLES, check_every=CHECK_EVERY,
                       retry=RetryPolicy(3, 0.1, connect_timeout=1.0))
    killer = _later(1.0, pair.node(GUEST).kill)
    started = time.monotonic()
    with pytest.raises(PeerUnreachable) as caught:
        host.get("g2h", "never", [("guest", GUEST)])
    killer.join(30)
    assert time.monotonic() - started < 15
    message = str(caught.value)
    assert message.startswith(f"stopped waiting for variable 'g2h' (tag 'never') from guest {GUEST} to host {HOST} "
                              f"in job {job}: guest {GUEST} at {pair.node(GUEST).address} stopped answering: "), message
    assert "(gave up after 3 attempts)" in message
