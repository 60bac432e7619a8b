"""Server-side file paths in requests: resolved against the base dir, confined to allowed dirs."""

from __future__ import annotations

import os

from fate_runtime.errors import BadRequest


class PathPolicy:
    """Which files a request may make this node read or write."""

    def __init__(self, base_dir: str, allowed_dirs: tuple[str, ...]) -> None:
        self.base_dir = base_dir
        self.allowed_dirs = tuple(os.path.realpath(d) for d in allowed_dirs)

    def _resolve(self, field: str, path: str) -> str:
        if not path or "\x00" in path:
            raise BadRequest(f"{field} must be a file path")
        resolved = os.path.realpath(os.path.join(self.base_dir, os.path.expanduser(path)))
        if not any(resolved == d or resolved.startswith(d + os.sep) for d in self.allowed_dirs):
            raise BadRequest(f"{field} {path} is outside the directories this node may use")
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
        if not os.path.isdir(os.path.dirname(resolved)):
            raise BadRequest(f"the directory of {field} {path} does not exist")
        return resolved
