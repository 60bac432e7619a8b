"""What a bound PartyModel holds for serving: its parties, the chain of components that feeds its HeteroLR, and
each component's trained buffers.

The chain is the batch predict path's: from the HeteroLR component back along each component's data input (the
one its predict path reads: `eval_data`, else `data`, else `train_data`) to the job's input.
"""

from __future__ import annotations

import dataclasses
from fate_runtime.components.context import Buffers
from fate_runtime.dsl import ARGS, ComponentPlan, JobPlan, checked_parameters, parse
from fate_runtime.errors import BadRequest
from fate_runtime.models import PartyModel
from fate_runtime.serving.errors import MODEL_INIT_ERROR, ServingError

SCORING_MODULE = "HeteroLR"
DATA_KEYS = ("eval_data", "data", "train_data")  # the input a component's predict path reads, first found
GUEST, HOST = "guest", "host"


@dataclasses.dataclass(frozen=True)
class ChainLink:
    """One component of the chain: its name, module and the buffers it saved in the model version."""

    name: str
    module: str
    buffers: Buffers


@dataclasses.dataclass(frozen=True)
class ModelChain:
    """A party's model version as serving reads it: the components in data order, HeteroLR last."""

    model: PartyModel
    plan: JobPlan
    links: tuple[ChainLink, ...]

    @property
    def label(self) -> str:
        return _label(self.model)

    def parties(self, role: str) -> tuple[str, ...]:
        return tuple(self.plan.roles.get(role, ()))

    def threshold(self) -> float:
        """HeteroLR's predict_param.threshold for this party (as the batch predict job reads it)."""
        params, _ = checked_parameters(self.plan, self.links[-1].name, self.model.role, self.model.party_id)
        return float(params["predict_param"]["threshold"])

    def training_table(self) -> tuple[str, str]:
        """(namespace, name) of the table this party's chain read in training."""
        head = self.plan.components[self.links[0].name]
        tables = self.plan.input_tables(self.model.role, self.model.party_id)
        source = _data_ref(head)
        given = tables.get(head.name)  # (DSL v2: the head is a Reader, its table is its parameter)
        if given is None and source is not None:
            args_name = source.partition(".")[2]
            given = tables.get("train_data" if args_name == "eval_data" else args_name) or tables.get(args_name)
        if not isinstance(given, dict) or not given.get("name") or not given.get("namespace"):
            raise ServingError(MODEL_INIT_ERROR, f"the runtime conf of {self.label} names no table that "
                                                 f"{head.name} read in training")
        return str(given["namespace"]), str(given["name"])


def _label(model: PartyModel) -> str:
    return f"model version {model.model_version} of {model.role} {model.party_id}"


def _data_ref(component: ComponentPlan) -> str | None:
    for key in (*DATA_KEYS, *component.data_inputs):
        refs = component.data_inputs.get(key)
        if refs:
            return refs[0]
    return None


def _buffers(model: PartyModel, component: ComponentPlan) -> Buffers:
    saved = model.components.get(component.name, {})
    aliases = [alias for alias in component.output_model if alias in saved] or list(saved)
    return {buffer.name: buffer.data for buffer in saved[aliases[0]]} if aliases else {}


def model_chain(model: PartyModel) -> ModelChain:
    """The chain of `model`; ServingError (MODEL_INIT_ERROR) when its pipeline has no single HeteroLR to serve."""
    label = _label(model)
    try:
        plan = parse(model.pipeline.inference_dsl, model.pipeline.runtime_conf)
    except BadRequest as exc:
        raise ServingError(MODEL_INIT_ERROR, f"the inference DSL of {label} cannot be read: {exc}") from None
    scoring = [c for c in plan.components.values() if c.module == SCORING_MODULE]
    if len(scoring) != 1:
        raise ServingError(MODEL_INIT_ERROR, f"{label} has {len(scoring)} {SCORING_MODULE} components in its "
                                             f"inference DSL; serving scores with exactly one")
    links: list[ChainLink] = []
    component: ComponentPlan | None = scoring[0]
    while component is not None:
        links.insert(0, ChainLink(component.name, component.module, _buffers(model, component)))
        source = _data_ref(component)
        upstream = source.partition(".")[0] if source is not None else ARGS
        component = None if upstream == ARGS else plan.components[upstream]
    return ModelChain(model, plan, tuple(links))


def training_table(model: PartyModel) -> tuple[str, str]:
    """(namespace, name) of the table a party's model version was trained on: a host's default feature table."""
    return model_chain(model).training_table()
