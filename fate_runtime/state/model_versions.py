"""Model versions as wholes, and their lifecycle on each party: trained -> loaded -> bound.

A training job that succeeds records, for each of its parties on this node, the version's pipeline (train DSL,
inference DSL, runtime conf) beside the buffers its components saved (state/models.py): the version is
`trained`. Load makes it `loaded`; bind points a service id at a loaded version (per party; several service ids
may point at one version, and binding a service id again moves it), which makes the version `bound`. Each step
checks the one before and refuses with one sentence naming what is missing. A host's binding may name the table it
finds its features in when serving (else: the table it trained on).

What the serving side reads: `binding(service_id, role, party_id)` (what a service id names on one party of this
node), `bindings(service_id)`, `party_model(key)` and `state(key)`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.models import PartyModel, Pipeline
from fate_runtime.state.db import Database, Executor, now_ms
from fate_runtime.state.models import ModelStore
from fate_runtime.state.tables import MODEL_SERVICES, MODEL_VERSIONS, MODELS

TRAINED, LOADED, BOUND = "trained", "loaded", "bound"


@dataclasses.dataclass(frozen=True)
class VersionKey:
    """One party's part of one model version."""

    model_id: str
    model_version: str
    role: str
    party_id: str

    def where(self) -> dict[str, str]:
        return {"f_model_id": self.model_id, "f_model_version": self.model_version, "f_role": self.role,
                "f_party_id": self.party_id}

    def unknown(self) -> NotFound:
        return NotFound(f"no model version {self.model_version} of model {self.model_id} on {self.role} "
                        f"{self.party_id}")


@dataclasses.dataclass(frozen=True)
class FeatureTable:
    """The table a host finds its features in by id when serving."""

    namespace: str
    name: str


@dataclasses.dataclass(frozen=True)
class Binding:
    """A service id bound to a model version on one party (a host's: with the feature table bind named, if any)."""

    service_id: str
    role: str
    party_id: str
    model_id: str
    model_version: str
    feature_table: FeatureTable | None = None

    @property
    def key(self) -> VersionKey:
        return VersionKey(self.model_id, self.model_version, self.role, self.party_id)


def _binding(row: dict[str, Any]) -> Binding:
    table = FeatureTable(row["f_feature_namespace"], row["f_feature_table_name"]) if row["f_feature_table_name"] \
        else None
    return Binding(row["f_service_id"], row["f_role"], row["f_party_id"], row["f_model_id"], row["f_model_version"],
                   table)


