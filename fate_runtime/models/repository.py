"""Model repositories: where whole party model versions are kept outside a node, so a rebuilt node can restore them.

A repository keeps each model version as its archive (fate_runtime.models.archive), so a restored model is
checked exactly as an imported file is. Backends: a local directory (directory_repository) and Redis
(redis_repository); `repositories.repository_for` picks one from FATE's `store_address`.
"""

from __future__ import annotations

import abc
from types import TracebackType

from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.models import PartyModel
from fate_runtime.models.archive import ArchiveError, read_archive, write_archive
from fate_runtime.models.refs import ModelRef


class ModelNotStored(NotFound):
    """The repository holds no archive for the model version asked for."""


class RepositoryError(BadRequest):
    """The repository a request names cannot be used: unreachable, refusing its credentials, or unknown."""


class ModelRepository(abc.ABC):
    """Party model versions by (model_id, model_version, role, party_id); usable as a context manager."""

    def put(self, model: PartyModel) -> None:
        """Keep `model`, replacing what the repository held for its version and party."""
        self._write(ModelRef.of(model), write_archive(model))

    def get(self, model_id: str, model_version: str, role: str, party_id: str) -> PartyModel:
        """The model version kept for this party; ModelNotStored when there is none, ArchiveError when it is damaged."""
        ref = ModelRef.checked(model_id, model_version, role, party_id)
        data = self._read(ref)
        if data is None:
            raise ModelNotStored(f"{ref} is not in {self}")
        model = read_archive(data)
        if ModelRef.of(model) != ref:
            raise ArchiveError(f"the archive kept for {ref} in {self} holds {ModelRef.of(model)}")
        return model

    def exists(self, model_id: str, model_version: str, role: str, party_id: str) -> bool:
        return self._has(ModelRef.checked(model_id, model_version, role, party_id))

    def close(self) -> None:
        """Release connections; the repository is not used afterwards."""

    def __enter__(self) -> ModelRepository:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    @abc.abstractmethod
    def __str__(self) -> str:
        """Where the models are, as messages name it ("the model directory /x")."""

    @abc.abstractmethod
    def _write(self, ref: ModelRef, archive: bytes) -> None:
        """Keep `archive` under `ref` at once: a reader sees the previous archive or this one, never a part."""

    @abc.abstractmethod
    def _read(self, ref: ModelRef) -> bytes | None:
        """The archive kept under `ref`, None when there is none."""

    @abc.abstractmethod
    def _has(self, ref: ModelRef) -> bool:
        """Whether an archive is kept under `ref`."""
