"""What tasks record (metrics, parameters, outputs, models) and what the flow API's queries read back (JobQueries,
ComponentQueries; flow_api/fate_shapes.py turns those into FATE's shapes, tested with the REST layer)."""

from __future__ import annotations

import copy
import types

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.jobs.component_queries import ComponentModel, ComponentParameters, ComponentQueries, MetricSeries
from fate_runtime.jobs.queries import DagNode, InputTableRef, JobConfig, JobQueries
from fate_runtime.state.data_views import DataViews
from fate_runtime.state.model_versions import ModelVersions
from fate_runtime.state.models import ModelBuffer, ModelKey, ModelStore
from fate_runtime.state.tracking import OutputTable, TaskTracker, TrackingQueries
from runtime_examples import FLOW_EXAMPLES, load_json

TOY = "secure_add_example_0"
BOTH = [("guest", "10000"), ("host", "10000")]


@pytest.fixture
def queries(store, db):
    return JobQueries(store, TrackingQueries(db), DataViews(db), store=None,
                      received=None, versions=ModelVersions(db))  # (store and received: only for cleaning up)


@pytest.fixture
def components(queries, db):
    return ComponentQueries(queries, TrackingQueries(db), ModelStore(db), store=None)  # (output tables' contents)


@pytest.fixture
def toy_job(store, toy):
    store.create("20261201000000000001", dsl.parse(*copy.deepcopy(toy)), BOTH)
    return "20261201000000000001"


def _table(namespace: str, name: str, rows: int = 3) -> types.SimpleNamespace:
    return types.SimpleNamespace(namespace=namespace, name=name, partitions=2, count=lambda: rows)


# ---- TaskTracker and TrackingQueries ------------------------------------------------------------------------


def test_metric_points_keep_their_order_and_json_types_and_meta_merges(db):
    tracker = TaskTracker(db, "20261201000000000001", TOY, "guest", "10000")
    tracker.log_metric_data("train", "loss", [(0, 0.75), (1, 0.5)])
    tracker.log_metric_data("train", "loss", [(2, 0.25), ("best", None)])
    tracker.set_metric_meta("train", "loss", {"metric_type": "LOSS", "name": "loss"})
    tracker.set_metric_meta("train", "loss", {"name": "train loss", "unit": "nats"})
    data, meta = TrackingQueries(db).metric("20261201000000000001", TOY, "guest", "10000", "train", "loss")
    assert data == [[0, 0.75], [1, 0.5], [2, 0.25], ["best", None]]
    assert meta == {"metric_type": "LOSS", "name": "train loss", "unit": "nats"}


def test_the_points_of_one_call_are_written_together_or_not_at_all(db):
    tracker = TaskTracker(db, "20261201000000000001", TOY, "guest", "10000")
    with pytest.raises(TypeError):
        tracker.log_metric_data("train", "loss", [(0, 0.75), (1, 0.5), (2, object())])  # the last cannot be stored
    assert TrackingQueries(db).metrics("20261201000000000001", TOY, "guest", "10000") == {}


def test_metrics_are_listed_by_namespace_and_kept_per_task(db):
    TaskTracker(db, "20261201000000000001", TOY, "guest", "10000").log_metric_data("train", "loss", [(0, 1.0)])
    TaskTracker(db, "20261201000000000001", TOY, "guest", "10000").log_metric_data("train", "auc", [(0, 0.5)])
    TaskTracker(db, "20261201000000000001", TOY, "guest", "10000").set_metric_meta("eval", "ks", {"metric_type": "KS"})
    TaskTracker(db, "20261201000000000001", TOY, "host", "10000").log_metric_data("host_only", "x", [(0, 1)])
    TaskTracker(db, "20261201000000000002", TOY, "guest", "10000").log_metric_data("other_job", "x", [(0, 1)])
    tracking = TrackingQueries(db)
    assert tracking.metrics("20261201000000000001", TOY, "guest", 10000) == {"eval": ["ks"], "train": ["auc", "loss"]}
    assert tracking.metrics("20261201000000000001", TOY, "host", "10000") == {"host_only": ["x"]}
    assert tracking.metrics("20261201000000000001", "other_component", "guest", "10000") == {}


