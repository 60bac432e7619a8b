"""Picking the model repository a store/restore request names (FATE's `store_address`)."""

from __future__ import annotations

import os
from typing import Any

from fate_runtime.identifiers import shown
from fate_runtime.models.directory_repository import DirectoryRepository
from fate_runtime.models.redis_repository import RedisAddress, RedisRepository
from fate_runtime.models.repository import ModelRepository, RepositoryError

STORAGES = ("redis", "local")


def repository_for(store_address: dict[str, Any] | None, local_dir: str | os.PathLike[str]) -> ModelRepository:
    """Redis for `{"storage": "redis", ...}`; the node's own model directory for none or `{"storage": "local"}`.

    A local store takes no path from the request: `local_dir` is the node's setting.
    """
    if not store_address:
        return DirectoryRepository(local_dir)
    if not isinstance(store_address, dict):
        raise RepositoryError("store_address is not an object")
    storage = store_address.get("storage")
    if storage == "redis":
        return RedisRepository(RedisAddress.of(store_address))
    if storage == "local":
        if set(store_address) != {"storage"}:
            raise RepositoryError("store_address of a local store takes no field but storage (the node's model "
                                  "directory is its own setting)")
        return DirectoryRepository(local_dir)
    raise RepositoryError(f"store_address.storage {shown(storage)} is not a model storage this node knows "
                          f"({' or '.join(STORAGES)})")
