"""One node per data dir: an exclusive lock held for the node's lifetime.

A second node started on the same data dir would wipe the first one's staging tables and write
into its database; it refuses to start instead, naming the process that holds the lock.
"""

from __future__ import annotations

import fcntl
import os

from fate_runtime.errors import ConfigError

LOCK_FILE = ".node.lock"


class DataDirLock:
    def __init__(self, data_dir: str) -> None:
        os.makedirs(data_dir, exist_ok=True)
        self._path = os.path.join(data_dir, LOCK_FILE)
        handle = open(self._path, "a+")  # close-on-exec: task and worker processes do not inherit it
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f"pid {holder}" if holder.isdecimal() else "another process"
            raise ConfigError(f"data dir {data_dir} is in use by another node ({who}); "
                              "stop it or choose another --data-dir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        self._handle.close()
