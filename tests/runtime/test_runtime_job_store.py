"""The node's job and task rows (JobStore on a real SQLite database): creation, statuses, queries, notes."""

from __future__ import annotations

import copy
import errno
import json
import os
import sqlite3

import pytest

from fate_runtime import dsl
from fate_runtime.state import job_store as jobs
from fate_runtime.errors import BadRequest, Conflict

TOY = "secure_add_example_0"
BOTH = [("guest", "10000"), ("host", "10000")]


@pytest.fixture
def plan(toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf["job_parameters"].update(job_name="toy", description="secure add")
    return dsl.parse(job_dsl, conf)


def _one(rows):
    assert len(rows) == 1, rows
    return rows[0]


def test_task_ids_are_job_and_component():
    assert jobs.task_id("2020010100000000000", TOY) == "2020010100000000000_secure_add_example_0"


def test_create_writes_the_job_files_and_the_plan_reads_back(store, plan, tmp_path):
    store.create("20261201000000000001", plan, BOTH)
    files = store.files("20261201000000000001")
    assert files == {"job_dsl_path": str(tmp_path / "data" / "jobs" / "20261201000000000001" / "job_dsl.json"),
                     "job_runtime_conf_path": str(tmp_path / "data" / "jobs" / "20261201000000000001" / "job_runtime_conf.json"),
                     "logs_directory": str(tmp_path / "data" / "logs" / "20261201000000000001")}
    assert os.path.isdir(files["logs_directory"])
    with open(files["job_dsl_path"]) as dsl_file, open(files["job_runtime_conf_path"]) as conf_file:
        assert (json.load(dsl_file), json.load(conf_file)) == (plan.dsl, plan.conf)
    again = store.plan("20261201000000000001")
    assert (again.components, again.roles, again.job_parameters) == (plan.components, plan.roles, plan.job_parameters)


def test_create_adds_a_waiting_job_row_and_task_rows_per_local_party(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    rows = {row.role: row for row in store.jobs({"job_id": "20261201000000000001"})}
    assert set(rows) == {"guest", "host"}
    guest = rows["guest"]
    assert (guest.party_id, guest.status, guest.progress, guest.is_initiator) == (
        "10000", "waiting", 0, 1)
    assert rows["host"].is_initiator == 0
    assert guest.roles == {"guest": [10000], "host": [10000]}  # as the conf gives them, like FATE
    assert (guest.dsl, guest.runtime_conf) == (plan.dsl, plan.conf)
    assert (guest.work_mode, guest.initiator_party_id, guest.name, guest.description) == (
        0, "10000", "toy", "secure add")
    assert (guest.current_steps, guest.current_tasks, guest.start_time, guest.end_time) == (
        [], [], None, None)
    tasks = store.tasks({"job_id": "20261201000000000001"})
    assert sorted((t.role, t.party_id, t.task_id, t.status) for t in tasks) == [
        ("guest", "10000", "20261201000000000001_secure_add_example_0", "waiting"),
        ("host", "10000", "20261201000000000001_secure_add_example_0", "waiting")]


def test_only_the_local_parties_and_the_components_they_run_get_rows(store, toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role_parameters"]["host"][TOY]["need_run"] = [False]
    plan = dsl.parse(job_dsl, conf)
    store.create("20261201000000000001", plan, [("host", "10000")])
    assert [(r.role, r.is_initiator) for r in store.jobs({"job_id": "20261201000000000001"})] == [("host", 0)]
    assert store.tasks({"job_id": "20261201000000000001"}) == []


def test_job_status_running_then_ended_stamps_start_end_and_elapsed(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    store.set_job_status("20261201000000000001", jobs.RUNNING, progress=0, current_steps=[TOY])
    for row in store.jobs({"job_id": "20261201000000000001"}):
        assert (row.status, row.current_steps, row.current_tasks) == (
            "running", [TOY], ["20261201000000000001_secure_add_example_0"])
        assert row.start_time is not None and row.end_time is None
    started = _one(store.jobs({"job_id": "20261201000000000001", "role": "guest"})).start_time
    store.set_job_status("20261201000000000001", jobs.RUNNING, progress=50)
    guest = _one(store.jobs({"job_id": "20261201000000000001", "role": "guest"}))
    assert (guest.start_time, guest.progress, guest.current_steps) == (started, 50, [TOY])
    store.set_job_status("20261201000000000001", jobs.SUCCESS, progress=100, current_steps=[], retmsg="done")
    for row in store.jobs({"job_id": "20261201000000000001"}):
        assert (row.status, row.progress, row.current_tasks, row.retmsg) == (
            "success", 100, [], "done")
        assert row.start_time == started
        assert row.elapsed == row.end_time - row.start_time


def test_a_job_ended_before_it_ran_counts_elapsed_from_its_creation(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    store.set_job_status("20261201000000000001", jobs.CANCELED, retmsg="canceled by the user")
    row = _one(store.jobs({"job_id": "20261201000000000001", "role": "host"}))
    assert (row.status, row.retmsg, row.start_time) == ("canceled", "canceled by the user", None)
    assert row.elapsed == row.end_time - row.create_time


def test_task_status_changes_only_the_party_named(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    store.set_task_status("20261201000000000001", TOY, "host", "10000", jobs.RUNNING)
    store.set_task_process("20261201000000000001", TOY, "host", "10000", 4242, "boot/1234", "10.0.0.7")
    host = _one(store.tasks({"job_id": "20261201000000000001", "role": "host"}))
    assert (host.status, host.run_pid, host.run_ip, host.end_time) == (
        "running", 4242, "10.0.0.7", None)
    assert host.start_time is not None
    assert _one(store.tasks({"job_id": "20261201000000000001", "role": "guest"})).status == "waiting"
    store.set_task_status("20261201000000000001", TOY, "host", "10000", jobs.FAILED, retmsg="the host's component raised")
    host_after = _one(store.tasks({"job_id": "20261201000000000001", "role": "host"}))
    assert (host_after.status, host_after.retmsg, host_after.run_pid) == (
        "failed", "the host's component raised", 4242)
    assert host_after.start_time == host.start_time
    assert host_after.elapsed == host_after.end_time - host_after.start_time


def test_job_queries_filter_order_and_limit(store, db, plan):
    for job_id in ("20261201000000000001", "20261201000000000002", "20261201000000000003"):
        store.create(job_id, plan, BOTH)
    for created, job_id in enumerate(("20261201000000000001", "20261201000000000002", "20261201000000000003")):
        db.execute("UPDATE t_job SET f_create_time = ? WHERE f_job_id = ?", (1000 + created, job_id))
    store.set_job_status("20261201000000000002", jobs.RUNNING)
    assert [(r.job_id, r.role) for r in store.jobs({})] == [
        ("20261201000000000003", "guest"), ("20261201000000000003", "host"), ("20261201000000000002", "guest"), ("20261201000000000002", "host"), ("20261201000000000001", "guest"), ("20261201000000000001", "host")]
    assert [(r.job_id, r.role) for r in store.jobs({}, limit=3)] == [
        ("20261201000000000003", "guest"), ("20261201000000000003", "host"), ("20261201000000000002", "guest")]
    assert [r.job_id for r in store.jobs({"status": "running"})] == ["20261201000000000002", "20261201000000000002"]
    assert [(r.job_id, r.role) for r in store.jobs({"is_initiator": True, "job_id": "20261201000000000001"})] == [
        ("20261201000000000001", "guest")]
    assert [r.role for r in store.jobs({"party_id": 10000, "role": "host", "name": "toy"})] == [
        "host", "host", "host"]
    assert store.jobs({"job_id": "nope"}) == []


def test_empty_filters_are_no_filters(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    assert len(store.jobs({"job_id": "20261201000000000001", "role": "", "status": None})) == 2
    assert len(store.tasks({"job_id": "20261201000000000001", "party_id": ""})) == 2


@pytest.mark.parametrize("query, key", [("jobs", "f_job_id"), ("jobs", "1=1 OR f_job_id"), ("jobs", "operator"),
                                        ("jobs", "component_name"), ("tasks", "run_pid_start"), ("tasks", "dsl"),
                                        ("tasks", "limit")])
def test_a_filter_that_is_no_column_is_refused_naming_it(store, plan, query, key):
    store.create("20261201000000000001", plan, BOTH)
    with pytest.raises(BadRequest) as refused:
        getattr(store, query)({"job_id": "20261201000000000001", key: "x"})
    assert str(refused.value) == f"{query} cannot be filtered by {key}: it is not one of their columns"


def test_a_number_column_refuses_text(store, plan):
    with pytest.raises(BadRequest) as refused:
        store.jobs({"progress": "most"})
    assert str(refused.value) == "the filter progress must be an integer, got 'most'"
    with pytest.raises(BadRequest):
        store.tasks({"run_pid": "1; DROP TABLE t_task"})


def test_every_job_column_filters(store, db, plan):
    """As FATE's query_job: each given column must equal its value - numbers, times, JSON columns (roles, DSL,
    conf, steps) by the value they hold, whatever the spelling of the JSON text."""
    for job_id in ("20261201000000000001", "20261201000000000002"):
        store.create(job_id, plan, BOTH)
    store.set_job_status("20261201000000000002", jobs.RUNNING, progress=50, current_steps=[TOY])
    db.execute("UPDATE t_job SET f_create_time = 1234, f_tag = 'night' WHERE f_job_id = '20261201000000000002'")
    second = ["20261201000000000002"] * 2
    for given in ({"progress": 50}, {"progress": "50"}, {"create_time": "1234"}, {"tag": "night"},
                  {"current_steps": [TOY]}, {"current_steps": json.dumps([TOY], indent=2)},
                  {"current_tasks": [f"20261201000000000002_{TOY}"]}, {"status": "running", "work_mode": 0}):
        assert [row.job_id for row in store.jobs(given)] == second, given
    both = {"roles": {"guest": [10000], "host": [10000]}, "dsl": plan.dsl, "runtime_conf": json.dumps(plan.conf)}
    for name, value in both.items():
        assert len(store.jobs({name: value})) == 4, name
    for given in ({"progress": 49}, {"roles": {"guest": [10000]}}, {"dsl": "x"}, {"start_time": 1},
                  {"update_time": 1234}, {"elapsed": 0}, {"retmsg": "?"}):
        assert store.jobs(given) == [], given
    assert [row.role for row in store.jobs({"roles": both["roles"], "role": "host"}, limit=1)] == ["host"]


def test_every_task_column_filters(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    store.set_task_process("20261201000000000001", TOY, "host", "10000", 4242, "boot/1", "10.0.0.7")
    store.set_task_status("20261201000000000001", TOY, "host", "10000", jobs.FAILED, "it broke")
    for given in ({"run_pid": 4242}, {"run_ip": "10.0.0.7"}, {"status": "failed"}, {"retmsg": "it broke"}):
        assert [task.role for task in store.tasks(given)] == ["host"], given
    ended = store.tasks({"role": "host"})[0]
    assert [task.role for task in store.tasks({"end_time": ended.end_time, "elapsed": str(ended.elapsed)})] == [
        "host"]
    assert store.tasks({"start_time": 1}) == []


def test_task_queries_filter_by_component_role_and_task_id(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    store.create("20261201000000000002", plan, BOTH)
    assert [(t.job_id, t.role) for t in store.tasks({"task_id": "20261201000000000002_secure_add_example_0",
                                                     "role": "guest"})] == [("20261201000000000002", "guest")]
    assert len(store.tasks({"component_name": TOY})) == 4
    assert store.tasks({"component_name": "other"}) == []


def test_unfinished_lists_hold_waiting_and_running_rows_only(store, plan):
    for job_id in ("20261201000000000001", "20261201000000000002", "20261201000000000003"):
        store.create(job_id, plan, BOTH)
    store.set_job_status("20261201000000000001", jobs.RUNNING)
    store.set_job_status("20261201000000000002", jobs.FAILED)
    store.set_task_status("20261201000000000001", TOY, "guest", "10000", jobs.RUNNING)
    store.set_task_status("20261201000000000001", TOY, "host", "10000", jobs.SUCCESS)
    store.set_task_status("20261201000000000002", TOY, "guest", "10000", jobs.TIMEOUT)
    store.set_task_status("20261201000000000002", TOY, "host", "10000", jobs.CANCELED)
    assert sorted((r.job_id, r.role, r.status) for r in store.unfinished_jobs()) == [
        ("20261201000000000001", "guest", "running"), ("20261201000000000001", "host", "running"), ("20261201000000000003", "guest", "waiting"), ("20261201000000000003", "host", "waiting")]
    assert sorted((r.job_id, r.role, r.status) for r in store.unfinished_tasks()) == [
        ("20261201000000000001", "guest", "running"), ("20261201000000000003", "guest", "waiting"), ("20261201000000000003", "host", "waiting")]


def test_statuses_and_which_ones_end_a_job():
    assert jobs.STATUSES == ("waiting", "running", "success", "failed", "canceled", "timeout")
    assert jobs.ENDED == {"success", "failed", "canceled", "timeout"}


def test_update_notes_changes_the_description_of_one_party_row(store, plan):
    store.create("20261201000000000001", plan, BOTH)
    assert store.update_notes("20261201000000000001", "host", "10000", "new notes") == 1
    assert {r.role: r.description for r in store.jobs({"job_id": "20261201000000000001"})} == {
        "guest": "secure add", "host": "new notes"}
    assert store.update_notes("20261201000000000001", "arbiter", "10000", "x") == 0
    assert store.update_notes("nope", "host", "10000", "x") == 0


def test_a_job_id_is_created_once_and_never_replaced(store, plan, tmp_path):
    store.create("20261201000000000001", plan, BOTH)
    conf_file = tmp_path / "data" / "jobs" / "20261201000000000001" / "job_runtime_conf.json"
    before = conf_file.read_text()
    other = dsl.parse(plan.dsl, {**plan.conf, "job_parameters": {"work_mode": 0, "job_name": "rogue"}})
    with pytest.raises(Conflict, match="job 20261201000000000001 exists already on this node"):
        store.create("20261201000000000001", other, BOTH)
    assert conf_file.read_text() == before
    assert [row.name for row in store.jobs({"job_id": "20261201000000000001"})] == ["toy", "toy"]
    assert store.has_plan("20261201000000000001", plan) and not store.has_plan("20261201000000000001", other)


def test_a_job_that_cannot_be_written_leaves_nothing_behind(store, plan, tmp_path, monkeypatch):
    """A full disk while the job's files are written: no job folder, no log folder, no rows."""
    real_dump = json.dump

    def full_disk(content, out, **kwargs):
        if "role" in content:  # the conf, written second
            raise OSError(errno.ENOSPC, "No space left on device", out.name)
        return real_dump(content, out, **kwargs)

    monkeypatch.setattr(jobs.json, "dump", full_disk)
    with pytest.raises(OSError):
        store.create("20261201000000000002", plan, BOTH)
    assert not (tmp_path / "data" / "jobs" / "20261201000000000002").exists()
    assert not (tmp_path / "data" / "logs" / "20261201000000000002").exists()
    assert store.jobs({"job_id": "20261201000000000002"}) == []
    monkeypatch.undo()
    store.create("20261201000000000002", plan, BOTH)  # and once there is room again, it can be made
    assert len(store.jobs({"job_id": "20261201000000000002"})) == 2


def test_rows_are_all_or_nothing(store, plan, monkeypatch):
    """A failure between the rows leaves none (the rows go in one transaction)."""
    real = store._insert_rows

    def and_then_fail(conn, *args):
        real(conn, *args)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "_insert_rows", and_then_fail)
    with pytest.raises(sqlite3.OperationalError):
        store.create("20261201000000000003", plan, BOTH)
    assert store.jobs({"job_id": "20261201000000000003"}) == []
    assert store.tasks({"job_id": "20261201000000000003"}) == []


@pytest.mark.parametrize("bad", ["../x", "/abs", ""])
def test_job_folders_are_only_made_for_job_ids(store, bad):
    with pytest.raises(BadRequest, match="is not a job id"):
        store.job_dir(bad)
    with pytest.raises(BadRequest, match="is not a job id"):
        store.logs_dir(bad)
