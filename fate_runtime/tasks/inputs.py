"""What a task's component takes in: the tables and the models its DSL names, found on this party's node."""

from __future__ import annotations

from fate_runtime.components.context import Buffers
from fate_runtime.dsl import ARGS, JobPlan
from fate_runtime.state.models import ModelKey, ModelStore
from fate_runtime.state.tracking import TrackingQueries
from storage import TableNotFound
from storage.computing import ComputingBackend, ComputingTable


class TaskFailed(Exception):
    """The task cannot run; the message says why in one sentence."""


class TaskInputs:
    """The inputs of one party's tasks of one job."""

    def __init__(self, job_id: str, plan: JobPlan, role: str, party_id: str, tracking: TrackingQueries,
                 models: ModelStore, store: ComputingBackend) -> None:
        self._job_id = job_id
        self._plan = plan
        self._role = role
        self._party_id = party_id
        self._tracking = tracking
        self._models = models
        self._store = store

    def _switched_off(self, component: str) -> bool:
        """need_run is false for this party (its module does serve the role)."""
        return self._role in self._plan.components[component].roles and not self._plan.runs_on(
            component, self._role, self._party_id)

    def _locations(self, ref: str) -> list[tuple[str, str]]:
        """(namespace, name) of the tables a data reference stands for on this party."""
        source, _, output = ref.partition(".")
        if source == ARGS:
            named = self._plan.input_tables(self._role, self._party_id).get(output)
            if not isinstance(named, dict):
                raise TaskFailed(f"input {ref} of {self._role} {self._party_id} names no table")
            return [(str(named.get("namespace", "")), str(named.get("name", "")))]
        if self._switched_off(source):  # as FATE: a component switched off passes its input on
            return [location for refs in self._plan.components[source].data_inputs.values() for upstream in refs
                    for location in self._locations(upstream)]
        found = self._tracking.output_data(self._job_id, source, self._role, self._party_id, output)
        # as FATE: an upstream component that has no output for this party (the arbiter of DataIO, a host of
        # HeteroLR) hands nothing on, and the component decides what that means for its role
        return [(found[0].namespace, found[0].table_name)] if found else []

    def tables(self, component: str) -> dict[str, list[ComputingTable]]:
        """The component's input tables by input key (`input.data.<key>` of the DSL), in the task's backend: an
        upstream output of this party is there already; an input the node keeps in its other backend (an upload made
        with the other backend) is copied in through this process, which suits modest tables (the store given is
        storage.backend_copies.WithOtherBackendTables; uploads on a Spark node land in Spark directly)."""
        inputs: dict[str, list[ComputingTable]] = {}
        for key, refs in self._plan.components[component].data_inputs.items():
            for ref in refs:
                for location in self._locations(ref):
                    try:
                        inputs.setdefault(key, []).append(self._store.table(*location))
                    except TableNotFound:
                        raise TaskFailed(f"input table {location[0]}.{location[1]} of {self._role} "
                                         f"{self._party_id} does not exist") from None
        return inputs

    def _model(self, model_version: str, source: str, alias: str | None) -> Buffers:
        key = ModelKey(self._model_id(), model_version, self._role, self._party_id, source)
        saved = self._models.load(key)
        if not saved:
            raise TaskFailed(f"component {source} of {self._role} {self._party_id} has no model in model version "
                             f"{model_version}")
        chosen = alias if alias is not None else next(iter(saved))
        if chosen not in saved:
            raise TaskFailed(f"component {source} of {self._role} {self._party_id} saved no model {chosen}")
        return {buffer.name: buffer.data for buffer in saved[chosen]}

    def _model_id(self) -> str:
        return str(self._plan.job_parameters.get("model_id") or self._plan.model_id())

    def models(self, component: str) -> dict[str, dict[str, Buffers]]:
        """The component's input models by kind ("model", "isometric_model") and source component."""
        plan = self._plan.components[component]
        predicting = self._plan.job_type == "predict"
        version = str(self._plan.job_parameters["model_version"]) if predicting else self._job_id
        found: dict[str, dict[str, Buffers]] = {"model": {}, "isometric_model": {}}
        for kind, refs in (("model", plan.model_inputs), ("isometric_model", plan.isometric_inputs)):
            for ref in refs:
                source, _, alias = ref.partition(".")
                found[kind][source] = self._model(version, source, alias or None)
        if predicting and self._saved(version, component):  # its own trained model (if it saved one)
            found["model"][component] = self._model(version, component, None)
        return found

    def _saved(self, model_version: str, component: str) -> bool:
        return bool(self._models.load(ModelKey(self._model_id(), model_version, self._role, self._party_id,
                                               component)))
