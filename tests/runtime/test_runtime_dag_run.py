"""What the initiator takes from the other nodes' watch streams: a node speaks only for its own parties, and
what it says is bounded."""

from __future__ import annotations

import queue
from typing import Any

import pytest

from fate_runtime.jobs.scheduler import DagRun, Node, _bounded
from protos import scheduler_pb2

JOB = "20261201000000000001"
TOY = "secure_add_example_0"


class _Links:
    """Stubs whose WatchJob streams the given events."""

    def __init__(self, events: list[scheduler_pb2.TaskEvent]) -> None:
        self.events = events

    def stub(self, node: Node) -> Any:
        return self

    def WatchJob(self, request: Any, metadata: Any = None) -> Any:  # noqa: N802 - gRPC's name
        assert metadata == (("job-token", "t" * 32),)
        return iter(self.events)


def _event(role: str, party: str, status: str = "success", retmsg: str = "") -> scheduler_pb2.TaskEvent:
    return scheduler_pb2.TaskEvent(task=scheduler_pb2.TaskRef(job_id=JOB, component=TOY, role=role, party_id=party),
                                   status=status, retmsg=retmsg)


def test_a_node_s_reports_about_parties_it_does_not_serve_are_ignored(guest_host_plan, store):
    host_node = Node("127.0.0.1:2", (("host", "10000"),))
    links = _Links([_event("guest", "9999"), _event("host", "10000")])
    run = DagRun(JOB, "t" * 32, guest_host_plan, [host_node], links, store, lambda job: None)  # type: ignore[arg-type]
    run._watch(host_node)
    received = []
    while True:
        try:
            received.append(run._events.get_nowait())
        except queue.Empty:
            break
    assert [(e.task.role, e.task.party_id) for e in received] == [("host", "10000")]


def test_what_another_node_says_is_kept_short():
    assert _bounded("x" * 10) == "x" * 10
    long = _bounded("y" * 50_000)
    assert len(long) == 1000 and long.endswith("...")
