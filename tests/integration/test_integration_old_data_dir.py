"""A node started on a data dir made by an older version (tests/fixtures/data_dir_v0: the unversioned schema of
issue 9's starting commit, its transfer log still a database of its own) migrates it and answers about its jobs,
uploads and tables as before."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from integration_helpers import node_args, running_node

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data_dir_v0"
TOY_JOB, UPLOAD_JOB = "202612022328278385502", "202612022328276935531"


def test_a_node_migrates_an_old_data_dir_and_answers_about_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    objects = data / "federation" / "objects"
    objects.mkdir(parents=True)
    (objects / "0f1e2d.obj").write_bytes(b"an object of the old layout")
    with sqlite3.connect(data / "federation" / "transfers.db") as old_log:
        old_log.execute("CREATE TABLE t_transfer (f_job_id TEXT)")
    with running_node(tmp_path, node_args(data, tmp_path / "files")) as node:
        rows = node.post("/v1/job/query", json={"job_id": TOY_JOB}).json()["data"]
        assert sorted((r["f_role"], r["f_status"]) for r in rows) == [("guest", "success"), ("host", "success")]
        config = node.post("/v1/job/config", json={"job_id": TOY_JOB, "role": "guest", "party_id": "10000"}).json()
        assert config["data"]["model_info"] == {"model_id": "guest-10000#host-10000#model", "model_version": TOY_JOB}
        metrics = node.post("/v1/tracking/component/metric/all", json={
            "job_id": TOY_JOB, "role": "guest", "party_id": "10000", "component_name": "secure_add_example_0"}).json()
        assert metrics["data"]["secure_add"]["result"]["data"][0][0] == "secure_sum"
        history = node.history()
        assert [next(iter(record)) for record in history] == [UPLOAD_JOB]
        assert history[0][UPLOAD_JOB]["notes"] == "made by the schema of issue 9's starting commit"
        assert node.table_count("fixture", "breast_b") == 569
        # its upload job answers like any job: one task, its DAG, parameters and data view
        upload = {"job_id": UPLOAD_JOB, "role": "local", "party_id": "0"}
        [task] = node.post("/v1/job/task/query", json={"job_id": UPLOAD_JOB}).json()["data"]
        assert (task["f_component_name"], task["f_status"]) == ("upload_0", "success")
        dag = node.post("/v1/pipeline/dag/dependency", json=upload).json()["data"]
        assert dag["component_module"] == {"upload_0": "Upload"}
        parameters = node.post("/v1/tracking/component/parameters",
                               json={**upload, "component_name": "upload_0"}).json()["data"]
        assert (parameters["module"], parameters["ComponentParam"]["table_name"]) == ("Upload", "breast_b")
        [view] = node.post("/v1/job/data/view/query", json={"job_id": UPLOAD_JOB}).json()["data"]
        assert (view["f_task_id"], view["f_table_name"], view["f_table_count_actual"]) == (
            f"{UPLOAD_JOB}_upload_0", "breast_b", 569)
    with sqlite3.connect(data / "fate_flow.db") as migrated:
        assert migrated.execute("PRAGMA user_version").fetchone()[0] > 0
    assert not (objects / "0f1e2d.obj").exists() and not (data / "federation" / "transfers.db").exists()
