"""Which processes of a session are still running: for tests that kill a session's leader (a node, a
process that started storage workers) and check that nothing it started outlives it."""

from __future__ import annotations

import os
import signal
import time

GONE_WITHIN = 10.0


def session_processes(session: int) -> list[str]:
    """The live processes ("pid: command line") whose session id is `session`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == session and fields[0] != "Z":
                with open(f"/proc/{entry}/cmdline") as cmdline:
                    found.append(f"{entry}: {cmdline.read().replace(chr(0), ' ')[:120]}")
        except (OSError, IndexError, ValueError):
            continue
    return found


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
