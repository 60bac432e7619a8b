"""The party side of jobs: a job is created once, tasks start once, parties are known, and a job that ends here
leaves nothing it received behind."""

from __future__ import annotations

import copy
import os

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest, Conflict, NotFound
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.components import BUILTIN
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.jobs.party import PartyJobs
from fate_runtime.state.model_versions import ModelVersions, VersionKey
from fate_runtime.state.transfer_log import TransferLog
from fate_runtime.tasks.events import TaskEvents
from fate_runtime.tasks.manager import TaskManager
from federation import Receiver, TransferRefused
from federation.transfers import TransferKey
from federation.wire import object_chunks, table_chunks
from protos import federation_pb2 as pb
from storage import Store, encode

JOB = "20261201000000000001"
TOKEN = "a" * 32
TOY = "secure_add_example_0"


@pytest.fixture
def tables(tmp_path):
    return Store(str(tmp_path / "storage"), workers=1)


@pytest.fixture
def transfers(db):
    return TransferLog(db)


@pytest.fixture
def receiver(db, tables, transfers, tmp_path):
    return Receiver(tables, transfers, str(tmp_path / "objects"), JobRegistry(db).lookup, frozenset({"10000"}))


@pytest.fixture
def events():
    return TaskEvents()


@pytest.fixture
def tasks(store, events, tmp_path):
    return TaskManager(store, events, None, str(tmp_path / "data"))  # type: ignore[arg-type] - never launches


@pytest.fixture
def host(db, store, tables, receiver, tasks, events):
    """The host's side (cluster mode, party 10000, a route to the guest 9999)."""
    return PartyJobs(store, tasks, events, JobRegistry(db), tables, receiver, frozenset({"10000"}), 1,
                     ModelParty(ModelVersions(db), store, frozenset({"10000"}), BUILTIN, tables), frozenset({"9999"}))


def test_the_same_create_again_is_harmless_and_any_other_is_refused(host, store, guest_host_plan):
    assert host.create(JOB, guest_host_plan, TOKEN) == [("host", "10000")]
    assert host.create(JOB, guest_host_plan, TOKEN) == [("host", "10000")]  # the initiator retried
    with pytest.raises(Conflict, match=f"job {JOB} exists already on this node"):
        host.create(JOB, guest_host_plan, "b" * 32)
    rogue = {**guest_host_plan.conf, "job_parameters": {"work_mode": 1, "job_name": "rogue"}}
    other = dsl.parse(guest_host_plan.dsl, rogue)
    with pytest.raises(Conflict):
        host.create(JOB, other, TOKEN)
    assert [row.name for row in store.jobs({"job_id": JOB})] == [""]


def test_a_job_with_a_party_this_node_cannot_reach_is_refused(host, store, guest_host_plan):
    conf = copy.deepcopy(guest_host_plan.conf)
    conf["role"]["arbiter"] = [10001]
    with pytest.raises(BadRequest, match="this node has no route to arbiter 10001 of the job"):
        host.create(JOB, dsl.parse(guest_host_plan.dsl, conf), TOKEN)
    assert store.jobs({"job_id": JOB}) == []


def test_a_task_starts_only_if_it_is_one_of_the_job_s_waiting_tasks_here(host, store, guest_host_plan):
    host.create(JOB, guest_host_plan, TOKEN)
    with pytest.raises(NotFound, match="has no task secure_add_example_0 of guest 9999 on this node"):
        host.start_task((JOB, TOY, "guest", "9999"))
    with pytest.raises(NotFound, match="has no task nothing_0 of host 10000"):
        host.start_task((JOB, "nothing_0", "host", "10000"))
    with pytest.raises(NotFound, match="is not known to this node"):
        host.start_task(("20261201000000000002", TOY, "host", "10000"))
    for status in ("running", "success"):  # started already: acknowledged, not started again (no launcher here)
        store.set_task_status(JOB, TOY, "host", "10000", status)
        host.start_task((JOB, TOY, "host", "10000"))
        assert [task.status for task in store.tasks({"job_id": JOB})] == [status]


def test_status_updates_and_stops_carry_statuses_the_node_knows(host, store, guest_host_plan):
    host.create(JOB, guest_host_plan, TOKEN)
    with pytest.raises(BadRequest, match="a job status update needs one of waiting, running"):
        host.update(JOB, "hacked", 50, [], "")
    with pytest.raises(BadRequest, match="progress from 0 to 100"):
        host.update(JOB, "running", 101, [], "")
    with pytest.raises(BadRequest, match="a job stops as canceled, failed or timeout, not 'success'"):
        host.stop(JOB, "success", "")
    assert [row.status for row in store.jobs({"job_id": JOB})] == ["waiting"]
    host.update(JOB, "running", 50, [TOY], "")
    assert [row.progress for row in store.jobs({"job_id": JOB})] == [50]


