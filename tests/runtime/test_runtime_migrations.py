"""The database's versioned schema: a data dir made by the unversioned schema (tests/fixtures/data_dir_v0, made
with issue 9's starting commit) opens and migrates, an empty one gets every migration, a newer one is refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from fate_runtime.errors import ConfigError
from fate_runtime.state.data_views import DataViews
from fate_runtime.state.db import Database
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.job_store import JobStore
from fate_runtime.state.models import LEGACY_JSON, ModelBuffer, ModelKey, ModelStore
from fate_runtime.state.schema import MIGRATIONS
from fate_runtime.state.tracking import TrackingQueries

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data_dir_v0"
TOY_JOB, UPLOAD_JOB = "202612022328278385502", "202612022328276935531"


@pytest.fixture
def old_data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_an_old_data_dir_migrates_and_its_jobs_read_back(old_data_dir: Path) -> None:
    assert _version(old_data_dir / "fate_flow.db") == 0
    db = Database(str(old_data_dir / "fate_flow.db"))
    assert db.version == len(MIGRATIONS) == _version(old_data_dir / "fate_flow.db")
    jobs = JobStore(db, str(old_data_dir))
    toy = jobs.jobs({"job_id": TOY_JOB})
    assert sorted((row.role, row.status) for row in toy) == [("guest", "success"), ("host", "success")]
    assert toy[0].dsl == json.loads((old_data_dir / "jobs" / TOY_JOB / "job_dsl.json").read_text())
    assert [row.status for row in jobs.jobs({"job_id": UPLOAD_JOB})] == ["success"]
    plan = jobs.plan(TOY_JOB)  # planned once from its files, then stored
    assert list(plan.components) == ["secure_add_example_0"] and plan.model_id() == "guest-10000#host-10000#model"
    (old_data_dir / "jobs" / TOY_JOB / "job_dsl.json").unlink()
    assert jobs.plan(TOY_JOB) == plan
    metrics = TrackingQueries(db).metrics(TOY_JOB, "secure_add_example_0", "guest", "10000")
    assert metrics == {"secure_add": ["result"]}
    assert JobRegistry(db).lookup(TOY_JOB) is not None  # its parties by role read back as they were stored
    key = ModelKey(plan.model_id(), TOY_JOB, "guest", "10000", "secure_add_example_0")
    ModelStore(db).save(key, "model", [ModelBuffer("P", "google.protobuf.Struct", b"")])  # the new table is there
    assert ModelStore(db).load(key) == {"model": [ModelBuffer("P", "google.protobuf.Struct", b"")]}
    Database(str(old_data_dir / "fate_flow.db"))  # opened again: nothing left to migrate
    assert _version(old_data_dir / "fate_flow.db") == len(MIGRATIONS)


def test_an_old_upload_job_gets_its_task_parameters_and_data_view_columns(old_data_dir: Path) -> None:
    db = Database(str(old_data_dir / "fate_flow.db"))
    jobs = JobStore(db, str(old_data_dir))
    [job] = jobs.jobs({"job_id": UPLOAD_JOB})
    [task] = jobs.tasks({"job_id": UPLOAD_JOB})
    assert (task.component_name, task.task_id, task.role, task.party_id, task.status, task.end_time) == (
        "upload_0", f"{UPLOAD_JOB}_upload_0", "local", "0", "success", job.end_time)
    module, parameters = TrackingQueries(db).parameters(UPLOAD_JOB, "upload_0", "local", "0") or ("", {})
    assert (module, parameters["namespace"], parameters["table_name"], parameters["partition"]) == (
        "Upload", "fixture", "breast_b", 2)
    plan = jobs.plan(UPLOAD_JOB)  # from its files, as the node wrote them: not a module any registry has
    assert [(c.name, c.module, c.roles) for c in plan.components.values()] == [("upload_0", "Upload", ("local",))]
    [view] = DataViews(db).rows({"job_id": UPLOAD_JOB})
    assert (view.task_id, view.table_name, view.table_count_actual, view.update_time) == (
        f"{UPLOAD_JOB}_upload_0", "breast_b", 569, view.create_time)
    assert len(jobs.tasks({"job_id": TOY_JOB})) == 2  # the toy job's tasks as they were


def test_outputs_recorded_before_data_views_named_them_get_theirs(old_data_dir: Path) -> None:
    path = old_data_dir / "fate_flow.db"
    with sqlite3.connect(path) as old:
        old.execute("INSERT INTO t_output_data VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (TOY_JOB, "secure_add_example_0", "guest", "10000", "data", f"output.{TOY_JOB}", "t", 7))
    [view] = DataViews(Database(str(path))).rows({"job_id": TOY_JOB})
    assert (view.component_name, view.task_id, view.role, view.table_namespace, view.table_name, view.create_time,
            view.partition) == ("secure_add_example_0", f"{TOY_JOB}_secure_add_example_0", "guest",
                                f"output.{TOY_JOB}", "t", 7, None)


def test_roles_stored_json_encoded_twice_are_kept_once(old_data_dir: Path) -> None:
    path = old_data_dir / "fate_flow.db"
    with sqlite3.connect(path) as old:  # as releases before the security pass stored them
        old.execute("UPDATE t_job_federation SET f_roles = ?", (json.dumps(json.dumps({"guest": ["10000"]})),))
    registry = JobRegistry(Database(str(path)))
    view = registry.lookup(TOY_JOB)
    assert view is not None and view.roles == {"guest": ("10000",)}


def test_models_saved_before_the_model_store_read_back_as_json_buffers(old_data_dir: Path) -> None:
    path = old_data_dir / "fate_flow.db"
    with sqlite3.connect(path) as old:
        old.execute("INSERT INTO t_output_model VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (TOY_JOB, "secure_add_example_0", "guest", "10000", "wait", json.dumps({"rows": 1}), 1))
    models = ModelStore(Database(str(path)))
    assert models.legacy(TOY_JOB, "secure_add_example_0", "guest", "10000") == {
        "wait": [ModelBuffer("wait", LEGACY_JSON, b'{"rows": 1}')]}


def test_an_empty_database_gets_every_migration_in_order(tmp_path: Path) -> None:
    applied: list[int] = []
    steps = [lambda conn, n=n: applied.append(n) for n in range(3)]
    db = Database(str(tmp_path / "db" / "x.db"), steps)
    assert applied == [0, 1, 2] and db.version == 3
    Database(str(tmp_path / "db" / "x.db"), [*steps, lambda conn: applied.append(3)])
    assert applied == [0, 1, 2, 3]  # a newer program applies only what the database has not had


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE t_half (f INTEGER)")
        raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(sqlite3.OperationalError):
        Database(str(tmp_path / "db" / "x.db"), [lambda conn: conn.execute("CREATE TABLE t_one (f INTEGER)"),
                                                  broken])
    with sqlite3.connect(tmp_path / "db" / "x.db") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["t_one"]


def test_a_database_of_a_newer_version_is_refused_in_one_sentence(old_data_dir: Path) -> None:
    path = old_data_dir / "fate_flow.db"
    with sqlite3.connect(path) as newer:
        newer.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    with pytest.raises(ConfigError) as caught:
        Database(str(path))
    assert str(caught.value) == (f"the database {path} was made by a newer version of this program (schema "
                                 f"{len(MIGRATIONS) + 3}; this one knows up to {len(MIGRATIONS)}): run that version, "
                                 "or use another data dir")
    assert _version(path) == len(MIGRATIONS) + 3
