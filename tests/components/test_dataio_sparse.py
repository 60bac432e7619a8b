"""DataIO's sparse (svm-light) and tag formats, densified over the header training learns."""

from __future__ import annotations

import pytest

from component_harness import PartySetup, PartyStores, Run, run_component
from fate_runtime.components import dataio
from fate_runtime.components.context import Buffers
from protos import dataio_model_pb2 as pb
from uploaded_tables import stored

HOST = ("host", "10000")


def run_on(stores: PartyStores, rows: dict[str, str], model: Buffers | None = None, job_type: str = "train",
           component: str = "dataio_0", **params) -> Run:
    table = stored(stores[HOST], rows)
    setup = PartySetup(params, {"data": [table]}, {"model": {"dataio_0": model}} if model else {})
    return run_component(dataio.SPEC, stores, {HOST: setup}, component=component, job_type=job_type)


def instances(run: Run) -> dict[str, tuple[list[float], float | None]]:
    return {key: (inst.features.tolist(), inst.label) for key, inst in run.outputs(HOST).collect()}


def test_svmlight_rows_become_dense_over_indices_up_to_the_largest(tmp_path):
    run = run_on(PartyStores(tmp_path), {"a": "1 0:0.5 3:2", "b": "0 1:-1", "c": "1"}, input_format="sparse",
                 delimitor=" ")
    assert instances(run) == {"a": ([0.5, 0.0, 0.0, 2.0], 1.0), "b": ([0.0, -1.0, 0.0, 0.0], 0.0),
                              "c": ([0.0, 0.0, 0.0, 0.0], 1.0)}
    assert run.outputs(HOST).schema == {"header": ["0", "1", "2", "3"], "sid_name": "sid"}
    meta = pb.DataIOMeta.FromString(run.results[HOST].models.saved["model"]["DataIOMeta"])
    assert meta.input_format == "sparse" and not meta.imputer_meta.is_imputer and not meta.outlier_meta.is_outlier


@pytest.mark.parametrize("row, message", [
    ("1 2:x", "feature 2 of id b holds text, not a number"),
    ("1 x:1", "cell 2 of id b is not an index:value pair"),
    ("1 -1:1", "cell 2 of id b is not an index:value pair"),
    ("", "the row of id b is empty: the sparse format starts with a label"),
    ("one 1:1", "the label of id b is missing or not a number")])
def test_svmlight_errors_name_the_id_and_cell(tmp_path, row, message):
    with pytest.raises(ValueError) as raised:
        run_on(PartyStores(tmp_path), {"a": "1 0:1", "b": row}, input_format="sparse", delimitor=" ")
    assert str(raised.value) == message


def test_svmlight_replay_keeps_the_trained_width_and_refuses_larger_indices(tmp_path):
    stores = PartyStores(tmp_path)
    model = run_on(stores, {"a": "1 0:1 2:1"}, input_format="sparse", delimitor=" ").results[HOST].models.saved[
        "model"]
    assert instances(run_on(stores, {"p": "0 1:4"}, model, "predict", "p")) == {"p": ([0.0, 4.0, 0.0], 0.0)}
    with pytest.raises(ValueError, match="^feature index 3 of id q is beyond the 3 features the model was trained"):
        run_on(stores, {"q": "0 3:4"}, model, "predict", "q")


def test_a_sparse_table_without_any_feature_is_refused(tmp_path):
    with pytest.raises(ValueError, match="has no feature in any row$"):
        run_on(PartyStores(tmp_path), {"a": "1", "b": "0"}, input_format="sparse", delimitor=" ")


def test_tags_become_one_hot_columns_in_sorted_order(tmp_path):
    run = run_on(PartyStores(tmp_path), {"a": "c,a", "b": "b,a,d"}, input_format="tag")
    assert instances(run) == {"a": ([1.0, 0.0, 1.0, 0.0], None), "b": ([1.0, 1.0, 0.0, 1.0], None)}
    assert run.outputs(HOST).schema["header"] == ["a", "b", "c", "d"]


def test_tags_with_values_and_a_label(tmp_path):
    run = run_on(PartyStores(tmp_path), {"a": "1 x:0.2 z:1.5", "b": "0 x:0.3 y:0.6"}, input_format="tag",
                 delimitor=" ", tag_with_value=True, with_label=True)
    assert instances(run) == {"a": ([0.2, 0.0, 1.5], 1.0), "b": ([0.3, 0.6, 0.0], 0.0)}
    assert run.outputs(HOST).schema == {"header": ["x", "y", "z"], "sid_name": "sid", "label_name": "label"}


def test_tag_values_must_be_numbers_and_pairs(tmp_path):
    stores = PartyStores(tmp_path)
    with pytest.raises(ValueError, match="^tag y of id b holds text, not a number$"):
        run_on(stores, {"a": "x:1", "b": "y:z"}, input_format="tag", tag_with_value=True, component="one")
    with pytest.raises(ValueError, match="^a tag of id b is not tag:value$"):
        run_on(stores, {"a": "x:1", "b": "y"}, input_format="tag", tag_with_value=True, component="two")


def test_tag_replay_leaves_out_tags_training_never_saw(tmp_path):
    stores = PartyStores(tmp_path)
    model = run_on(stores, {"a": "b,a"}, input_format="tag").results[HOST].models.saved["model"]
    assert instances(run_on(stores, {"p": "a,zz"}, model, "predict", "p")) == {"p": ([1.0, 0.0], None)}
