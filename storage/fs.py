"""File-system primitives the store is built on: an exclusive lock across processes, an atomic swap."""

from __future__ import annotations

import ctypes
import fcntl
import os
from contextlib import contextmanager
from typing import Iterator

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(None, use_errno=True)


@contextmanager
def exclusive_lock(path: str) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing) against every other holder,
    in this process (other threads) or any other."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def swap_directories(first: str, second: str) -> None:
    """Exchange two existing directories in one step (Linux renameat2 RENAME_EXCHANGE): anyone
    looking sees both before or both after, and a crash leaves one state or the other."""
    if _libc.renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"cannot swap directories: {os.strerror(code)}", second)
