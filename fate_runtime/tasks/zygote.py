"""The task zygote: a process with every import a task needs already done, forking one child per task.

A node runs one (`python -m fate_runtime.tasks.zygote`, see launcher.py) so that starting a
task costs a fork instead of a new interpreter and its imports (~0.3-0.5 s each). It reads
requests as JSON lines on stdin - {"id": n, "argv": [...], "log": path} - and answers on
stdout with {"id": n, "pid": p} (or {"id": n, "error": text}) when the child is forked and
{"pid": p, "code": c} when the child has exited (c < 0: killed by signal -c, as subprocess
reports it). It is single-threaded, so forking is safe. Each child becomes its own process
group (so a stop can kill the task and the workers it starts), writes to its task log, and
dies with the zygote, which dies with its node (lifeline). The zygote exits when its stdin
closes.
"""

from __future__ import annotations

from fate_runtime.tasks import lifeline

lifeline.hold()

import atexit  # noqa: E402 - the lifeline comes first
import json
import os
import select
import signal
import sys
import traceback
from typing import Any, NoReturn

from fate_runtime.components import EXTRA_COMPONENTS_ENV, Components
from fate_runtime.errors import ConfigError
from fate_runtime.tasks import executor


def _child(argv: list[str], log_path: str, protocol_fds: tuple[int, ...]) -> NoReturn:
    """In the forked child: become a task process and run the task; never returns."""
    code = 1
    try:
        os.setpgid(0, 0)
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null_fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null_fd, 0)  # replaces the requests pipe
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        for fd in {log_fd, null_fd, *protocol_fds} - {0, 1, 2}:
            os.close(fd)
        lifeline.hold()  # the parent-death signal is not inherited across fork
        if "numpy.random" in sys.modules:  # Python's random reseeds itself after a fork; numpy's does not
            sys.modules["numpy.random"].seed()
        code = executor.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - whatever happens, the child must not return into the zygote's loop
        traceback.print_exc()
    try:
        atexit._run_exitfuncs()  # the task's worker pool and logging are shut down as at a normal exit
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


class Zygote:
    """The request loop: fork on request, report every exit."""

    def __init__(self, requests_fd: int, replies_fd: int) -> None:
        self._requests_fd = requests_fd
        self._replies = os.fdopen(replies_fd, "w", buffering=1)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        os.set_blocking(self._wake_r, False)

    def _reply(self, message: dict[str, Any]) -> None:
        self._replies.write(json.dumps(message) + "\n")

    def _launch(self, request: dict[str, Any]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            self._reply({"id": request.get("id"), "error": f"cannot fork a task process: {exc.strerror}"})
            return
        if pid == 0:
            _child(list(request["argv"]), request["log"],
                   (self._requests_fd, self._replies.fileno(), self._wake_r, self._wake_w))
        try:
            os.setpgid(pid, pid)  # also here, so a kill of the group right after the reply cannot miss it
        except OSError:
            pass  # the child already did it, or has already exited
        self._reply({"id": request.get("id"), "pid": pid})

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._reply({"pid": pid, "code": os.waitstatus_to_exitcode(status)})

    def serve(self) -> None:
        signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup fd hears of exits
        signal.set_wakeup_fd(self._wake_w)
        pending = b""
        while True:
            ready, _, _ = select.select([self._requests_fd, self._wake_r], [], [])
            if self._wake_r in ready:
                while True:
                    try:
                        if not os.read(self._wake_r, 4096):
                            break
                    except BlockingIOError:
                        break
            self._reap()
            if self._requests_fd in ready:
                data = os.read(self._requests_fd, 65536)
                if not data:
                    return  # the node closed its end: it is stopping
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    self._launch(json.loads(line))


def _import_operator_components() -> None:
    """Import the operator's component modules now, so that each task finds them imported (a module that
    cannot load fails its tasks with the reason, as the node reports it when it starts)."""
    try:
        Components.load(os.environ.get(EXTRA_COMPONENTS_ENV, ""))
    except ConfigError:
        pass


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the node stops its tasks itself; Ctrl-C is for the node
    _import_operator_components()
    replies_fd = os.dup(1)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, never into the replies
    Zygote(0, replies_fd).serve()


if __name__ == "__main__":
    main()
