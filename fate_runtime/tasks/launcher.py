"""The node's side of the task zygote (zygote.py): start task processes by fork, hear their exits.

`TaskLauncher.launch(argv, log)` returns a `LaunchedTask` (`pid`, `wait`, `poll`). The zygote is started with
the node and again on the next launch if it has died; when it dies, its tasks die with it
(lifeline) and are reported as killed.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

log = logging.getLogger("fate_flow.tasks")

LAUNCH_TIMEOUT_SECONDS = 60.0
ZYGOTE_COMMAND = [sys.executable, "-m", "fate_runtime.tasks.zygote"]


class LaunchError(RuntimeError):
    """A task process could not be started."""


class LaunchedTask:
    """A task process forked by the zygote."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._ended = threading.Event()

    def ended(self, code: int) -> None:
        self.returncode = code
        self._ended.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code (negative: killed by that signal); None if it is still running after `timeout` s."""
        self._ended.wait(timeout)
        return self.returncode


class _Zygote:
    """One zygote process and the thread that reads its replies."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(ZYGOTE_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=None, text=True, bufsize=1)
        self.alive = True
        self._lock = threading.Lock()
        self._next_id = 0
        self._starting: dict[int, tuple[threading.Event, dict[str, Any]]] = {}
        self._tasks: dict[int, LaunchedTask] = {}
        threading.Thread(target=self._read, args=(self.process.stdout,), name="task-zygote", daemon=True).start()

    def launch(self, argv: list[str], log_path: str) -> LaunchedTask:
        with self._lock:
            if not self.alive:
                raise LaunchError("the task zygote has exited")
            self._next_id += 1
            request_id = self._next_id
            started, reply = threading.Event(), dict[str, Any]()
            self._starting[request_id] = (started, reply)
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(json.dumps({"id": request_id, "argv": argv, "log": log_path}) + "\n")
                self.process.stdin.flush()
            except OSError as exc:
                del self._starting[request_id]
                raise LaunchError(f"the task zygote is not reachable ({exc.strerror})") from None
        if not started.wait(LAUNCH_TIMEOUT_SECONDS):
            raise LaunchError(f"no task process was started within {LAUNCH_TIMEOUT_SECONDS:.0f} s")
        if "pid" not in reply:
            raise LaunchError(reply.get("error") or "the task zygote exited before starting the task")
        return reply["task"]

    def _read(self, replies: IO[str]) -> None:
        for line in replies:
            message = json.loads(line)
            with self._lock:
                if "id" in message:
                    started, reply = self._starting.pop(message["id"])
                    reply.update(message)
                    if "pid" in message:
                        reply["task"] = self._tasks[message["pid"]] = LaunchedTask(message["pid"])
                    started.set()
                else:
                    task = self._tasks.pop(message["pid"], None)
                    if task is not None:
                        task.ended(message["code"])
        self._died()

    def _died(self) -> None:
        """The zygote's output ended: its tasks died with it (lifeline); everyone waiting is told."""
        with self._lock:
            self.alive = False
            tasks, self._tasks = self._tasks, {}
            starting, self._starting = self._starting, {}
        for task in tasks.values():
            task.ended(-signal.SIGKILL)
        for started, _ in starting.values():
            started.set()
        self.process.wait()
        if tasks or starting:
            log.error("the task zygote exited (code %s); %d running tasks went with it", self.process.returncode,
                      len(tasks))

    def close(self) -> None:
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class TaskLauncher:
    """Starts task processes through a zygote, starting the zygote (again) when needed.

    The zygote is always started from one long-lived thread: its parent-death signal fires when
    the thread that started it ends, and the threads that ask for tasks (a job's) come and go.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zygote: _Zygote | None = None
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="task-zygote-starter")

    def start(self) -> None:
        """Start the zygote now (its imports take a moment), so the first task does not wait for them."""
        self._current()

    def _current(self) -> _Zygote:
        with self._lock:
            if self._zygote is None or not self._zygote.alive:
                try:
                    self._zygote = self._starter.submit(_Zygote).result()
                except RuntimeError:  # closed: the node is stopping
                    raise LaunchError("the node is stopping") from None
            return self._zygote

    def launch(self, argv: list[str], log_path: str) -> LaunchedTask:
        return self._current().launch(argv, log_path)

    def close(self) -> None:
        with self._lock:
            zygote, self._zygote = self._zygote, None
        if zygote is not None:
            zygote.close()
        self._starter.shutdown()