def test_parameters_outputs_and_models_read_back_per_task(db):
    tracker = TaskTracker(db, "20261201000000000001", TOY, "guest", "10000")
    tracking = TrackingQueries(db)
    assert tracking.parameters("20261201000000000001", TOY, "guest", "10000") is None
    tracker.save_parameters("SecureAddExample", {"seed": 1})
    tracker.save_parameters("SecureAddExample", {"seed": 2, "need_run": True})
    assert tracking.parameters("20261201000000000001", TOY, "guest", 10000) == ("SecureAddExample", {"seed": 2, "need_run": True})
    tracker.save_output_data("train", _table("output.20261201000000000001", "t_train"))
    tracker.save_output_data("eval", _table("output.20261201000000000001", "t_eval"))
    tracker.save_output_data("train", _table("output.20261201000000000001", "t_train2"))
    assert tracking.output_data("20261201000000000001", TOY, "guest", "10000") == [
        OutputTable("eval", "output.20261201000000000001", "t_eval"),
        OutputTable("train", "output.20261201000000000001", "t_train2")]
    assert tracking.output_data("20261201000000000001", TOY, "guest", "10000", "eval") == [
        OutputTable("eval", "output.20261201000000000001", "t_eval")]
    assert tracking.output_data("20261201000000000001", TOY, "host", "10000") == []
    tracking.forget("20261201000000000001", role="guest")
    assert tracking.output_data("20261201000000000001") == []


def test_the_model_store_keeps_buffers_per_version_party_component_and_alias(db):
    models = ModelStore(db)
    key = ModelKey("guest-9999#host-10000#model", "20261201000000000001", "guest", "9999", "lr_0")
    meta, param = ModelBuffer("LRMeta", "t.Meta", b"\x00meta"), ModelBuffer("LRParam", "t.Param", b"\x01param")
    models.save(key, "model", [param, meta])
    assert models.load(key) == {"model": [meta, param]}
    models.save(key, "model", [param])  # saved again: the alias holds what was saved last
    models.save(key, "other", [meta])
    assert models.load(key) == {"model": [param], "other": [meta]}
    for elsewhere in (ModelKey(key.model_id, "20261201000000000002", "guest", "9999", "lr_0"),
                      ModelKey(key.model_id, key.model_version, "host", "10000", "lr_0"),
                      ModelKey(key.model_id, key.model_version, "guest", "9999", "lr_1")):
        assert models.load(elsewhere) == {}


# ---- JobQueries: the flow API's answers ---------------------------------------------------------------------


def test_metrics_come_back_as_series_per_namespace_and_name(components, db, toy_job):
    tracker = TaskTracker(db, toy_job, TOY, "guest", "10000")
    tracker.log_metric_data("secure_add", "result", [("secure_sum", 2000.0), ("expected", 2000.0)])
    tracker.set_metric_meta("secure_add", "result", {"metric_type": "SECURE_ADD", "name": "result"})
    tracker.log_metric_data("train", "loss", [(0, 0.5)])
    series = MetricSeries("secure_add", "result", [["secure_sum", 2000.0], ["expected", 2000.0]],
                          {"metric_type": "SECURE_ADD", "name": "result"})
    assert list(components.metric_all(toy_job, TOY, "guest", "10000")) == [
        series, MetricSeries("train", "loss", [[0, 0.5]], {})]
    assert components.metrics(toy_job, TOY, "guest", "10000") == {"secure_add": ["result"], "train": ["loss"]}
    assert components.metric(toy_job, TOY, "guest", "10000", "secure_add", "result") == series
    assert list(components.metric_all(toy_job, TOY, "host", "10000")) == []


