"""A node's side of the model lifecycle, for the parties it serves.

A training job that succeeds leaves, on each of its parties here, a whole model version: the pipeline (train
DSL, the inference DSL derived as a predict job's, runtime conf) beside the buffers its components saved. The
load and bind steps a conf's initiator asks for run here, one party at a time, after checking who asks: the
party must be one of this node's and of the model's, and so must the initiator (under TLS, the caller's
certificate must name the initiator). A host's bind may name the table it serves its features from: it must be
in this node's store with every column the host's model reads. Transfer hands out this node's buffers of a
version.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator

from fate_runtime import identifiers
from fate_runtime.components import Components
from fate_runtime.dsl import JobPlan
from fate_runtime.errors import BadRequest, Forbidden, NotFound
from fate_runtime.jobs.predict import predict_dsl
from fate_runtime.models import PartyModel, Pipeline
from fate_runtime.serving.errors import ServingError
from fate_runtime.serving.feature_tables import check_feature_table
from fate_runtime.state.job_store import SUCCESS, JobStore
from fate_runtime.state.model_versions import FeatureTable, ModelVersions, VersionKey
from protos import pipeline_pb2
from storage import Store

LOAD, BIND = "load", "bind"
ARBITER = "arbiter"  # it has no model to serve: load and bind pass it by
HOST = "host"
PIPELINE_KEY = "pipeline.pipeline:Pipeline"  # FATE's key of a version's pipeline among its buffers
MAX_SERVICE_ID = 200


def model_parties(model_id: str) -> frozenset[tuple[str, str]]:
    """The (role, party id) pairs that FATE's model id names (`arbiter-10000#guest-9999#host-10000#model`)."""
    identifiers.model_id(model_id)
    return frozenset((role, party) for part in model_id.split("#")[:-1]
                     for role, _, parties in [part.partition("-")] for party in parties.split("_"))


def split_party_model_id(model_id: str) -> tuple[str, tuple[str, str] | None]:
    """FATE's party model id (`guest#9999#arbiter-10000#guest-9999#host-10000#model`) as the model id and the
    party it names; a model id as itself and None."""
    role, party, inner = (model_id.split("#", 2) + ["", ""])[:3]
    if role in identifiers.ROLES and inner:
        return identifiers.model_id(inner), (role, identifiers.party_id(party))
    return identifiers.model_id(model_id), None


def checked_service_id(value: str) -> str:
    if not value:
        raise BadRequest("the following arguments are required: service_id")
    if len(value) > MAX_SERVICE_ID or not value.isprintable():
        raise BadRequest(f"service id {identifiers.shown(value)} is not a service id (1 to {MAX_SERVICE_ID} "
                         "printable characters)")
    return value


@dataclasses.dataclass(frozen=True)
class ModelStep:
    """A load or bind of one party's model version, asked for by the conf's initiator."""

    kind: str  # LOAD or BIND
    key: VersionKey
    initiator: tuple[str, str]
    service_id: str = ""
    check_only: bool = False
    feature_table: FeatureTable | None = None  # a host's bind: the table it serves from (None: the one it trained on)


def trained_pipeline(plan: JobPlan, components: Components) -> Pipeline:
    """A training job's pipeline; a job none of whose modules deploys has an inference DSL without components."""
    try:
        inference = predict_dsl(plan, components)
    except BadRequest:
        inference = {"components": {}}
    return Pipeline(plan.dsl, inference, plan.conf)


def pipeline_buffer(pipeline: Pipeline) -> bytes:
    """The pipeline as FATE's Pipeline message (each part UTF-8 JSON)."""
    return pipeline_pb2.Pipeline(inference_dsl=json.dumps(pipeline.inference_dsl).encode(),
                                 train_dsl=json.dumps(pipeline.train_dsl).encode(),
                                 train_runtime_conf=json.dumps(pipeline.runtime_conf).encode()).SerializeToString()


