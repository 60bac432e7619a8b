"""DataIO replays its trained model: in predict jobs, and when a training job gives it a DataIO model as input."""

from __future__ import annotations

import numpy as np
import pytest

from component_harness import PartySetup, PartyStores, Run, run_component
from fate_runtime.components import dataio
from fate_runtime.components.context import Buffers
from protos import dataio_model_pb2 as pb
from uploaded_tables import stored

GUEST = ("guest", "9999")
TRAIN = {"a": "1,1,10", "b": "0,,20", "c": "1,5,-999"}  # y,x0,x1: x0 missing in b, x1 an outlier in c


def train(stores: PartyStores, **params) -> Buffers:
    table = stored(stores[GUEST], TRAIN, "y,x0,x1")
    run = run_component(dataio.SPEC, stores, {GUEST: PartySetup({"with_label": True, **params}, {"data": [table]})},
                        component="dataio_0")
    return run.results[GUEST].models.saved["model"]


def replay(stores: PartyStores, model: Buffers, rows: dict[str, str], header: str, job_type: str = "predict",
           **params) -> Run:
    table = stored(stores[GUEST], rows, header)
    return run_component(dataio.SPEC, stores, {GUEST: PartySetup(params, {"data": [table]},
                                                                 {"model": {"dataio_0": model}})},
                         component=f"dataio_{len(rows)}_{sorted(rows)[0]}", job_type=job_type)


def instances(run: Run) -> dict[str, tuple[list[float], float | None]]:
    return {key: (inst.features.tolist(), inst.label) for key, inst in run.outputs(GUEST).collect()}


def test_an_eval_table_is_read_in_the_trained_column_order_with_the_trained_fill_values(tmp_path):
    stores = PartyStores(tmp_path)
    model = train(stores, missing_fill_method="mean", outlier_impute=[-999], outlier_replace_method="max")
    # another column order, an extra column, the eval table's own statistics differ from training's
    run = replay(stores, model, {"p": "100,,0,1", "q": "-999,7,1,0"}, "x1,x0,y,extra")
    assert instances(run) == {"p": ([3.0, 100.0], 0.0), "q": ([7.0, 20.0], 1.0)}
    assert run.outputs(GUEST).schema == {"header": ["x0", "x1"], "sid_name": "id", "label_name": "y"}
    assert run.results[GUEST].models.saved == {}  # a predict job keeps the trained model


def test_an_eval_table_without_the_label_column_gives_unlabelled_instances(tmp_path):
    stores = PartyStores(tmp_path)
    run = replay(stores, train(stores), {"p": "2,3"}, "x0,x1")
    assert instances(run) == {"p": ([2.0, 3.0], None)}


def test_an_eval_table_missing_a_trained_column_is_refused_naming_it(tmp_path):
    stores = PartyStores(tmp_path)
    with pytest.raises(ValueError, match=r"has no column x1, which DataIO's model was trained with$"):
        replay(stores, train(stores), {"p": "1,2"}, "y,x0")


def test_the_model_settings_win_over_the_parameters_when_replaying(tmp_path):
    stores = PartyStores(tmp_path)
    model = train(stores)
    run = replay(stores, model, {"p": "1,2,3"}, "y,x0,x1", with_label=False, missing_fill_method="max")
    assert instances(run) == {"p": ([2.0, 3.0], 1.0)}  # the label read as trained
    with pytest.raises(ValueError, match="^the row of id q has 1 values where the header has 3 columns$"):
        replay(stores, model, {"q": "1;2;3"}, "y,x0,x1", delimitor=";")


def test_a_training_job_with_a_dataio_model_as_input_replays_it_and_saves_it_again(tmp_path):
    stores = PartyStores(tmp_path)
    model = train(stores)
    run = replay(stores, model, {"v": "0,,4"}, "y,x0,x1", job_type="train")
    assert instances(run) == {"v": ([0.0, 4.0], 0.0)}
    assert run.results[GUEST].models.saved["model"] == model


def test_a_predict_job_without_a_trained_model_is_refused(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], TRAIN, "y,x0,x1")
    with pytest.raises(ValueError, match="^dataio_0 has no trained DataIO model to read the eval data with$"):
        run_component(dataio.SPEC, stores, {GUEST: PartySetup({}, {"data": [table]})}, component="dataio_0",
                      job_type="predict")


def test_replayed_rows_are_checked_and_named(tmp_path):
    stores = PartyStores(tmp_path)
    with pytest.raises(ValueError, match="^column x0 of id bad holds text, not a number$"):
        replay(stores, train(stores), {"ok": "1,2,3", "bad": "1,two,3"}, "y,x0,x1")


def test_features_stay_float64(tmp_path):
    stores = PartyStores(tmp_path)
    run = replay(stores, train(stores, data_type="int"), {"p": "1,2,3"}, "y,x0,x1")
    assert next(iter(run.outputs(GUEST).collect()))[1].features.dtype == np.float64


def test_a_model_without_a_columns_replacement_value_is_refused_naming_the_column(tmp_path):
    stores = PartyStores(tmp_path)
    model = train(stores)
    param = pb.DataIOParam.FromString(model["DataIOParam"])
    del param.imputer_param.missing_replace_value["x1"]
    with pytest.raises(ValueError, match="^DataIO's model has no replacement value for column x1$"):
        replay(stores, {**model, "DataIOParam": param.SerializeToString()}, {"p": "1,2,3"}, "y,x0,x1")
