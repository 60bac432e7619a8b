"""Naming one process for good: its pid, the boot it ran in and when it started in that boot.

A pid is reused by later processes, and after a reboot counts from the start again: a task's
process recorded by pid alone may, later, lead some unrelated process group. Signal a recorded
process only while `identity(pid)` is still what was recorded.
"""

from __future__ import annotations

from storage.worker_lifeline import start_time

_BOOT_ID = "/proc/sys/kernel/random/boot_id"


def _boot_id() -> str:
    try:
        with open(_BOOT_ID) as source:
            return source.read().strip()
    except OSError:
        return ""


def identity(pid: int) -> str | None:
    """The process's identity now; None if there is no such process (or nothing to tell it apart by)."""
    started, boot = start_time(pid), _boot_id()
    return f"{boot}/{started}" if started is not None and boot else None
