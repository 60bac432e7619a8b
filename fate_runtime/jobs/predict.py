"""A predict job's DSL, made as FATE 1.x makes it from the training job whose model it predicts with.

The conf says `job_parameters.job_type: "predict"` with the trained `model_id` and `model_version` (the
training job's id); the DSL (when the submit brings none) keeps the training DSL's components whose
module deploys (FATE's need_deploy), reading `args.eval_data` where training read `args.train_data`,
a component's `train_data` input becoming its `eval_data`. Each kept component then runs its predict
path with the model it saved in that version (tasks/inputs.py).
"""

from __future__ import annotations

import copy
from typing import Any

from fate_runtime.components import Components
from fate_runtime.dsl import ARGS, JobPlan
from fate_runtime.errors import BadRequest

TRAIN_DATA, EVAL_DATA = "train_data", "eval_data"


def predict_parameters(conf: Any) -> tuple[str, str] | None:
    """(model_id, model_version) of a predict job's conf; None for any other job."""
    parameters = conf.get("job_parameters", {}) if isinstance(conf, dict) else {}
    if isinstance(parameters, dict) and isinstance(parameters.get("common"), dict):  # DSL v2
        parameters = {**parameters, **parameters["common"]}
    if not isinstance(parameters, dict) or parameters.get("job_type") != "predict":
        return None
    model_id, model_version = parameters.get("model_id"), parameters.get("model_version")
    if not model_id or not model_version:
        raise BadRequest("a predict job needs job_parameters.model_id and job_parameters.model_version")
    return str(model_id), str(model_version)


def _ref(ref: str, kept: set[str]) -> str | None:
    source, _, output = ref.partition(".")
    if source == ARGS:
        return f"{ARGS}.{EVAL_DATA}" if output == TRAIN_DATA else ref
    return ref if source in kept else None


def predict_dsl(train: JobPlan, components: Components) -> dict[str, Any]:
    """The DSL of a job predicting with the model `train` made."""
    kept = {name for name, c in train.components.items() if c.module in components and components[c.module].deploy}
    if not kept:
        raise BadRequest("the training job's components have no predict path (no module of it deploys)")
    planned = {}
    for name in train.components:
        if name not in kept:
            continue
        body = copy.deepcopy(train.dsl["components"][name])
        inputs = body.get("input", {})
        data = {}
        for key, refs in inputs.get("data", {}).items():
            mapped = [r for r in (_ref(ref, kept) for ref in refs) if r is not None]
            if mapped:
                data[EVAL_DATA if key == TRAIN_DATA and EVAL_DATA not in inputs["data"] else key] = mapped
        inputs["data"] = data
        for kind in ("model", "isometric_model"):
            if kind in inputs:
                inputs[kind] = [r for r in (_ref(ref, kept) for ref in inputs[kind]) if r is not None]
        planned[name] = body
    return {"components": planned}
