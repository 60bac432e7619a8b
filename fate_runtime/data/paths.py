"""Server-side file paths in requests: resolved against the base dir, confined to allowed dirs,
never the node's own files (its data dir, its TLS certificate and key), wherever those lie."""

from __future__ import annotations

import os

from fate_runtime.errors import BadRequest


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


class PathPolicy:
    """Which files a request may make this node read or write."""

    def __init__(self, base_dir: str, allowed_dirs: tuple[str, ...], own: tuple[str, ...] = ()) -> None:
        """`own`: the node's data dir and files that no request may read or write."""
        self.base_dir = base_dir
        self.allowed_dirs = tuple(os.path.realpath(d) for d in allowed_dirs)
        self.own = tuple(os.path.realpath(p) for p in own if p)

    def _resolve(self, field: str, path: str) -> str:
        if not path or "\x00" in path:
            raise BadRequest(f"{field} must be a file path")
        resolved = os.path.realpath(os.path.join(self.base_dir, os.path.expanduser(path)))
        if not any(_within(resolved, d) for d in self.allowed_dirs):
            raise BadRequest(f"{field} {path} is outside the directories this node may use")
        if any(_within(resolved, p) for p in self.own):
            raise BadRequest(f"{field} {path} is one of the node's own files (its data dir or TLS files), "
                             "which requests may not use")
        return resolved

    def readable_file(self, field: str, path: str) -> str:
        """The absolute path of an existing regular file the node may read."""
        resolved = self._resolve(field, path)
        if not os.path.exists(resolved):
            raise BadRequest(f"{field} {path} does not exist")
        if not os.path.isfile(resolved):
            raise BadRequest(f"{field} {path} is not a regular file")
        return resolved

    def writable_file(self, field: str, path: str) -> str:
        """The absolute path of a file the node may create or overwrite."""
        resolved = self._resolve(field, path)
        if os.path.isdir(resolved):
            raise BadRequest(f"{field} {path} is a directory")
        if os.path.exists(resolved) and not os.path.isfile(resolved):  # a FIFO would block the node, a device worse
            raise BadRequest(f"{field} {path} is not a regular file")
        if not os.path.isdir(os.path.dirname(resolved)):
            raise BadRequest(f"the directory of {field} {path} does not exist")
        return resolved
