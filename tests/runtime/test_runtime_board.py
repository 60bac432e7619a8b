"""What the board reads from a node (BoardQueries on a real job database): the job list narrowed by status and a
part of the id, the rows of each job as it changes (pushed), and a component's log in whole lines from an offset."""

from __future__ import annotations

import copy
import os
import queue
import threading

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.jobs import board
from fate_runtime.jobs.board import BoardQueries, log_piece
from fate_runtime.jobs.component_queries import ComponentQueries
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.state.data_views import DataViews
from fate_runtime.state.model_versions import ModelVersions
from fate_runtime.state.models import ModelStore
from fate_runtime.state.tracking import TrackingQueries
from fate_runtime.tasks.job_changes import JobChanges

TOY = "secure_add_example_0"
BOTH = [("guest", "10000"), ("host", "10000")]
JOBS = ("20261201000000000001", "20261201000000000012", "20261201000000000123")


@pytest.fixture
def changes():
    return JobChanges()


@pytest.fixture
def queries(store, db, changes):
    jobs = JobQueries(store, TrackingQueries(db), DataViews(db), store=None, received=None,
                      versions=ModelVersions(db))
    return BoardQueries(store, ComponentQueries(jobs, TrackingQueries(db), ModelStore(db), store=None), changes)


@pytest.fixture
def toy_jobs(store, db, toy):
    for created, job_id in enumerate(JOBS):
        store.create(job_id, dsl.parse(*copy.deepcopy(toy)), BOTH)
        db.execute("UPDATE t_job SET f_create_time = ? WHERE f_job_id = ?", (1000 + created, job_id))
    return JOBS


def test_the_job_list_is_newest_first_narrowed_by_status_and_a_part_of_the_id(queries, store, toy_jobs):
    store.set_job_status(JOBS[1], "running")
    assert [(r.job_id, r.role) for r in queries.search("", "", 0)] == [
        (JOBS[2], "guest"), (JOBS[2], "host"), (JOBS[1], "guest"), (JOBS[1], "host"), (JOBS[0], "guest"),
        (JOBS[0], "host")]
    assert [r.job_id for r in queries.search("", "0012", 0)] == [JOBS[2], JOBS[2], JOBS[1], JOBS[1]]
    assert [r.job_id for r in queries.search("running", "", 0)] == [JOBS[1], JOBS[1]]
    assert [r.job_id for r in queries.search("waiting", "123", 1)] == [JOBS[2]]
    assert queries.search("success", "", 0) == []


@pytest.mark.parametrize(("status", "part", "limit", "message"), [
    ("done", "", 0, "status 'done' is not a job status (waiting, running, success"),
    ("", "1%", 0, "'1%' is not a part of a job id (up to 40 digits)"),
    ("", "_", 0, "'_' is not a part of a job id"),
    ("", "", -1, "the limit must be from 1 to 1000"),
    ("", "", 1001, "the limit must be from 1 to 1000"),
])
def test_a_bad_filter_of_the_job_list_is_refused_naming_it(queries, status, part, limit, message):
    with pytest.raises(BadRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        queries.search(status, part, limit)


def test_each_job_that_changes_comes_as_its_rows_once_keepalives_between(queries, store, changes, toy_jobs):
    subscription = queries.subscribe()
    rows: queue.Queue = queue.Queue()

    def read() -> None:
        for row in queries.changes(subscription, keepalive=0.2):
            rows.put(row)
        rows.put("ended")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert rows.get(timeout=5) is None  # nothing changed for 0.2 s
    store.set_job_status(JOBS[0], "running", progress=50)
    changes.publish(JOBS[0])
    changed = [rows.get(timeout=5), rows.get(timeout=5)]
    assert [(r.job_id, r.role, r.status, r.progress) for r in changed] == [
        (JOBS[0], "guest", "running", 50), (JOBS[0], "host", "running", 50)]
    queries.unsubscribe(subscription)
    while (row := rows.get(timeout=5)) != "ended":
        assert row is None  # at most a keep-alive in between
    reader.join(5)


def test_a_subscription_made_after_the_node_stopped_ends_at_once(queries, changes):
    changes.close()
    assert list(queries.changes(queries.subscribe(), keepalive=10)) == []


def test_a_component_log_is_read_in_whole_lines_from_an_offset(queries, store, toy_jobs):
    directory = os.path.join(store.logs_dir(JOBS[0]), "guest", "10000", TOY)
    assert queries.component_log(JOBS[0], TOY, "guest", "10000", 0) == ("", 0)  # not written yet
    os.makedirs(directory)
    with open(os.path.join(directory, "INFO.log"), "wb") as log_file:
        log_file.write("first line\nsecond ä\npartial".encode())
    text, offset = queries.component_log(JOBS[0], TOY, "guest", "10000", 0)
    assert (text, offset) == ("first line\nsecond ä\n", len("first line\nsecond ä\n".encode()))
    assert queries.component_log(JOBS[0], TOY, "guest", "10000", offset) == ("", offset)  # the line is not whole
    with pytest.raises(NotFound, match=f"job {JOBS[0]} has no component nothing_0"):
        queries.component_log(JOBS[0], "nothing_0", "guest", "10000", 0)
    with pytest.raises(BadRequest, match="the log offset -1 is negative"):
        queries.component_log(JOBS[0], TOY, "guest", "10000", -1)


def test_a_log_piece_is_at_most_256_kib_and_cuts_no_character(tmp_path):
    path = str(tmp_path / "INFO.log")
    line = "a" * 100 + "\n"
    with open(path, "w") as log_file:
        log_file.write(line * 3000)  # 303 000 bytes
    text, offset = log_piece(path, 0)
    assert len(text.encode()) <= board.MAX_LOG_PIECE and text.endswith("\n") and offset == len(text)
    rest, end = log_piece(path, offset)
    assert text + rest == line * 3000 and end == 303_000
    with open(path, "wb") as log_file:
        log_file.write(b"x" * (board.MAX_LOG_PIECE - 1) + "é".encode() + b"\n")  # one line longer than a piece
    text, offset = log_piece(path, 0)
    assert text == "x" * (board.MAX_LOG_PIECE - 1) and offset == board.MAX_LOG_PIECE - 1  # "é" not cut in two
    assert log_piece(path, offset) == ("é\n", board.MAX_LOG_PIECE + 2)
