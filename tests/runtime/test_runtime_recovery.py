"""After a restart the node fails what it left unfinished, and signals a recorded task process only while the
pid still names that very process (a later process with that pid, after a reboot too, is left alone)."""

from __future__ import annotations

import subprocess
import time

import pytest

from fate_runtime import dsl
from fate_runtime.node.recovery import recover
from fate_runtime.state.job_store import FAILED, RESTARTED, JobStore
from fate_runtime.tasks.process_identity import identity

JOB = "20261201000000000001"
TOY = "secure_add_example_0"


class _Scheduler:
    def __init__(self) -> None:
        self.stopped: list[str] = []

    def stop_elsewhere(self, job_id: str, status: str, retmsg: str) -> None:
        self.stopped.append(job_id)


@pytest.fixture
def task_process() -> subprocess.Popen[bytes]:
    """A process leading its own group, standing for a task the previous run left behind."""
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def _gone(process: subprocess.Popen[bytes], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return True
        time.sleep(0.02)
    return False


def _running_task(store: JobStore, toy, pid: int, pid_start: str | None) -> None:
    store.create(JOB, dsl.parse(*toy), [("guest", "10000"), ("host", "10000")])
    store.set_task_status(JOB, TOY, "guest", "10000", "running")
    store.set_task_process(JOB, TOY, "guest", "10000", pid, pid_start, "127.0.0.1")


def test_a_task_process_still_named_by_its_pid_is_killed(store: JobStore, toy, task_process) -> None:
    _running_task(store, toy, task_process.pid, identity(task_process.pid))
    scheduler = _Scheduler()
    forgotten: list[str] = []
    recover(store, scheduler, forgotten.append)  # type: ignore[arg-type]
    assert _gone(task_process)
    assert [(t.status, t.retmsg) for t in store.tasks({"job_id": JOB})] == [(FAILED, RESTARTED), (FAILED, RESTARTED)]
    assert [row.status for row in store.jobs({"job_id": JOB})] == [FAILED, FAILED]
    assert scheduler.stopped == [JOB]  # the node had initiated it: the other parties are told
    assert forgotten == [JOB]  # what it received goes, and it takes no more


@pytest.mark.parametrize("recorded", ["another-boot/123", None])
def test_a_process_the_pid_names_now_is_left_alone(store: JobStore, toy, task_process, recorded) -> None:
    """The recorded identity does not match (another boot, another start), or there is none to check."""
    _running_task(store, toy, task_process.pid, recorded)
    recover(store, _Scheduler(), lambda job_id: None)  # type: ignore[arg-type]
    assert not _gone(task_process, timeout=0.5)
    assert {t.status for t in store.tasks({"job_id": JOB})} == {FAILED}


def test_the_identity_of_a_process_is_its_boot_and_start_time(task_process) -> None:
    mine = identity(task_process.pid)
    assert mine is not None and "/" in mine and identity(task_process.pid) == mine
    task_process.kill()
    task_process.wait()
    assert identity(task_process.pid) is None
