"""FATE's /v1/job/dsl/generate: the predict DSL a train DSL gives for the components a user chooses to deploy.

This is the DSL FATE-Flow hands users (`flow job dsl`) to edit and submit with a predict conf; the node's own
predict jobs derive theirs in predict.py (from the modules that deploy, under the node's input names). For each
component of the train DSL, upstream first:

- a deployed component keeps its module, reads the models it trained (`pipeline.<name>.<model>` for each model
  it outputs) and declares its other outputs; its data input is the first of `data`, `train_data`,
  `validate_data`, `test_data` it has, renamed `data`, `test_data`, `test_data`, `test_data`; model inputs from
  other components are left out (its trained models carry them); a `cache` input stays;
- a data reference to a component not deployed becomes the data that component was given (traced up through
  components not deployed), since in prediction the data pass it by;
- version 2 (FATE's default): a component keeps only the references to deployed components and to DSL v1's
  `args` inputs (a Reader not deployed is linked again by the predict conf); none left, no data input;
- version 1: every `args` input becomes `args.eval_data`, the v1 predict conf's input; Reader is a v2 module.

Version 2 is FATE 1.11's (which refuses v1 DSLs; FATE 1.6 keeps their `args` inputs, as here), version 1 FATE
1.5's (FATE 1.6 fails on it; 1.11 applies version 2 instead).
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from fate_runtime.dsl import ARGS, ComponentPlan, dsl_components
from fate_runtime.errors import BadRequest
from fate_runtime.identifiers import shown
from fate_runtime.jobs.predict import EVAL_DATA

READER = "Reader"
PIPELINE = "pipeline"  # the source of a predict DSL's models: the model version it predicts with
DEFAULT_VERSION = "2"
# A deployed component's data input: the first of these train keys it has, under its predict key.
_PREDICT_KEYS = (("data", "data"), ("train_data", "test_data"), ("validate_data", "test_data"),
                 ("test_data", "test_data"))
# The data a component not deployed was given: the first reference under the first of these keys it has.
_GIVEN_KEYS = ("train_data", "eval_data", "test_data", "data")
_SEPARATORS = re.compile(r"[\s,]+")
_QUOTES = "'\""


def deploy_names(cpn_str: str) -> list[str]:
    """FATE's cpn_str text as names: separated by commas, blanks or lines, the whole optionally in [ ], each
    name optionally quoted."""
    if "/" in cpn_str or "\\" in cpn_str:
        raise BadRequest("cpn_str holds '/' or '\\': it names the components to deploy "
                         "(flow's --cpn-path reads them from a file)")
    names = (name.strip(_QUOTES) for name in _SEPARATORS.split(cpn_str.strip().strip("[],")))
    return [name for name in names if name]


def _train_dsl(text: str) -> dict[str, Any]:
    try:
        dsl = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise BadRequest("train_dsl is not valid JSON") from None
    if not isinstance(dsl, dict) or "components" not in dsl:
        raise BadRequest("train_dsl is not a DSL: a JSON object with its components")
    return dsl


def _version(given: str) -> int:
    version = given.strip() or DEFAULT_VERSION
    if version not in ("1", "2"):
        raise BadRequest(f"version must be 1 or 2 (the DSL version whose rules derive the predict DSL), "
                         f"got {shown(given)}")
    return int(version)


def _deployed(names: Sequence[str], plans: dict[str, ComponentPlan]) -> set[str]:
    if not names:
        raise BadRequest("the component list (cpn_str) is empty: name the components to deploy")
    missing = [name for name in dict.fromkeys(names) if name not in plans]
    if missing:
        raise BadRequest("cpn_str names components the train DSL does not have: "
                         + ", ".join(shown(name) for name in missing))
    return set(names)


class _Derivation:
    """One predict DSL in the making: the train DSL's components and what each not deployed passes on."""

    def __init__(self, dsl: dict[str, Any], plans: dict[str, ComponentPlan], deployed: set[str],
                 version: int) -> None:
        self.dsl = dsl
        self.plans = plans
        self.deployed = deployed
        self.version = version
        self.passed: dict[str, dict[str, list[str]]] = {}  # component not deployed -> output -> its data's refs

    def kept_as_is(self, source: str) -> bool:
        """Whether a reference to `source` stays: an input of the predict job itself, or of a deployed one."""
        return source == ARGS or source in self.deployed or self.plans[source].module == READER

    def in_prediction(self, ref: str) -> bool:
        """Whether a version 2 predict DSL keeps `ref`: an input of the job or of a deployed component."""
        source = ref.partition(".")[0]
        return source == ARGS or source in self.deployed

    def traced(self, consumer: str, ref: str) -> list[str]:
        """The references standing in for `ref` (an input of `consumer`) in prediction."""
        source, _, output = ref.partition(".")
        found = [ref] if self.kept_as_is(source) else self.passed.get(source, {}).get(output)
        if found is None:
            raise BadRequest(f"component {consumer}'s input {ref} cannot be traced: {source} is not deployed and "
                             f"has no data input to stand in for its output; deploy {source} too")
        if self.version == 1:
            return [f"{ARGS}.{EVAL_DATA}" if r.partition(".")[0] == ARGS else r for r in found]
        return found

    def pass_on(self, plan: ComponentPlan) -> None:
        """Record what a component not deployed passes on: each of its outputs stands for the data it was given."""
        given = next((plan.data_inputs[key] for key in _GIVEN_KEYS if key in plan.data_inputs), ())
        if not given or not plan.output_data:
            return
        source, _, output = given[0].partition(".")
        refs = [given[0]] if self.kept_as_is(source) else self.passed.get(source, {}).get(output)
        if refs is not None:
            self.passed[plan.name] = {name: refs for name in plan.output_data}

    def data(self, plan: ComponentPlan) -> dict[str, list[str]]:
        """A deployed component's data input in prediction."""
        data: dict[str, list[str]] = {}
        key = next((pair for pair in _PREDICT_KEYS if pair[0] in plan.data_inputs), None)
        if key is not None:
            data[key[1]] = [new for ref in plan.data_inputs[key[0]] for new in self.traced(plan.name, ref)]
        if self.version == 1:
            return data
        kept = {key: [ref for ref in refs if self.in_prediction(ref)] for key, refs in data.items()}
        return {key: refs for key, refs in kept.items() if refs}

    def component(self, plan: ComponentPlan) -> dict[str, Any]:
        """A deployed component in the predict DSL."""
        body = self.dsl["components"][plan.name]
        made: dict[str, Any] = {"module": plan.module}
        outputs = body.get("output", {})
        if outputs.get("model") is not None:
            made["input"] = {"model": [f"{PIPELINE}.{plan.name}.{model}" for model in outputs["model"]]}
        others = {key: value for key, value in outputs.items() if key != "model" and value is not None}
        if others:
            made["output"] = others
        if "input" in body:
            inputs = made.setdefault("input", {})
            if "data" in body["input"]:
                data = self.data(plan)
                if data or self.version == 1:
                    inputs["data"] = data
                if "cache" in body["input"]:
                    inputs["cache"] = body["input"]["cache"]
        return made

    def predict_dsl(self) -> dict[str, Any]:
        components = {}
        for name, plan in self.plans.items():
            if plan.module == READER and self.version == 1:
                raise BadRequest(f"component {name} is a Reader, a DSL v2 module: generate with version 2")
            if name in self.deployed:
                components[name] = self.component(plan)
            else:
                self.pass_on(plan)
        return {"components": components}


def generated_predict_dsl(train_dsl: str, deploy: Sequence[str], version: str) -> dict[str, Any]:
    """The predict DSL the train DSL (its JSON text) gives when the `deploy` components are deployed, by the rules
    of DSL `version` ("1" or "2"; empty: "2")."""
    rules = _version(version)
    dsl = _train_dsl(train_dsl)
    plans = dsl_components(dsl, None, "train_dsl")
    return _Derivation(dsl, plans, _deployed(deploy, plans), rules).predict_dsl()
