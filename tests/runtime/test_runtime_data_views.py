"""FATE's data views (DataViews on a real SQLite database): every table a job wrote - a component's output as its
task saves it, an upload's table - queried by any of FATE's DataView columns, and forgotten with the outputs."""

from __future__ import annotations

import copy
import types

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest
from fate_runtime.state.data_views import DataViewRecord, DataViews
from fate_runtime.state.db import now_ms
from fate_runtime.state.local_jobs import LocalJobs, TableRecord
from fate_runtime.state.models import ModelBuffer, ModelKey, ModelStore
from fate_runtime.state.tracking import TaskTracker, TrackingQueries

TOY = "secure_add_example_0"
JOB = "20261201000000000001"
OUT = f"output.{JOB}"


def _table(name: str, rows: int = 3, partitions: int = 2) -> types.SimpleNamespace:
    return types.SimpleNamespace(namespace=OUT, name=name, partitions=partitions, count=lambda: rows)


@pytest.fixture
def views(db):
    return DataViews(db)


@pytest.fixture
def toy_job(store, toy):
    """The toy job between guest 9999 and hosts 9999 and 10000; guest and host 9999 saved outputs, host 10000 none."""
    job_dsl, conf = copy.deepcopy(toy)
    conf["initiator"]["party_id"] = 9999
    conf["role"] = {"guest": [9999], "host": [9999, 10000]}
    store.create(JOB, dsl.parse(job_dsl, conf), [("guest", "9999"), ("host", "9999"), ("host", "10000")])
    return JOB


def _names(found: list[DataViewRecord]) -> list[str]:
    return [view.table_name for view in found]


def test_an_output_saved_by_a_task_is_a_data_view_row(db, views, toy_job):
    before = now_ms()
    TaskTracker(db, toy_job, TOY, "guest", "9999", ["data"]).save_output_data("data", _table("g", rows=569,
                                                                                            partitions=4))
    [view] = views.rows({"job_id": toy_job})
    assert view == DataViewRecord(toy_job, "guest", "9999", TOY, f"{toy_job}_{TOY}", OUT, "g", 4, None, 569,
                                  view.create_time, view.create_time, "waiting")
    assert view.create_time >= before
    assert (view.type, view.ttl, view.size, view.description, view.tag, view.table_now_count) == (
        None, 0, 0, "", "", None)  # FATE's defaults


def test_a_task_that_saves_several_outputs_has_a_row_each(db, views, toy_job):
    tracker = TaskTracker(db, toy_job, TOY, "guest", "9999", ["train", "eval"])
    tracker.save_output_data("train", _table("t_train"))
    tracker.save_output_data("eval", _table("t_eval"))
    assert _names(views.rows({"task_id": f"{toy_job}_{TOY}"})) == ["t_train", "t_eval"]
    assert views.tables_of_job(toy_job) == [(OUT, "t_train"), (OUT, "t_eval")]


@pytest.fixture
def written(db, store, toy_job):
    """guest 9999 wrote g, host 9999 wrote h (and saved a model); the job is running on guest 9999."""
    TaskTracker(db, toy_job, TOY, "guest", "9999").save_output_data("data", _table("g", rows=5))
    TaskTracker(db, toy_job, TOY, "host", "9999").save_output_data("data", _table("h", rows=7, partitions=1))
    ModelStore(db).save(ModelKey("guest-9999#host-9999_10000#model", toy_job, "host", "9999", TOY), "model",
                        [ModelBuffer("P", "google.protobuf.Struct", b"")])
    db.execute("UPDATE t_job SET f_status = 'running' WHERE f_role = 'guest'")
    return toy_job


