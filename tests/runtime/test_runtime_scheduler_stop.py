"""Stopping a job at its initiator: a job that has ended is said to have ended, even while its run is still
letting go of it (the end is recorded before the run's thread leaves the scheduler)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest
from fate_runtime.jobs.scheduler import Scheduler
from fate_runtime.node_runtime import NodeRuntime
from fate_runtime.state import job_store as jobs

JOB = "20261203000000000001"


class _LingeringRun:
    """A run whose job has ended but which has not yet left the scheduler's running jobs."""

    def __init__(self) -> None:
        self.stopped = False

    def stop(self, status: str, retmsg: str) -> None:
        self.stopped = True

    def join(self, timeout: float | None = None) -> None:
        pass


def _scheduler_running(store: jobs.JobStore, toy: Any, tmp_path: Any, status: str) -> tuple[Scheduler, _LingeringRun]:
    """A scheduler with the toy job in `status` and its run still among the running ones."""
    job_dsl, conf = copy.deepcopy(toy)
    store.create(JOB, dsl.parse(job_dsl, conf), [("guest", "10000"), ("host", "10000")])
    store.set_job_status(JOB, status, progress=100 if status == jobs.SUCCESS else 0)
    runtime = NodeRuntime(str(tmp_path), "127.0.0.1:1", "unix:x", (), True, {}, "", "", "", 1 << 20, 1, "s", "")
    scheduler = Scheduler(runtime, store, None, lambda job_id: None, None, None)  # type: ignore[arg-type]
    run = _LingeringRun()
    scheduler._running[JOB] = run  # type: ignore[assignment]
    return scheduler, run


def test_a_job_that_ended_is_not_stopped_while_its_run_lets_go(store: jobs.JobStore, toy: Any, tmp_path: Any) -> None:
    scheduler, run = _scheduler_running(store, toy, tmp_path, jobs.SUCCESS)
    with pytest.raises(BadRequest) as refused:
        scheduler.stop(JOB)
    assert str(refused.value) == f"job {JOB} has already ended (success)"
    assert not run.stopped


def test_a_running_job_is_stopped(store: jobs.JobStore, toy: Any, tmp_path: Any) -> None:
    scheduler, run = _scheduler_running(store, toy, tmp_path, jobs.RUNNING)
    assert scheduler.stop(JOB) == "killed" and run.stopped
