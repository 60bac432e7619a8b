"""A task's models: what its DSL names as inputs, and saving its own into the node's model store."""

from __future__ import annotations

from typing import Mapping

from google.protobuf.message import Message

from fate_runtime.components.context import Buffers
from fate_runtime.state.models import ModelBuffer, ModelKey, ModelStore

DEFAULT_ALIAS = "model"


class TaskModels:
    """The context's `models`: input models found before the component runs, and its own saved under its key."""

    def __init__(self, store: ModelStore, key: ModelKey, declared_aliases: tuple[str, ...],
                 inputs: dict[str, dict[str, Buffers]]) -> None:
        self._store = store
        self._key = key
        self._default_alias = declared_aliases[0] if declared_aliases else DEFAULT_ALIAS
        self._inputs = inputs

    def inputs(self, kind: str = "model") -> dict[str, Buffers]:
        return dict(self._inputs.get(kind, {}))

    def save(self, buffers: Mapping[str, Message], alias: str | None = None) -> None:
        self._store.save(self._key, alias or self._default_alias,
                         [ModelBuffer(name, message.DESCRIPTOR.full_name, message.SerializeToString())
                          for name, message in buffers.items()])