def test_component_queries_refuse_missing_arguments_jobs_components_and_metrics(components, toy_job):
    with pytest.raises(BadRequest) as caught:
        components.metrics(toy_job, TOY, "guest", "")
    assert str(caught.value) == "the following arguments are required: job_id, component_name, role, party_id"
    with pytest.raises(NotFound) as caught:
        components.metrics("20261201000000000009", TOY, "guest", "10000")
    assert str(caught.value) == "job 20261201000000000009 of guest 10000 does not exist"
    with pytest.raises(NotFound) as caught:
        list(components.metric_all(toy_job, "dataio_0", "guest", "10000"))
    assert str(caught.value) == "job 20261201000000000001 has no component dataio_0"
    with pytest.raises(BadRequest) as caught:
        components.metric(toy_job, TOY, "guest", "10000", "secure_add", "")
    assert str(caught.value) == "the following arguments are required: metric_namespace, metric_name"
    with pytest.raises(NotFound) as caught:
        components.metric(toy_job, TOY, "guest", "10000", "secure_add", "result")
    assert str(caught.value) == "component secure_add_example_0 has no metric secure_add.result"


def test_dag_dependency_of_the_toy_example(queries, toy_job):
    assert queries.dag_dependency(toy_job, "guest", "10000") == [DagNode(TOY, "SecureAddExample", (), True)]


def test_dag_dependency_of_a_v2_job_and_need_run_per_party(queries, store):
    job_dsl = {"components": {
        "secure_add_0": {"module": "SecureAddExample", "input": {"data": {"data": ["reader_0.data"]}}},
        "reader_0": {"module": "Reader", "output": {"data": ["data"]}}}}
    conf = {"dsl_version": 2, "initiator": {"role": "guest", "party_id": 9999},
            "role": {"guest": [9999], "host": [10000]}, "job_parameters": {"common": {"work_mode": 0}},
            "component_parameters": {"role": {"host": {"0": {"secure_add_0": {"need_run": False}}}}}}
    store.create("20261201000000000002", dsl.parse(job_dsl, conf), [("guest", "9999"), ("host", "10000")])
    assert queries.dag_dependency("20261201000000000002", "guest", "9999") == [
        DagNode("reader_0", "Reader", (), True), DagNode("secure_add_0", "SecureAddExample", ("reader_0",), True)]
    assert queries.dag_dependency("20261201000000000002", "host", "10000") == [
        DagNode("reader_0", "Reader", (), True), DagNode("secure_add_0", "SecureAddExample", ("reader_0",), False)]
    with pytest.raises(NotFound) as caught:
        queries.dag_dependency("20261201000000000002", "arbiter", "10000")
    assert str(caught.value) == "job 20261201000000000002 of arbiter 10000 does not exist"


def test_config_gives_dsl_conf_and_model_info(queries, toy_job, toy):
    assert queries.config(toy_job, "host", "10000") == JobConfig(toy[0], toy[1], {}, "guest-10000#host-10000#model",
                                                                 "20261201000000000001")


def test_data_view_names_each_input_table_and_the_partners(queries, store, fate_modules):
    plan = dsl.parse(load_json(FLOW_EXAMPLES / "test_hetero_lr_job_dsl.json"),
                     load_json(FLOW_EXAMPLES / "test_hetero_lr_job_conf.json"), fate_modules)
    store.create("20261201000000000003", plan, plan.parties())
    view = queries.data_view("20261201000000000003", "host", "10000")
    assert (view.job.job_id, view.job.role, view.job.party_id, view.job.status) == (
        "20261201000000000003", "host", "10000", "waiting")
    assert view.roles == {"guest": ["10000"], "host": ["10000"], "arbiter": ["10000"]}
    assert view.inputs == [InputTableRef("host", "10000", "train_data", "fate_flow_test_breast", "breast_a")]


def test_a_party_view_without_a_job_id_is_refused_before_any_lookup(queries, toy_job):
    for ask in (queries.data_view, queries.dag_dependency, queries.config):
        with pytest.raises(BadRequest) as caught:
            ask("", "guest", "10000")
        assert str(caught.value) == "the following arguments are required: job_id"


