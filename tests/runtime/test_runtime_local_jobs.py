"""Local jobs (upload, download): their files and row, all or nothing; the ones a previous run left running."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from fate_runtime.state.db import Database
from fate_runtime.state.local_jobs import LocalJobs, TableRecord


@pytest.fixture
def jobs(db: Database, tmp_path: Path) -> LocalJobs:
    return LocalJobs(db, str(tmp_path / "data"))


def test_a_job_that_cannot_be_recorded_leaves_no_files(jobs: LocalJobs, db: Database, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(db, "transaction", full)
    with pytest.raises(sqlite3.OperationalError):
        jobs.start("Upload", {"namespace": "ns", "table_name": "t"})
    assert os.listdir(tmp_path / "data" / "jobs") == []
    assert os.listdir(tmp_path / "data" / "logs") == []


def test_unfinished_jobs_of_a_module_come_back_with_their_parameters(jobs: LocalJobs) -> None:
    running = jobs.start("Upload", {"namespace": "ns", "table_name": "t", "head": 1})
    jobs.finish(jobs.start("Upload", {"namespace": "ns", "table_name": "u"}))
    download = jobs.start("Download", {"namespace": "ns", "table_name": "t"})
    [found] = jobs.unfinished("Upload")
    assert (found.job_id, found.component, found.started_ms) == (running.job_id, "upload_0", running.started_ms)
    assert found.parameters == {"namespace": "ns", "table_name": "t", "head": 1}
    assert (found.job_dsl_path, found.logs_directory) == (running.job_dsl_path, running.logs_directory)
    found.log.info("written after a restart")
    jobs.finish(found)
    assert "written after a restart" in Path(found.logs_directory, "fate_flow_schedule.log").read_text()
    assert jobs.unfinished("Upload") == []
    assert [job.job_id for job in jobs.unfinished("Download")] == [download.job_id]


def test_a_noted_table_is_read_back_and_absent_until_noted(jobs: LocalJobs) -> None:
    job = jobs.start("Upload", {"namespace": "ns", "table_name": "t"})
    assert jobs.noted_table(job.job_id) is None
    record = TableRecord("ns", "t", 4, 10, 25, {"header": "a,b", "sid": "id"})
    jobs.note_table(job, record)
    assert jobs.noted_table(job.job_id) == record
