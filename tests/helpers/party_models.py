"""Party model versions for tests: the seed's hetero LR pipeline and FATE's DataIO and LR Meta/Param messages."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.message import Message

from fate_runtime.components import BUILTIN
from fate_runtime.dsl import parse
from fate_runtime.jobs.predict import predict_dsl
from fate_runtime.models import ComponentBuffers, PartyModel, Pipeline
from fate_runtime.state.models import ModelBuffer
from integration_helpers import FATE_EXAMPLES
from protos import dataio_model_pb2, lr_model_pb2

MODEL_ID = "arbiter-10000#guest-9999#host-10000#model"
MODEL_VERSION = "20261201000000000001"


def seed_pipeline() -> Pipeline:
    """The seed's hetero LR job: its train DSL, the inference DSL a predict job derives, and its conf."""
    dsl = json.loads((FATE_EXAMPLES / "test_hetero_lr_job_dsl.json").read_text())
    conf = json.loads((FATE_EXAMPLES / "test_hetero_lr_job_conf.json").read_text())
    return Pipeline(dsl, predict_dsl(parse(dsl, conf), BUILTIN), conf)


def buffer(name: str, message: Message) -> ModelBuffer:
    return ModelBuffer(name, message.DESCRIPTOR.full_name, message.SerializeToString())


def party_model(role: str = "guest", party_id: str = "9999", version: str = MODEL_VERSION,
                weights: dict[str, float] | None = None, **changes: Any) -> PartyModel:
    """One party's model version: DataIO and HeteroLR buffers as the components save them."""
    weights = weights if weights is not None else {"x0": 0.25, "x1": -1.5, "x2": 1e-9}
    header = sorted(weights)
    components: ComponentBuffers = {
        "dataio_0": {"dataio": [
            buffer("DataIOMeta", dataio_model_pb2.DataIOMeta(input_format="dense", delimitor=",", data_type="float64",
                                                             with_label=role == "guest", label_name="y")),
            buffer("DataIOParam", dataio_model_pb2.DataIOParam(header=header, sid_name="id", label_name="y"))]},
        "hetero_lr_0": {"hetero_lr": [
            buffer("HeteroLRMeta", lr_model_pb2.LRModelMeta(penalty="L2", alpha=0.01, optimizer="rmsprop",
                                                           batch_size=320, learning_rate=0.15, max_iter=3)),
            buffer("HeteroLRParam", lr_model_pb2.LRModelParam(iters=3, loss_history=[0.69, 0.51, 0.47], weight=weights,
                                                             intercept=0.125 if role == "guest" else 0.0,
                                                             header=header))]},
    }
    fields: dict[str, Any] = {"model_id": MODEL_ID, "model_version": version, "role": role, "party_id": party_id,
                              "pipeline": seed_pipeline(), "components": components, **changes}
    return PartyModel(**fields)
