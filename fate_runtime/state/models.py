"""The model store: each component's named buffers (FATE's Meta and Param messages) per model version.

A model version is keyed by FATE's model id (`arbiter-10000#guest-9999#host-10000#model`) and version
(the training job's id); inside it each party's components keep their buffers under a model alias
(the DSL's `output.model` name, e.g. "model"). Buffers are serialized protobuf messages, kept with
their message type's full name so that they can be read back without the component that wrote them.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from fate_runtime.state.db import Database, now_ms
from fate_runtime.state.tables import MODELS, OUTPUT_MODELS

LEGACY_JSON = "json"  # the type of buffers kept before models were protobuf messages (a JSON object)


@dataclasses.dataclass(frozen=True)
class ModelKey:
    """One party's component in one model version."""

    model_id: str
    model_version: str
    role: str
    party_id: str
    component: str

    def where(self) -> dict[str, str]:
        return {"f_model_id": self.model_id, "f_model_version": self.model_version, "f_role": self.role,
                "f_party_id": self.party_id, "f_component_name": self.component}


@dataclasses.dataclass(frozen=True)
class ModelBuffer:
    name: str
    type: str  # the protobuf message type's full name
    data: bytes


class ModelStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, key: ModelKey, alias: str, buffers: Sequence[ModelBuffer]) -> None:
        """Keep a component's buffers under `alias`, replacing what the alias held."""
        now = now_ms()
        with self._db.transaction() as conn:
            MODELS.delete(conn, {**key.where(), "f_alias": alias})
            MODELS.insert_many(conn, [{**key.where(), "f_alias": alias, "f_name": b.name, "f_type": b.type,
                                       "f_data": b.data, "f_create_time": now} for b in buffers])

    def load(self, key: ModelKey) -> dict[str, list[ModelBuffer]]:
        """The component's buffers by alias (empty when it saved none)."""
        found: dict[str, list[ModelBuffer]] = {}
        for row in MODELS.select(self._db, key.where(), "f_alias, f_name", columns="f_alias, f_name, f_type, f_data"):
            found.setdefault(row["f_alias"], []).append(ModelBuffer(row["f_name"], row["f_type"], bytes(row["f_data"])))
        return found

    def version(self, model_id: str, model_version: str, role: str,
                party_id: str) -> dict[str, dict[str, list[ModelBuffer]]]:
        """Every component's buffers of one party's model version: component -> alias -> buffers."""
        found: dict[str, dict[str, list[ModelBuffer]]] = {}
        where = {"f_model_id": model_id, "f_model_version": model_version, "f_role": role, "f_party_id": party_id}
        for row in MODELS.select(self._db, where, "f_component_name, f_alias, f_name",
                                 columns="f_component_name, f_alias, f_name, f_type, f_data"):
            found.setdefault(row["f_component_name"], {}).setdefault(row["f_alias"], []).append(
                ModelBuffer(row["f_name"], row["f_type"], bytes(row["f_data"])))
        return found

    def legacy(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, list[ModelBuffer]]:
        """What a component saved before the model store existed (JSON objects by name), as buffers."""
        rows = OUTPUT_MODELS.select(self._db, {"f_job_id": job_id, "f_component_name": component, "f_role": role,
                                               "f_party_id": party_id}, "f_name")
        return {row["f_name"]: [ModelBuffer(row["f_name"], LEGACY_JSON, OUTPUT_MODELS.encode_value(row["f_model"]))]
                for row in rows}
