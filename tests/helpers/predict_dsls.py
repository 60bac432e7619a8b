"""The seed's train DSL and the predict DSL FATE-Flow generates from it (`flow job dsl`, /v1/job/dsl/generate)."""

from __future__ import annotations

from typing import Any

from integration_helpers import FATE_EXAMPLES

SEED_DSL_PATH = FATE_EXAMPLES / "test_hetero_lr_job_dsl.json"
SEED_ALL = ["dataio_0", "hetero_feature_binning_0", "hetero_feature_selection_0", "hetero_lr_0", "evaluation_0"]


def deployed(module: str, name: str, models: list[str], outputs: list[str], **data: list[str]) -> dict[str, Any]:
    """A deployed component as a predict DSL has it (no `data` given: no data input)."""
    made: dict[str, Any] = {"module": module, "input": {"model": [f"pipeline.{name}.{m}" for m in models]},
                            "output": {"data": outputs}}
    if data:
        made["input"]["data"] = data
    return made


# Every component of the seed deployed, by DSL version 2's rules (FATE 1.6's answer to `flow job dsl`): models from
# the pipeline, train_data read as test_data, isometric models left out, v1's args input kept.
SEED_PREDICT_V2 = {"components": {
    "dataio_0": deployed("DataIO", "dataio_0", ["dataio"], ["train"], data=["args.train_data"]),
    "hetero_feature_binning_0": deployed("HeteroFeatureBinning", "hetero_feature_binning_0",
                                         ["hetero_feature_binning"], ["train"], data=["dataio_0.train"]),
    "hetero_feature_selection_0": deployed("HeteroFeatureSelection", "hetero_feature_selection_0", ["selected"],
                                           ["train"], data=["hetero_feature_binning_0.train"]),
    "hetero_lr_0": deployed("HeteroLR", "hetero_lr_0", ["hetero_lr"], ["train"],
                            test_data=["hetero_feature_selection_0.train"]),
    "evaluation_0": {"module": "Evaluation", "input": {"data": {"data": ["hetero_lr_0.train"]}},
                     "output": {"data": ["evaluate"]}},
}}
