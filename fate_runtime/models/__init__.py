"""Model versions as whole objects: what load, bind, export/import, store/restore and online serving pass around.

A `PartyModel` is one party's part of one model version, complete on its own: the pipeline that made it
(train DSL, the inference DSL derived from its deployable components, runtime conf) and every component's
named buffers (FATE's Meta/Param protobuf messages). It has no database behind it; the state package
builds it from the model store and puts it back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.state.models import ModelBuffer

ComponentBuffers = dict[str, dict[str, list[ModelBuffer]]]  # component -> model alias -> buffers


@dataclasses.dataclass(frozen=True)
class Pipeline:
    """How a model version was made and how it predicts (JSON objects as the jobs' confs have them)."""

    train_dsl: dict[str, Any]
    inference_dsl: dict[str, Any]
    runtime_conf: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class PartyModel:
    """One party's whole model version (`model_version` is the training job's id)."""

    model_id: str
    model_version: str
    role: str
    party_id: str
    pipeline: Pipeline
    components: ComponentBuffers
