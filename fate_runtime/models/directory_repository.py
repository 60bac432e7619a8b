"""The embedded model repository: one archive file per party model version under a local directory.

Paths are made only from checked identifiers (`<root>/<model_id>/<model_version>/<role>-<party_id>.zip`), and
each archive is written to a temporary file beside its place, synced, then renamed over it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from fate_runtime.models.refs import ModelRef
from fate_runtime.models.repository import ModelRepository, RepositoryError


class DirectoryRepository(ModelRepository):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = Path(root)

    def __str__(self) -> str:
        return f"the model directory {self._root}"

    def path(self, ref: ModelRef) -> Path:
        return self._root / ref.model_id / ref.model_version / f"{ref.role}-{ref.party_id}.zip"

    def _write(self, ref: ModelRef, archive: bytes) -> None:
        target = self.path(ref)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(archive)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                raise
            _sync_directory(target.parent)
        except OSError as exc:
            raise RepositoryError(f"{self} cannot keep {ref}: {exc.strerror or exc}") from exc

    def _read(self, ref: ModelRef) -> bytes | None:
        try:
            return self.path(ref).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RepositoryError(f"{self} cannot give {ref}: {exc.strerror or exc}") from exc

    def _has(self, ref: ModelRef) -> bool:
        return self.path(ref).is_file()


def _sync_directory(directory: Path) -> None:
    """Make a rename in `directory` survive a crash of the machine."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
