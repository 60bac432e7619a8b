"""DataIO's dense format: labels, features, errors naming ids and columns, and the model it saves."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from component_harness import PartySetup, PartyStores, Run, run_component
from fate_runtime.components import BUILTIN, dataio
from fate_runtime.components.dataio.cells import scan
from fate_runtime.components.dataio.dense import fit
from fate_runtime.components.dataio.settings import from_params
from fate_runtime.components.instances import Instance
from fate_runtime.components.params import ParameterError
from protos import dataio_model_pb2 as pb
from storage import Store, Table
from storage import executor
from uploaded_tables import DATA, stored, uploaded

GUEST = ("guest", "9999")


def dataio_run(tmp_path: Path, table: Table | None = None, stores: PartyStores | None = None, **params) -> Run:
    stores = stores or PartyStores(tmp_path)
    source = table if table is not None else uploaded(stores[GUEST], DATA / "breast_b.csv")
    return run_component(dataio.SPEC, stores, {GUEST: PartySetup(params, {"data": [source]})})


def rows_of(table: Table) -> dict[str, Instance]:
    return dict(table.collect())


def breast_b() -> dict[str, list[str]]:
    with open(DATA / "breast_b.csv") as src:
        return {row[0]: row[1:] for row in csv.reader(src) if row[0] != "id"}


def test_breast_b_with_label_is_ten_features_and_the_label_y(tmp_path):
    run = dataio_run(tmp_path, with_label=True)
    output = run.outputs(GUEST)
    assert output.schema == {"header": [f"x{i}" for i in range(10)], "sid_name": "id", "label_name": "y"}
    expected = breast_b()
    instances = rows_of(output)
    assert len(instances) == 569 and set(instances) == set(expected)
    for key, instance in instances.items():
        assert instance.features.dtype == np.float64
        assert np.array_equal(instance.features, np.array(expected[key][1:], dtype=float))
        assert instance.label == float(expected[key][0]) and instance.label in (0.0, 1.0)


def test_without_label_every_column_is_a_feature(tmp_path):
    output = dataio_run(tmp_path).outputs(GUEST)
    assert output.schema["header"] == ["y", *(f"x{i}" for i in range(10))] and "label_name" not in output.schema
    assert all(instance.label is None and len(instance.features) == 11 for instance in rows_of(output).values())


def test_the_model_holds_the_settings_and_header_as_fate_names_them(tmp_path):
    saved = dataio_run(tmp_path, with_label=True).results[GUEST].models.saved["model"]
    meta, param = pb.DataIOMeta.FromString(saved["DataIOMeta"]), pb.DataIOParam.FromString(saved["DataIOParam"])
    assert (meta.input_format, meta.delimitor, meta.data_type, meta.with_label, meta.label_type) == (
        "dense", ",", "float64", True, "int")
    assert list(param.header) == [f"x{i}" for i in range(10)] and (param.sid_name, param.label_name) == ("id", "y")
    assert meta.imputer_meta.is_imputer and meta.outlier_meta.is_outlier
    assert dict(param.imputer_param.missing_value_ratio) == {f"x{i}": 0.0 for i in range(10)}


def test_a_float_label_type_keeps_fractions_an_int_one_refuses_them(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"a": "0.5,1", "b": "2,3"}, "y,x0")
    labels = {key: inst.label for key, inst in rows_of(
        dataio_run(tmp_path, table, stores, with_label=True, label_type="float").outputs(GUEST)).items()}
    assert labels == {"a": 0.5, "b": 2.0}
    with pytest.raises(ValueError, match=r"^the label of id a is not an integer \(label_type int\)$"):
        dataio_run(tmp_path, table, stores, with_label=True)


def test_a_label_column_not_in_the_header_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"^the label column target is not in the header of table uploaded\."):
        dataio_run(tmp_path, with_label=True, label_name="target")


@pytest.mark.parametrize("label", ["", "yes", "NA"])
def test_a_missing_or_text_label_names_its_id(tmp_path, label):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"a": "1,0.5", "b": f"{label},0.25"}, "y,x0")
    with pytest.raises(ValueError, match=r"^the label of id b is missing or not a number$"):
        dataio_run(tmp_path, table, stores, with_label=True)


def test_text_in_a_feature_column_names_the_column_and_id_not_the_value(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"7": "1,0.5,secret", "8": "0,1,2"}, "y,x0,x1")
    with pytest.raises(ValueError) as raised:
        dataio_run(tmp_path, table, stores, with_label=True)
    assert str(raised.value) == "column x1 of id 7 holds text, not a number"


def test_a_row_with_another_number_of_values_names_its_id(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"a": "1,0.5,2", "b": "0,1"}, "y,x0,x1")
    with pytest.raises(ValueError, match=r"^the row of id b has 2 values where the header has 3 columns$"):
        dataio_run(tmp_path, table, stores, with_label=True)


def test_a_table_without_header_is_refused(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"a": "1,2"})
    with pytest.raises(ValueError, match="has no header: DataIO's dense format needs its column names"):
        dataio_run(tmp_path, table, stores)


def test_integer_data_types_refuse_fractions_per_column(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {"a": "1,0.5", "b": "2,3"}, "x0,x1")
    with pytest.raises(ValueError, match=r"^column x1 of id a holds a fraction where its data type wants an int"):
        dataio_run(tmp_path, table, stores, data_type="int")
    output = dataio_run(tmp_path, table, stores, exclusive_data_type={"x0": "int"}).outputs(GUEST)
    assert rows_of(output)["a"].features.tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="exclusive_data_type names column x7, which table"):
        dataio_run(tmp_path, table, stores, exclusive_data_type={"x7": "int"})


@pytest.mark.parametrize("params, path", [
    ({"input_format": "csv"}, "input_format"), ({"data_type": "str"}, "data_type"),
    ({"label_type": "bool"}, "label_type"), ({"missing_fill_method": "median"}, "missing_fill_method"),
    ({"default_value": "abc"}, "default_value"), ({"outlier_replace_value": [1, "x"]}, "outlier_replace_value"),
    ({"exclusive_data_type": {"x1": "str"}}, "exclusive_data_type.x1"), ({"with_label": "yes"}, "with_label"),
    ({"output_format": "tag"}, "output_format")])
def test_unknown_parameter_values_are_refused_naming_their_path(params, path):
    with pytest.raises(ParameterError) as raised:
        dataio.SPEC.parameters(params)
    assert raised.value.path == path


def test_fate_defaults_and_case_insensitive_choices():
    params, unknown = dataio.SPEC.parameters({"input_format": "Dense", "missing_fill_method": "MEAN"})
    assert (params["input_format"], params["missing_fill_method"], params["delimitor"], params["data_type"],
            params["label_name"], params["label_type"], params["with_label"]) == (
        "dense", "mean", ",", "float64", "y", "int", False)
    assert params["missing_fill"] and params["outlier_replace"] and params["default_value"] == 0 and not unknown


def test_a_delimitor_may_not_be_empty(tmp_path):
    with pytest.raises(ValueError, match="delimitor must not be empty"):
        dataio_run(tmp_path, delimitor="")


def test_an_empty_table_gives_an_empty_output(tmp_path):
    stores = PartyStores(tmp_path)
    table = stored(stores[GUEST], {}, "y,x0")
    output = dataio_run(tmp_path, table, stores, with_label=True).outputs(GUEST)
    assert output.count() == 0 and output.schema["header"] == ["x0"]


def test_a_bad_row_is_named_also_when_storage_workers_read_it(tmp_path):
    store = Store(str(tmp_path / "workers"), workers=2, inline_rows=0)
    try:
        table = stored(store, {str(i): f"{i},0.5" for i in range(40)} | {"17": "1,x"}, "y,x0", partitions=4)
        settings = from_params(dataio.SPEC.parameters({"with_label": True})[0])
        with pytest.raises(ValueError, match=r"^column x0 of id 17 holds text, not a number$"):
            fit(table, settings)
        good = stored(store, {str(i): f"{i},0.5" for i in range(40)}, "y,x0", partitions=4)
        _, layout = fit(good, settings)
        assert scan(good, layout.read, len, lambda a, b: a + b) == 40
    finally:
        executor.shutdown()


def test_a_built_in_module_of_guests_and_hosts_that_runs_in_predict_jobs():
    assert BUILTIN["DataIO"] is dataio.SPEC and dataio.SPEC.roles == ("guest", "host") and dataio.SPEC.deploy
