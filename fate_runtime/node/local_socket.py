"""The node's local socket: where its own services listen (Flow, Storage, LocalScheduler, LocalFederation).

A Unix socket in a directory only the node's user may enter, so only that user's processes - the
node's REST layer, its task processes, its operator's tools - can call them; other organisations'
nodes reach only the peer port. A socket path must fit in 108 bytes: when `<data dir>/run/node.sock`
is longer, the socket lives in a private directory under the system's temporary directory instead.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile

MAX_SOCKET_PATH = 100
SOCKET_NAME = "node.sock"


class LocalSocket:
    """The socket's path, its private directory, and removing them when the node stops."""

    def __init__(self, data_dir: str) -> None:
        directory = os.path.join(data_dir, "run")
        self._temporary = len(os.path.join(directory, SOCKET_NAME)) > MAX_SOCKET_PATH
        if self._temporary:
            directory = tempfile.mkdtemp(prefix="fate-flow-")  # made 0700
        else:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            os.chmod(directory, stat.S_IRWXU)  # also when it existed with other permissions
        self.directory = directory
        self.path = os.path.join(directory, SOCKET_NAME)

    @property
    def target(self) -> str:
        """The gRPC target of the socket."""
        return f"unix:{self.path}"

    def remove(self) -> None:
        if self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)
        elif os.path.exists(self.path):
            os.unlink(self.path)
