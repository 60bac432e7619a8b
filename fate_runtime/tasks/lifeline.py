"""Imported first by a task process: it dies with the node that started it (Linux).

PR_SET_PDEATHSIG makes the kernel send SIGKILL to this process when its parent dies, so no
task outlives its node even if the node is killed without a chance to stop it.
"""

import ctypes
import os

_PR_SET_PDEATHSIG = 1
_SIGKILL = 9


def hold() -> None:
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, _SIGKILL)
    except (OSError, AttributeError):  # not Linux: tasks are still stopped by the node's stop
        return
    if os.getppid() == 1:  # the node died before the line above took effect
        os._exit(1)