def test_data_views_of_an_unknown_job_name_it(queries, toy_job):
    assert queries.data_views({"job_id": toy_job}) == []  # the toy example writes no table
    with pytest.raises(NotFound) as caught:
        queries.data_views({"job_id": "20261201000000000009", "role": "guest"})
    assert str(caught.value) == "job 20261201000000000009 does not exist"


def test_parameters_answer_with_the_module_and_its_roles(components, db, toy_job):
    with pytest.raises(NotFound) as caught:
        components.parameters(toy_job, TOY, "host", "10000")
    assert str(caught.value) == "component secure_add_example_0 of host 10000 has not run"
    TaskTracker(db, toy_job, TOY, "host", "10000").save_parameters("SecureAddExample", {"seed": 321})
    assert components.parameters(toy_job, TOY, "host", "10000") == ComponentParameters(
        "SecureAddExample", {"seed": 321}, ("guest", "host"))


def test_output_model_and_tables(components, db, toy_job):
    nothing = ComponentModel("SecureAddExample", "", "guest-10000#host-10000#model", toy_job, [])
    assert components.output_model(toy_job, TOY, "guest", "10000") == nothing
    with pytest.raises(NotFound) as caught:
        components.output_tables(toy_job, TOY, "guest", "10000")
    assert str(caught.value) == "component secure_add_example_0 of guest 10000 has no output data"
    param = ModelBuffer("SecureAddParam", "google.protobuf.Struct", b"")
    ModelStore(db).save(ModelKey("guest-10000#host-10000#model", toy_job, "guest", "10000", TOY), "model", [param])
    TaskTracker(db, toy_job, TOY, "guest", "10000").save_output_data(
        "data", _table("output.20261201000000000001", "secure_add_example_0.guest.10000.data"))
    assert components.output_model(toy_job, TOY, "guest", "10000") == ComponentModel(
        "SecureAddExample", "model", "guest-10000#host-10000#model", toy_job, [param])
    assert components.output_model(toy_job, TOY, "host", "10000") == ComponentModel(
        "SecureAddExample", "", "guest-10000#host-10000#model", toy_job, [])
    assert components.output_tables(toy_job, TOY, "guest", "10000") == [
        ("output.20261201000000000001", "secure_add_example_0.guest.10000.data")]


def test_job_and_task_listings_take_filters_without_the_f_prefix(queries, toy_job):
    assert [(r.role, r.party_id) for r in queries.jobs({"job_id": toy_job, "role": "host"})] == [
        ("host", "10000")]
    assert queries.jobs({"status": "running"}) == []
    assert queries.jobs({"job_id": toy_job, "role": "arbiter"}) == []  # the job exists: no rows, not NotFound
    with pytest.raises(NotFound) as caught:
        queries.jobs({"job_id": "nope"})
    assert str(caught.value) == "job nope does not exist"
    assert [t.role for t in queries.tasks({"job_id": toy_job, "component_name": TOY, "role": "guest"})] == [
        "guest"]
    assert queries.tasks({"job_id": toy_job, "role": "arbiter"}) == []
    with pytest.raises(NotFound) as caught:
        queries.tasks({"job_id": "nope"})
    assert str(caught.value) == "job nope does not exist"


def test_update_notes_needs_the_party_row(queries, store, toy_job):
    with pytest.raises(BadRequest) as caught:
        queries.update_notes(toy_job, "guest", "", "notes")
    assert str(caught.value) == "the following arguments are required: job_id, role, party_id"
    with pytest.raises(NotFound) as caught:
        queries.update_notes(toy_job, "guest", "9999", "notes")
    assert str(caught.value) == "job 20261201000000000001 of guest 9999 does not exist"
    queries.update_notes(toy_job, "guest", "10000", "my notes")
    assert store.jobs({"job_id": toy_job, "role": "guest"})[0].description == "my notes"