class ModelVersions:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._buffers = ModelStore(db)

    def record(self, key: VersionKey, pipeline: Pipeline) -> None:
        """The training job that made the version succeeded on this party: keep its pipeline, `trained` (a
        version recorded already keeps its pipeline and state)."""
        now = now_ms()
        with self._db.transaction() as conn:
            if not MODEL_VERSIONS.select(conn, key.where()):
                MODEL_VERSIONS.insert(conn, self._row(key, pipeline, now))

    @staticmethod
    def _row(key: VersionKey, pipeline: Pipeline, now: int) -> dict[str, Any]:
        return {**key.where(), "f_train_dsl": pipeline.train_dsl, "f_inference_dsl": pipeline.inference_dsl,
                "f_runtime_conf": pipeline.runtime_conf, "f_state": TRAINED, "f_create_time": now,
                "f_update_time": now}

    def put(self, model: PartyModel) -> None:
        """Keep `model` whole (import, restore), replacing what the version held on its party: its pipeline and
        every buffer. It starts `trained` again: what was loaded and bound is not what is kept now, so the
        service ids bound to it are unbound."""
        key = VersionKey(model.model_id, model.model_version, model.role, model.party_id)
        now = now_ms()
        rows = [{**key.where(), "f_component_name": component, "f_alias": alias, "f_name": buffer.name,
                 "f_type": buffer.type, "f_data": buffer.data, "f_create_time": now}
                for component, aliases in model.components.items() for alias, buffers in aliases.items()
                for buffer in buffers]
        with self._db.transaction() as conn:
            MODELS.delete(conn, key.where())
            MODEL_SERVICES.delete(conn, key.where())
            MODEL_VERSIONS.insert(conn, self._row(key, model.pipeline, now), replace=True)
            MODELS.insert_many(conn, rows)

    def _version_row(self, target: Executor, key: VersionKey) -> dict[str, Any]:
        rows = MODEL_VERSIONS.select(target, key.where())
        if not rows:
            raise key.unknown()
        return rows[0]

    def pipeline(self, key: VersionKey) -> Pipeline:
        row = self._version_row(self._db, key)
        return Pipeline(row["f_train_dsl"], row["f_inference_dsl"], row["f_runtime_conf"])

    def party_model(self, key: VersionKey) -> PartyModel:
        """The party's whole model version (NotFound naming it when this node has no such version)."""
        return PartyModel(key.model_id, key.model_version, key.role, key.party_id, self.pipeline(key),
                          self._buffers.version(key.model_id, key.model_version, key.role, key.party_id))

    def exists(self, key: VersionKey) -> bool:
        return bool(MODEL_VERSIONS.select(self._db, key.where()))

    def state(self, key: VersionKey) -> str:
        """trained, loaded or bound (bound: a loaded version some service id points at on its party)."""
        return self._state(self._db, key)

    def _state(self, target: Executor, key: VersionKey) -> str:
        state = str(self._version_row(target, key)["f_state"])
        if state == LOADED and MODEL_SERVICES.select(target, key.where()):
            return BOUND
        return state

    def check_load(self, key: VersionKey) -> None:
        """Load would succeed (the version is here)."""
        self._version_row(self._db, key)

    def load(self, key: VersionKey) -> None:
        """trained -> loaded (a version loaded already stays as it is)."""
        with self._db.transaction() as conn:
            if self._version_row(conn, key)["f_state"] == TRAINED:
                MODEL_VERSIONS.update(conn, key.where(), {"f_state": LOADED, "f_update_time": now_ms()})

    def check_bind(self, key: VersionKey) -> None:
        """Bind would succeed (the version is here and loaded)."""
        self._check_loaded(self._db, key)

    def _check_loaded(self, target: Executor, key: VersionKey) -> None:
        if self._version_row(target, key)["f_state"] != LOADED:
            raise BadRequest(f"model version {key.model_version} is not loaded on {key.role} {key.party_id}; "
                             "run load first")

    def bind(self, service_id: str, key: VersionKey, feature_table: FeatureTable | None = None) -> Binding | None:
        """Point `service_id` at the loaded version on its party (a host's serving from `feature_table`, None: the
        table it trained on); returns the binding it replaced, if any."""
        if not service_id:
            raise BadRequest("the following arguments are required: service_id")
        now = now_ms()
        with self._db.transaction() as conn:
            self._check_loaded(conn, key)
            where = {"f_service_id": service_id, "f_role": key.role, "f_party_id": key.party_id}
            before = MODEL_SERVICES.select(conn, where)
            MODEL_SERVICES.insert(conn, {**where, "f_model_id": key.model_id, "f_model_version": key.model_version,
                                         "f_feature_namespace": feature_table.namespace if feature_table else "",
                                         "f_feature_table_name": feature_table.name if feature_table else "",
                                         "f_create_time": before[0]["f_create_time"] if before else now,
                                         "f_update_time": now}, replace=True)
        return _binding(before[0]) if before else None

    def binding(self, service_id: str, role: str, party_id: str) -> Binding:
        """What `service_id` names on one party (NotFound when it names nothing there)."""
        rows = MODEL_SERVICES.select(self._db, {"f_service_id": service_id, "f_role": role, "f_party_id": party_id})
        if not rows:
            raise NotFound(f"service id {service_id} is not bound on {role} {party_id}; run bind first")
        return _binding(rows[0])

    def bindings(self, service_id: str) -> list[Binding]:
        """Every party of this node that `service_id` names a version on."""
        return [_binding(row) for row in MODEL_SERVICES.select(self._db, {"f_service_id": service_id},
                                                                "f_role, f_party_id")]
