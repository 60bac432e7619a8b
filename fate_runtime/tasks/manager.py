"""A node's task processes: starting them, hearing their status, noticing their death, killing them.

Every task runs as its own process group (so a stop kills it and the worker processes it
started), forked by the node's task zygote (launcher.py). A task that exits without having reported its end is marked failed with its exit
code; every status change becomes an event for the job's watchers.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from fate_runtime.state.db import now_ms
from fate_runtime.state.job_store import ENDED, FAILED, RUNNING, JobStore
from fate_runtime.tasks.events import TaskEvent, TaskEvents
from fate_runtime.tasks.process_identity import identity
from fate_runtime.tasks.launcher import LaunchedTask, LaunchError, TaskLauncher

log = logging.getLogger("fate_flow.tasks")

KILL_GRACE_SECONDS = 5.0

TaskKey = tuple[str, str, str, str]  # job, component, role, party


class TaskManager:
    def __init__(self, jobs: JobStore, events: TaskEvents, launcher: TaskLauncher, data_dir: str) -> None:
        self._jobs = jobs
        self._events = events
        self._launcher = launcher
        self._data_dir = data_dir
        self._lock = threading.Lock()
        self._processes: dict[TaskKey, LaunchedTask] = {}
        self._stopping: set[str] = set()

    def report(self, key: TaskKey, status: str, retmsg: str = "") -> None:
        """Record a task's status and tell the job's watchers (ended tasks keep their end)."""
        rows = self._jobs.tasks({"job_id": key[0], "component_name": key[1], "role": key[2],
                                 "party_id": key[3]})
        if not rows or rows[0].status in ENDED:
            return
        self._record(key, status, retmsg)

    def _record(self, key: TaskKey, status: str, retmsg: str) -> None:
        self._jobs.set_task_status(*key, status, retmsg)
        log.info("task %s %s of %s %s: %s %s", key[0], key[1], key[2], key[3], status, retmsg)
        self._events.publish(TaskEvent(*key, status=status, retmsg=retmsg, time_ms=now_ms()))

    def start(self, key: TaskKey) -> None:
        with self._lock:
            if key[0] in self._stopping:
                return
            log_dir = os.path.join(self._jobs.logs_dir(key[0]), key[2], key[3], key[1])
            os.makedirs(log_dir, exist_ok=True)
            # Running before the process exists: a quick task may report its end before launch() returns.
            self._record(key, RUNNING, "")
            try:
                process = self._launcher.launch(executor_args(self._data_dir, key),
                                                os.path.join(log_dir, "task_process.log"))
            except LaunchError as exc:
                log.error("task %s %s of %s %s not started: %s", *key, exc)
                self.report(key, FAILED, f"the task process of {key[1]} could not be started: {exc}")
                return
            self._processes[key] = process
        self._jobs.set_task_process(*key, process.pid, identity(process.pid), socket.gethostname())
        threading.Thread(target=self._await_exit, args=(key, process), name=f"task-{process.pid}",
                         daemon=True).start()

    def _await_exit(self, key: TaskKey, process: LaunchedTask) -> None:
        code = process.wait()
        assert code is not None  # waited without a timeout
        with self._lock:
            if self._processes.get(key) is process:
                del self._processes[key]
            if key[0] in self._stopping:
                return  # killed by stop_job, which gives the task the job's stop status
        reason = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        self.report(key, FAILED, f"the task process of {key[1]} ended without finishing ({reason})")

    def stop_job(self, job_id: str, status: str, retmsg: str) -> None:
        """Kill every task of the job on this node; tasks not ended end with `status`."""
        with self._lock:
            self._stopping.add(job_id)
            victims = [(key, p) for key, p in self._processes.items() if key[0] == job_id]
        for _, process in victims:
            _signal_group(process, signal.SIGTERM)
        for key, process in victims:
            if process.wait(timeout=KILL_GRACE_SECONDS) is None:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for row in self._jobs.tasks({"job_id": job_id}):
            if row.status not in ENDED:
                self.report((job_id, row.component_name, row.role, row.party_id), status, retmsg)
        with self._lock:
            self._stopping.discard(job_id)

    def stop_all(self) -> None:
        """Kill every task process (the node is stopping)."""
        with self._lock:
            jobs = {key[0] for key in self._processes}
        for job_id in jobs:
            self.stop_job(job_id, FAILED, "the node stopped while the task ran")


def _signal_group(process: LaunchedTask, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def executor_args(data_dir: str, key: TaskKey) -> list[str]:
    """The arguments of fate_runtime.tasks.executor for one task."""
    job_id, component, role, party_id = key
    return ["--data-dir", data_dir, "--job-id", job_id, "--component", component, "--role", role,
            "--party-id", party_id]
