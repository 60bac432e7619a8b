"""The party side of job creation and task starts: a job is created once, tasks start once, parties are known."""

from __future__ import annotations

import copy

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest, Conflict, NotFound
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.jobs.party import PartyJobs
from fate_runtime.tasks.events import TaskEvents
from fate_runtime.tasks.manager import TaskManager
from storage import Store

JOB = "20261201000000000001"
TOKEN = "a" * 32
TOY = "secure_add_example_0"


@pytest.fixture
def host(db, store, tmp_path):
    """The host's side (cluster mode, party 10000, a route to the guest 9999)."""
    events = TaskEvents()
    tasks = TaskManager(store, events, None, str(tmp_path / "data"))  # type: ignore[arg-type] - never launches here
    return PartyJobs(store, tasks, events, JobRegistry(db), Store(str(tmp_path / "storage"), workers=1),
                     frozenset({"10000"}), 1, frozenset({"9999"}))


def test_the_same_create_again_is_harmless_and_any_other_is_refused(host, store, guest_host_plan):
    assert host.create(JOB, guest_host_plan, TOKEN) == [("host", "10000")]
    assert host.create(JOB, guest_host_plan, TOKEN) == [("host", "10000")]  # the initiator retried
    with pytest.raises(Conflict, match=f"job {JOB} exists already on this node"):
        host.create(JOB, guest_host_plan, "b" * 32)
    rogue = {**guest_host_plan.conf, "job_parameters": {"work_mode": 1, "job_name": "rogue"}}
    other = dsl.parse(guest_host_plan.dsl, rogue)
    with pytest.raises(Conflict):
        host.create(JOB, other, TOKEN)
    assert [row["f_name"] for row in store.jobs({"f_job_id": JOB})] == [""]


def test_a_job_with_a_party_this_node_cannot_reach_is_refused(host, store, guest_host_plan):
    conf = copy.deepcopy(guest_host_plan.conf)
    conf["role"]["arbiter"] = [10001]
    with pytest.raises(BadRequest, match="this node has no route to arbiter 10001 of the job"):
        host.create(JOB, dsl.parse(guest_host_plan.dsl, conf), TOKEN)
    assert store.jobs({"f_job_id": JOB}) == []


def test_a_task_starts_only_if_it_is_one_of_the_job_s_waiting_tasks_here(host, store, guest_host_plan):
    host.create(JOB, guest_host_plan, TOKEN)
    with pytest.raises(NotFound, match="has no task secure_add_example_0 of guest 9999 on this node"):
        host.start_task((JOB, TOY, "guest", "9999"))
    with pytest.raises(NotFound, match="has no task nothing_0 of host 10000"):
        host.start_task((JOB, "nothing_0", "host", "10000"))
    with pytest.raises(NotFound, match="is not known to this node"):
        host.start_task(("20261201000000000002", TOY, "host", "10000"))
    store.set_task_status(JOB, TOY, "host", "10000", "running")
    with pytest.raises(Conflict, match="has started already"):
        host.start_task((JOB, TOY, "host", "10000"))


def test_status_updates_and_stops_carry_statuses_the_node_knows(host, store, guest_host_plan):
    host.create(JOB, guest_host_plan, TOKEN)
    with pytest.raises(BadRequest, match="a job status update needs one of waiting, running"):
        host.update(JOB, "hacked", 50, [], "")
    with pytest.raises(BadRequest, match="progress from 0 to 100"):
        host.update(JOB, "running", 101, [], "")
    with pytest.raises(BadRequest, match="a job stops as canceled, failed or timeout, not 'success'"):
        host.stop(JOB, "success", "")
    assert [row["f_status"] for row in store.jobs({"f_job_id": JOB})] == ["waiting"]
    host.update(JOB, "running", 50, [TOY], "")
    assert [row["f_progress"] for row in store.jobs({"f_job_id": JOB})] == [50]