def test_every_change_of_a_job_here_is_pushed_to_the_node_s_job_watchers(host, tasks, events, guest_host_plan):
    watcher = events.changes.subscribe()
    assert watcher.next(0) == []
    host.create(JOB, guest_host_plan, TOKEN)
    assert watcher.next(0) == [JOB]  # (a timeout of 0: the change is there already, nothing is polled for)
    host.update(JOB, "running", 0, [TOY], "")
    tasks.report((JOB, TOY, "host", "10000"), "running")
    host.update(JOB, "running", 50, [TOY], "")
    assert watcher.next(0) == [JOB]  # changes since the last look, each job once
    host.stop(JOB, "canceled", "stopped")
    assert watcher.next(0) == [JOB]
    events.changes.close()
    assert watcher.next(10) is None


def test_a_job_that_succeeds_here_leaves_its_model_versions_whole(host, db, guest_host_plan):
    host.create(JOB, guest_host_plan, TOKEN)
    key = VersionKey(guest_host_plan.model_id(), JOB, "host", "10000")
    host.update(JOB, "running", 50, [TOY], "")
    assert not ModelVersions(db).exists(key)
    host.update(JOB, "success", 100, [], "")
    assert ModelVersions(db).pipeline(key).train_dsl == guest_host_plan.dsl
    assert ModelVersions(db).pipeline(key).inference_dsl == {"components": {}}  # no module of the toy deploys


def _header(tag: str, **fields) -> pb.TransferHeader:
    return pb.TransferHeader(job_id=JOB, name="guest_share", tag=tag, src=pb.Party(role="guest", party_id="9999"),
                             dst=pb.Party(role="host", party_id="10000"), **fields)


def _receive_a_table_and_an_object(receiver: Receiver, tables: Store) -> None:
    table = tables.create_table("sent", "shares", 2, replace=True)
    table.put_all((i, float(i)) for i in range(100))
    receiver.receive(table_chunks(_header("table", kind=pb.TABLE, partitions=2, total_rows=100), table), None, TOKEN)
    data = encode({"share": 1.5})
    receiver.receive(object_chunks(_header("object", kind=pb.OBJECT, total_bytes=len(data)), data), None, TOKEN)


@pytest.mark.parametrize("end", ["stop", "update"])
def test_a_job_that_ends_here_leaves_nothing_it_received_and_takes_no_more(host, db, tables, receiver, transfers,
                                                                          tmp_path, guest_host_plan, end):
    host.create(JOB, guest_host_plan, TOKEN)
    _receive_a_table_and_an_object(receiver, tables)
    key = TransferKey(JOB, "guest_share", "object", "guest", "9999", "host", "10000")
    assert len(tables.list_tables(f"federation.{JOB}")) == 1 and len(os.listdir(tmp_path / "objects" / JOB)) == 1
    assert transfers.find(key) is not None
    if end == "stop":
        host.stop(JOB, "canceled", "stopped by the user")
    else:
        host.update(JOB, "failed", 50, [], "guest 9999: it broke")
    assert tables.list_tables(f"federation.{JOB}") == [] and not (tmp_path / "objects" / JOB).exists()
    assert transfers.find(key) is None and transfers.ended(JOB)
    with pytest.raises(TransferRefused, match=f"job {JOB} has ended on this node"):
        _receive_a_table_and_an_object(receiver, tables)
    assert tables.list_tables(f"federation.{JOB}") == []
    assert JobRegistry(db).token(JOB) == TOKEN  # still known: a late stop is taken (and changes nothing)
    host.stop(JOB, "canceled", "late")


def test_the_job_s_tasks_are_stopped_before_what_it_received_is_removed(host, tables, receiver, tasks,
                                                                       guest_host_plan, monkeypatch):
    host.create(JOB, guest_host_plan, TOKEN)
    _receive_a_table_and_an_object(receiver, tables)
    received_when_stopped = []
    monkeypatch.setattr(tasks, "stop_job", lambda job_id, status, retmsg: received_when_stopped.append(
        [meta.name for meta in tables.list_tables(f"federation.{job_id}")]))
    host.stop(JOB, "canceled", "stopped by the user")
    assert received_when_stopped == [["guest_share.table.guest.9999.host.10000"]]
    assert tables.list_tables(f"federation.{JOB}") == []


def test_a_job_asking_for_a_backend_the_node_lacks_is_refused_naming_the_party(db, store, tables, receiver, tasks,
                                                                                events, guest_host_plan, tmp_path):
    conf = copy.deepcopy(guest_host_plan.conf)
    conf["job_parameters"]["backend"] = 1
    spark_job = dsl.parse(guest_host_plan.dsl, conf)

    def party_jobs(spark_storage_dir: str | None) -> PartyJobs:
        return PartyJobs(store, tasks, events, JobRegistry(db), tables, receiver, frozenset({"10000"}), 1,
                         ModelParty(ModelVersions(db), store, frozenset({"10000"}), BUILTIN, tables),
                         frozenset({"9999"}), BUILTIN, "lmdb", spark_storage_dir)

    with pytest.raises(BadRequest, match="job_parameters.backend 1 asks for Spark, which the node of host 10000 "
                                         "does not offer"):
        party_jobs(None).create(JOB, spark_job, TOKEN)
    assert store.jobs({"job_id": JOB}) == []
    assert party_jobs(str(tmp_path / "spark")).create(JOB, spark_job, TOKEN) == [("host", "10000")]