def buffer_items(model: PartyModel, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    """A party's model version as FATE keys its buffers (`component.alias:name`, after `prefix`)."""
    yield prefix + PIPELINE_KEY, pipeline_buffer(model.pipeline)
    for component, aliases in model.components.items():
        for alias, buffers in aliases.items():
            for buffer in buffers:
                yield f"{prefix}{component}.{alias}:{buffer.name}", buffer.data


class ModelParty:
    def __init__(self, versions: ModelVersions, jobs: JobStore, local_parties: frozenset[str] | None,
                 components: Components, tables: Store) -> None:
        self._versions = versions
        self._jobs = jobs
        self._local_parties = local_parties
        self._components = components
        self._tables = tables

    def serves(self, party_id: str) -> bool:
        return self._local_parties is None or party_id in self._local_parties

    def record_trained(self, job_id: str, plan: JobPlan, parties: list[tuple[str, str]]) -> None:
        """The training job `job_id` succeeded: its parties here keep their model versions whole."""
        if plan.job_type == "predict":
            return
        pipeline = trained_pipeline(plan, self._components)
        for role, party in parties:
            self._versions.record(VersionKey(plan.model_id(), job_id, role, party), pipeline)

    def known(self, key: VersionKey) -> bool:
        """Whether the party has the version here (one trained before versions were kept whole is recorded now,
        from its job)."""
        if self._versions.exists(key):
            return True
        job = self._jobs.job(key.model_version, key.role, key.party_id)
        if job is None or job.status != SUCCESS:
            return False
        plan = self._jobs.plan(key.model_version)
        if plan.model_id() != key.model_id or plan.job_type == "predict":
            return False
        self._versions.record(key, trained_pipeline(plan, self._components))
        return True

    def inference_dsl(self, key: VersionKey) -> dict[str, Any]:
        """How the party's version predicts: a predict job's DSL."""
        if not self.known(key):
            raise key.unknown()
        return self._versions.pipeline(key).inference_dsl

    def _check_caller(self, step: ModelStep, caller: str | None) -> None:
        key, (initiator_role, initiator_party) = step.key, step.initiator
        identifiers.job_id(key.model_version, "model_version")
        identifiers.role(key.role)
        identifiers.party_id(key.party_id)
        parties = model_parties(key.model_id)
        if not self.serves(key.party_id):
            raise NotFound(f"this node does not serve {key.role} {key.party_id}")
        if (key.role, key.party_id) not in parties:
            raise Forbidden(f"{key.role} {key.party_id} is not a party of model {key.model_id}")
        if (initiator_role, initiator_party) not in parties:
            raise Forbidden(f"the initiator {initiator_role} {initiator_party} is not a party of model {key.model_id}")
        if caller is not None and caller != initiator_party:
            raise Forbidden(f"party {caller} may not {step.kind} for the initiator {initiator_role} {initiator_party}")
        if key.role == ARBITER:
            raise BadRequest(f"the arbiter has no model to {step.kind}")

    def step(self, step: ModelStep, caller: str | None) -> None:
        """Load or bind one party's version (with `check_only`, only say whether it would succeed)."""
        self._check_caller(step, caller)
        key = step.key
        if not self.known(key):
            raise key.unknown()
        if step.kind == LOAD:
            if not self._versions.party_model(key).pipeline.inference_dsl.get("components"):
                raise BadRequest(f"model version {key.model_version} of model {key.model_id} has no component that "
                                 f"predicts on {key.role} {key.party_id}")
            if not step.check_only:
                self._versions.load(key)
            return
        service_id = checked_service_id(step.service_id)
        self._versions.check_bind(key)
        if step.feature_table is not None:
            self._check_feature_table(key, step.feature_table)
        if not step.check_only:
            self._versions.bind(service_id, key, step.feature_table)

    def _check_feature_table(self, key: VersionKey, table: FeatureTable) -> None:
        if key.role != HOST:
            raise BadRequest(f"{key.role} {key.party_id} serves from no feature table; only a host does")
        identifiers.table_part(table.namespace, "namespace")
        identifiers.table_part(table.name, "table_name")
        try:
            check_feature_table(self._versions.party_model(key), self._tables, table)
        except ServingError as exc:
            raise BadRequest(exc.message) from None

    def transfer(self, model_id: str, model_version: str) -> list[tuple[str, bytes]]:
        """A version's buffers on this node's parties: given a party model id (`role#party#model id`), that
        party's under FATE's keys; given a model id, every party's here, each key after `role#party_id#`."""
        identifiers.job_id(model_version, "model_version")
        inner, named = split_party_model_id(model_id)
        if named is not None:
            keys = [VersionKey(inner, model_version, *named)]
            prefixed = False
        else:
            keys = [VersionKey(model_id, model_version, r, p) for r, p in sorted(model_parties(model_id))]
            prefixed = True
        found = [key for key in keys if self.serves(key.party_id) and self.known(key)]
        if not found:
            raise NotFound(f"no model version {model_version} of model {model_id} on this node" if prefixed
                           else str(keys[0].unknown()))
        return [item for key in found for item in buffer_items(self._versions.party_model(key),
                                                               f"{key.role}#{key.party_id}#" if prefixed else "")]
