"""FATE's /v1/job/dsl/generate derivation: predict DSLs from the seed's v1 train DSL and a small v2 one with Reader
(expected DSLs as FATE-Flow gives them: 1.6 for the seed under version 2, 1.11 for v2 DSLs, 1.5 for version 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fate_runtime.errors import BadRequest
from fate_runtime.jobs.dsl_generator import deploy_names, generated_predict_dsl
from predict_dsls import SEED_ALL, SEED_DSL_PATH, SEED_PREDICT_V2, deployed

SEED_DSL = SEED_DSL_PATH.read_text()

V2_DSL: dict[str, Any] = {"components": {
    "reader_0": {"module": "Reader", "output": {"data": ["data"]}},
    "dataio_0": {"module": "DataIO", "input": {"data": {"data": ["reader_0.data"]}},
                 "output": {"data": ["data"], "model": ["model"]}},
    "intersection_0": {"module": "Intersection", "input": {"data": {"data": ["dataio_0.data"]}},
                       "output": {"data": ["data"]}},
    "hetero_feature_binning_0": {"module": "HeteroFeatureBinning", "input": {"data": {"data": ["intersection_0.data"]}},
                                 "output": {"data": ["data"], "model": ["model"]}},
    "hetero_feature_selection_0": {"module": "HeteroFeatureSelection",
                                   "input": {"data": {"data": ["hetero_feature_binning_0.data"]},
                                             "isometric_model": ["hetero_feature_binning_0.model"]},
                                   "output": {"data": ["data"], "model": ["model"]}},
    "hetero_lr_0": {"module": "HeteroLR", "input": {"data": {"train_data": ["hetero_feature_selection_0.data"]}},
                    "output": {"data": ["data"], "model": ["model"]}},
    "evaluation_0": {"module": "Evaluation", "input": {"data": {"data": ["hetero_lr_0.data"]}},
                     "output": {"data": ["data"]}},
}}


def generate(dsl: str | dict[str, Any], deploy: list[str], version: str = "2") -> dict[str, Any]:
    return generated_predict_dsl(dsl if isinstance(dsl, str) else json.dumps(dsl), deploy, version)


def test_seed_dsl_every_component_version_2() -> None:
    """Models from the pipeline, train_data read as test_data, isometric models left out, args kept (FATE 1.6)."""
    assert generate(SEED_DSL, SEED_ALL) == SEED_PREDICT_V2


def test_version_defaults_to_2() -> None:
    assert generate(SEED_DSL, SEED_ALL, "") == SEED_PREDICT_V2


def test_seed_dsl_version_1_reads_eval_data_and_traces_past_components_not_deployed() -> None:
    assert generate(SEED_DSL, ["dataio_0", "hetero_lr_0"], "1") == {"components": {
        "dataio_0": deployed("DataIO", "dataio_0", ["dataio"], ["train"], data=["args.eval_data"]),
        "hetero_lr_0": deployed("HeteroLR", "hetero_lr_0", ["hetero_lr"], ["train"], test_data=["dataio_0.train"]),
    }}


def test_version_1_args_traced_through_a_component_not_deployed_become_eval_data() -> None:
    """FATE 1.5 leaves args.train_data there, which no v1 predict conf provides."""
    predicted = generate(SEED_DSL, ["hetero_feature_binning_0"], "1")
    assert predicted["components"]["hetero_feature_binning_0"]["input"]["data"] == {"data": ["args.eval_data"]}


def test_v2_reader_not_deployed_leaves_the_first_component_without_data_input() -> None:
    names = ["dataio_0", "intersection_0", "hetero_feature_binning_0", "hetero_feature_selection_0", "hetero_lr_0"]
    assert generate(V2_DSL, names) == {"components": {
        "dataio_0": deployed("DataIO", "dataio_0", ["model"], ["data"]),
        "intersection_0": {"module": "Intersection", "input": {"data": {"data": ["dataio_0.data"]}},
                           "output": {"data": ["data"]}},
        "hetero_feature_binning_0": deployed("HeteroFeatureBinning", "hetero_feature_binning_0", ["model"], ["data"],
                                             data=["intersection_0.data"]),
        "hetero_feature_selection_0": deployed("HeteroFeatureSelection", "hetero_feature_selection_0", ["model"],
                                               ["data"], data=["hetero_feature_binning_0.data"]),
        "hetero_lr_0": deployed("HeteroLR", "hetero_lr_0", ["model"], ["data"],
                                test_data=["hetero_feature_selection_0.data"]),
    }}


def test_v2_reader_deployed_stays_linked_and_components_not_deployed_are_passed_by() -> None:
    assert generate(V2_DSL, ["reader_0", "dataio_0", "hetero_lr_0", "evaluation_0"]) == {"components": {
        "reader_0": {"module": "Reader", "output": {"data": ["data"]}},
        "dataio_0": deployed("DataIO", "dataio_0", ["model"], ["data"], data=["reader_0.data"]),
        "hetero_lr_0": deployed("HeteroLR", "hetero_lr_0", ["model"], ["data"], test_data=["dataio_0.data"]),
        "evaluation_0": {"module": "Evaluation", "input": {"data": {"data": ["hetero_lr_0.data"]}},
                         "output": {"data": ["data"]}},
    }}


def test_v2_data_traced_to_a_reader_not_deployed_is_left_out() -> None:
    assert generate(V2_DSL, ["hetero_lr_0"]) == {"components": {
        "hetero_lr_0": deployed("HeteroLR", "hetero_lr_0", ["model"], ["data"])}}


def test_v1_refuses_reader() -> None:
    with pytest.raises(BadRequest, match="component reader_0 is a Reader, a DSL v2 module: generate with version 2"):
        generate(V2_DSL, ["dataio_0"], "1")


def test_outputs_but_models_and_cache_inputs_stay_and_any_module_is_taken() -> None:
    dsl = {"components": {
        "reader_0": {"module": "Reader", "output": {"data": ["data"]}},
        "cache_loader_0": {"module": "CacheLoader", "output": {"cache": ["cache"]}},
        "booster_0": {"module": "HeteroSecureBoost", "input": {"data": {"train_data": ["reader_0.data"]},
                                                              "cache": ["cache_loader_0.cache"]},
                      "output": {"data": ["data"], "model": ["model"], "cache": ["cache"]}},
    }}
    assert generate(dsl, ["booster_0"]) == {"components": {"booster_0": {
        "module": "HeteroSecureBoost", "input": {"model": ["pipeline.booster_0.model"], "cache": ["cache_loader_0.cache"]},
        "output": {"data": ["data"], "cache": ["cache"]}}}}


@pytest.mark.parametrize("text", ["dataio_0, hetero_lr_0", "[dataio_0,hetero_lr_0]", "dataio_0\nhetero_lr_0\n",
                                  ' ["dataio_0", "hetero_lr_0"] ', "dataio_0,,\n hetero_lr_0,"])
def test_deploy_names_from_text(text: str) -> None:
    assert deploy_names(text) == ["dataio_0", "hetero_lr_0"]


@pytest.mark.parametrize("text", ["conf/components.txt", "dataio_0\\hetero_lr_0"])
def test_deploy_names_refuses_paths(text: str) -> None:
    with pytest.raises(BadRequest, match=r"cpn_str holds '/' or '\\': it names the components to deploy"):
        deploy_names(text)


@pytest.mark.parametrize(("dsl", "deploy", "version", "message"), [
    (SEED_DSL, [], "2", r"the component list \(cpn_str\) is empty: name the components to deploy"),
    (SEED_DSL, ["dataio_0", "hetero_lr_9", "reader_0"], "2",
     "cpn_str names components the train DSL does not have: 'hetero_lr_9', 'reader_0'"),
    ("{components", ["dataio_0"], "2", "train_dsl is not valid JSON"),
    ("[1, 2]", ["dataio_0"], "2", "train_dsl is not a DSL: a JSON object with its components"),
    ('{"dsl_version": 2}', ["dataio_0"], "2", "train_dsl is not a DSL"),
    ('{"components": {}}', ["dataio_0"], "2", "train_dsl.components must hold at least one component"),
    ('{"components": {"a_0": {"input": {}}}}', ["a_0"], "2", "component a_0 must name its module"),
    ('{"components": {"a_0": {"module": "A", "input": {"data": {"data": ["b_0.data"]}}}}}', ["a_0"], "2",
     "component a_0's input b_0.data refers to missing component b_0"),
    (SEED_DSL, SEED_ALL, "3", "version must be 1 or 2 .*, got '3'"),
])
def test_bad_requests_are_named(dsl: str, deploy: list[str], version: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        generate(dsl, deploy, version)


def test_data_that_cannot_be_traced_names_the_component_to_deploy() -> None:
    dsl = {"components": {
        "a_0": {"module": "A", "output": {"data": ["data"]}},
        "b_0": {"module": "B", "input": {"data": {"data": ["a_0.data"]}}, "output": {"data": ["data"]}},
    }}
    with pytest.raises(BadRequest, match="component b_0's input a_0.data cannot be traced: a_0 is not deployed and "
                                         "has no data input to stand in for its output; deploy a_0 too"):
        generate(dsl, ["b_0"])
