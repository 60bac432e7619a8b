"""A worker process dies with the process that created its pool, however that one ends (Linux).

Pool workers are children of the forkserver, not of their pool's creator, and each holds the
pool's queues open: nothing else would tell them that the creator was killed. Each worker
watches the creator through a pidfd from a daemon thread and kills itself when the creator has
exited. Once the workers are gone, the forkserver and the resource tracker see their last
client close its end of their pipes and exit as well.
"""

from __future__ import annotations

import os
import select
import signal
import threading


def start_time(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc); None if it does not exist.

    A pid and its start time name one process: a pid reused by a later process has another start time.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _die_with(pid: int, started: str | None) -> None:
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        handle = None
    if handle is not None and started is not None and start_time(pid) == started:
        select.select([handle], [], [])  # readable once the process has exited
    os.kill(os.getpid(), signal.SIGKILL)


def die_with(pid: int, started: str | None) -> None:
    """Kill this process as soon as process `pid`, which started at `started`, has exited (at once if it has)."""
    if hasattr(os, "pidfd_open"):
        threading.Thread(target=_die_with, args=(pid, started), name="pool-creator-watch", daemon=True).start()
