"""A budget of worker processes shared by every process of a node: one lock file per slot in a directory.

A process that wants workers takes free slots (an exclusive flock on each, never waiting) and starts one
worker per slot. Its workers inherit the locked files (duplicates of the same open files), so a slot is
free again only once the taker and each of its workers have closed it or exited, however they ended: the
kernel drops the locks of a process that dies. Descriptors are close-on-exec; a plain fork would pass them on.
"""

from __future__ import annotations

import fcntl
import os
from typing import Sequence

_SUFFIX = ".slot"


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    return max(1, len(os.sched_getaffinity(0)))


def make_worker_budget(directory: str, workers: int) -> str:
    """Make `directory` a budget of `workers` slots (0: one per CPU) and return it; slots in use stay in use.

    For the budget's owner (a node, at start); every store whose `worker_slots` names the directory shares it.
    """
    count = workers if workers > 0 else default_workers()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    names = {f"{index}{_SUFFIX}" for index in range(count)}
    for name in set(os.listdir(directory)) - names:
        os.unlink(os.path.join(directory, name))
    for name in names:
        os.close(os.open(os.path.join(directory, name), os.O_CREAT | os.O_RDONLY | os.O_CLOEXEC, 0o600))
    return directory


def take(directory: str, count: int) -> list[int]:
    """Up to `count` free slots, locked without waiting: their descriptors ([] if none is free or there is no budget)."""
    try:
        names = sorted(name for name in os.listdir(directory) if name.endswith(_SUFFIX))
    except FileNotFoundError:
        return []
    taken: list[int] = []
    for name in names:
        if len(taken) == count:
            break
        try:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:  # the budget was made smaller
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        taken.append(fd)
    return taken


def give_back(slots: Sequence[int]) -> None:
    """Close taken slots (each is free once the workers that inherited it have closed it too)."""
    for fd in slots:
        os.close(fd)
