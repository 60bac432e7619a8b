"""Which processes of a session or a process tree are still running: for tests that kill a session's leader
(a node, a process that started storage workers) and check that nothing it started outlives it, and for tests
that count the storage worker processes under a process."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from typing import Iterator

GONE_WITHIN = 10.0
FORKSERVER = "from multiprocessing.forkserver import main"  # the command line of a forkserver and of its children


@dataclasses.dataclass(frozen=True)
class Process:
    pid: int
    parent: int
    session: int
    command: str


def live_processes() -> Iterator[Process]:
    """Every process now running (zombies left out)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if fields[0] == "Z":
                continue
            with open(f"/proc/{entry}/cmdline") as cmdline:
                command = cmdline.read().replace(chr(0), " ")
            yield Process(int(entry), int(fields[1]), int(fields[3]), command)
        except (OSError, IndexError, ValueError):
            continue


def session_processes(session: int) -> list[str]:
    """The live processes ("pid: command line") whose session id is `session`."""
    return [f"{p.pid}: {p.command[:120]}" for p in live_processes() if p.session == session]


def descendants(root: int) -> list[Process]:
    """The live processes below `root` in the process tree."""
    children: dict[int, list[Process]] = {}
    for process in live_processes():
        children.setdefault(process.parent, []).append(process)
    found: list[Process] = []
    todo = [root]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += [p.pid for p in below]
    return found


def forkservers_and_workers(root: int) -> tuple[list[int], list[int]]:
    """(forkservers, storage worker processes) below `root`: a worker is a child of a forkserver, whose command
    line it shares (it is forked, not executed)."""
    tree = {p.pid: p for p in descendants(root)}
    marked = {pid for pid, p in tree.items() if FORKSERVER in p.command}
    return ([pid for pid in marked if tree[pid].parent not in marked],
            [pid for pid in marked if tree[pid].parent in marked])


def wait_until_gone(session: int, timeout: float = GONE_WITHIN) -> list[str]:
    """The processes of the session still running after up to `timeout` s of waiting for none to be."""
    deadline = time.monotonic() + timeout
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def kill_session(session: int) -> None:
    """SIGKILL whatever is left of the session (a test's cleanup)."""
    try:
        os.killpg(session, signal.SIGKILL)
    except ProcessLookupError:
        pass