@pytest.mark.parametrize("given, tables", [
    ({"job_id": JOB}, ["g", "h"]),
    ({"role": "host"}, ["h"]),
    ({"party_id": 9999}, ["g", "h"]),
    ({"role": "guest", "party_id": "9999"}, ["g"]),
    ({"status": "running"}, ["g"]),  # the status of the job's row of the party
    ({"status": "waiting", "job_id": JOB}, ["h"]),
    ({"component_name": TOY, "table_name": "h"}, ["h"]),
    ({"table_namespace": OUT, "partition": "1"}, ["h"]),
    ({"table_create_count": 5}, ["g"]),  # FATE 1.2's name for the rows when written
    ({"table_count_actual": "7"}, ["h"]),
    ({"party_model_id": "host#9999#guest-9999#host-9999_10000#model"}, ["h"]),
    ({"model_version": JOB}, ["h"]),
    ({"ttl": 0, "tag": ""}, ["g", "h"]),
    ({"ttl": 1}, []),
    ({"role": "arbiter"}, []),
    ({"job_id": "20261201000000000009"}, []),
])
def test_every_column_filters(views, written, given, tables):
    assert _names(views.rows(given)) == tables


def test_no_filter_finds_nothing_as_in_fate(views, written):
    assert views.rows({}) == [] and views.rows({"job_id": "", "role": None}) == []


@pytest.mark.parametrize("given, refusal", [
    ({"colour": "red"}, "data views cannot be filtered by colour: it is not one of their columns"),
    ({"job_status": "running"}, "data views cannot be filtered by job_status: it is not one of their columns"),
    ({"partition": "four"}, "the filter partition must be an integer, got 'four'"),
])
def test_a_filter_that_is_no_column_or_of_the_wrong_kind_is_refused(views, written, given, refusal):
    with pytest.raises(BadRequest) as refused:
        views.rows(given)
    assert str(refused.value) == refusal


def test_forgetting_outputs_forgets_their_data_views_only(db, views, written):
    uploads = LocalJobs(db, str(db.path) + ".files")
    upload = uploads.start("Upload", {"namespace": OUT, "table_name": "up"})
    uploads.record_table(upload, TableRecord(OUT, "up", 1, 2, 2, {}))
    TrackingQueries(db).forget(written, TOY, "host", "9999")
    assert _names(views.rows({"job_id": written})) == ["g"]
    assert _names(views.rows({"table_namespace": OUT})) == ["g", "up"]
    TrackingQueries(db).forget(written)
    assert _names(views.rows({"table_namespace": OUT})) == ["up"]


def test_an_upload_job_is_a_job_like_any_other(db, store, views, tmp_path):
    """Its plan, task row and parameters are recorded when it starts; its task ends with it."""
    uploads = LocalJobs(db, str(tmp_path / "data"))
    upload = uploads.start("Upload", {"namespace": "ns", "table_name": "t", "head": 1}, notes="first")
    plan = store.plan(upload.job_id)
    assert (list(plan.components), plan.components["upload_0"].module, plan.roles) == (
        ["upload_0"], "Upload", {"local": ["0"]})
    assert plan.model_id() == "local-0#model" and plan.runs_on("upload_0", "local", "0")
    [task] = store.tasks({"job_id": upload.job_id})
    assert (task.component_name, task.task_id, task.role, task.party_id, task.status) == (
        "upload_0", f"{upload.job_id}_upload_0", "local", "0", "running")
    assert TrackingQueries(db).parameters(upload.job_id, "upload_0", "local", "0") == (
        "Upload", {"namespace": "ns", "table_name": "t", "head": 1})
    uploads.record_table(upload, TableRecord("ns", "t", 2, 10, 15, {"sid": "id"}))
    uploads.finish(upload)
    [task] = store.tasks({"job_id": upload.job_id})
    assert (task.status, task.end_time is not None, task.elapsed is not None) == ("success", True, True)
    [view] = views.rows({"job_id": upload.job_id})
    assert (view.component_name, view.task_id, view.table_count_upload, view.table_count_actual, view.job_status) == (
        "upload_0", f"{upload.job_id}_upload_0", 10, 15, "success")
    failed = uploads.start("Download", {"namespace": "ns", "table_name": "t"})
    uploads.finish(failed, "the disk is full")
    assert [(t.component_name, t.status, t.retmsg) for t in store.tasks({"job_id": failed.job_id})] == [
        ("download_0", "failed", "the disk is full")]
