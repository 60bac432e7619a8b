"""The one object a component sees: its parameters, input tables and models, federation, tracker and storage."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Mapping, Protocol, Sequence

from google.protobuf.message import Message

from storage.computing import ComputingBackend, ComputingTable


class Federation(Protocol):
    def remote(self, obj: Any, name: str, tag: Any, parties: Sequence[tuple[str, Any]]) -> None: ...

    def get(self, name: str, tag: Any, parties: Sequence[tuple[str, Any]], timeout: float | None = None) -> list[Any]: ...


class Tracker(Protocol):
    """Where a component's results go: metrics and output data tables."""

    def log_metric_data(self, namespace: str, name: str, data: list[tuple[Any, Any]]) -> None: ...

    def set_metric_meta(self, namespace: str, name: str, meta: dict[str, Any]) -> None: ...

    def save_output_data(self, name: str, table: ComputingTable) -> None: ...


Buffers = dict[str, bytes]  # a model's buffers: name (e.g. "HeteroLRParam") -> the serialized protobuf message


class Models(Protocol):
    """A component's models: those its DSL names as inputs, and where it saves its own (FATE's Meta/Param pair)."""

    def inputs(self, kind: str = "model") -> dict[str, Buffers]:
        """The models named in the DSL's `input.<kind>` ("model" or "isometric_model") by source component; in a
        predict job, "model" holds the component's own model from the model version it predicts with."""
        ...

    def save(self, buffers: Mapping[str, Message], alias: str | None = None) -> None:
        """Keep this task's model: protobuf messages by name, under `alias` (default: the DSL's first
        `output.model` name, or "model")."""
        ...


@dataclasses.dataclass
class ComponentContext:
    job_id: str
    component: str
    role: str
    party_id: str
    params: dict[str, Any]
    roles: dict[str, list[str]]
    inputs: dict[str, list[ComputingTable]]
    federation: Federation
    tracker: Tracker
    store: ComputingBackend
    log: logging.Logger
    models: Models
    job_type: str = "train"  # FATE's job_parameters.job_type: "train", or "predict" with a trained model version

    @property
    def predicting(self) -> bool:
        """A predict job: the component runs its predict path with the model `models.inputs()` holds."""
        return self.job_type == "predict"

    def parties(self, role: str) -> list[tuple[str, str]]:
        """The (role, party id) pairs of every party of `role` in the job."""
        return [(role, party) for party in self.roles.get(role, [])]

    def output_name(self, name: str) -> tuple[str, str]:
        """(namespace, table name) for this task's output `name`."""
        return f"output.{self.job_id}", f"{self.component}.{self.role}.{self.party_id}.{name}"

    def output_table(self, name: str, partitions: int) -> ComputingTable:
        """A new empty table named as this task's output `name`."""
        namespace, table_name = self.output_name(name)
        return self.store.create_table(namespace, table_name, partitions)
