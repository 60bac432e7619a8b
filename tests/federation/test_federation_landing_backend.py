"""Where a node lands the tables a party receives: the backend that party's tasks compute on, as
fate_runtime.computing decides it from the job's job_parameters and the node's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.node.config import NodeConfig
from fate_runtime.node.received_tables import received_tables_backend
from fate_runtime.state.db import Database
from fate_runtime.state.job_store import JobStore
from federation import TransferRefused
from federation_helpers import job_id
from jobs_helpers import toy_conf, toy_dsl

GUEST, HOST = "9999", "10000"


def _node(tmp_path: Path, computing: str = "lmdb", spark: bool = True) -> NodeConfig:
    settings: dict[str, Any] = {"spark": {"storage_dir": str(tmp_path / "spark")}} if spark else {}
    return NodeConfig(data_dir=str(tmp_path / "data"), computing=computing, **settings)


def _jobs(tmp_path: Path, **job_parameters: Any) -> tuple[JobStore, str]:
    jobs = JobStore(Database(str(tmp_path / "db" / "fate_flow.db")), str(tmp_path / "data"))
    conf = toy_conf(GUEST, HOST, 1)
    conf["job_parameters"].update(job_parameters)
    job = job_id("landing")
    jobs.create(job, dsl.parse(toy_dsl(), conf), [("host", HOST)])
    return jobs, job


def test_a_job_on_spark_lands_its_tables_in_the_spark_directory(tmp_path: Path) -> None:
    jobs, job = _jobs(tmp_path, backend=1)
    assert received_tables_backend(jobs, _node(tmp_path))(job, "host", HOST) == "spark"


def test_a_job_naming_no_backend_lands_them_where_the_node_computes(tmp_path: Path) -> None:
    jobs, job = _jobs(tmp_path)
    assert received_tables_backend(jobs, _node(tmp_path, "spark"))(job, "host", HOST) == "spark"
    assert received_tables_backend(jobs, _node(tmp_path, "lmdb"))(job, "host", HOST) == "lmdb"


def test_a_job_known_only_to_federation_lands_them_where_the_node_computes(tmp_path: Path) -> None:
    jobs, _ = _jobs(tmp_path, backend=1)
    assert received_tables_backend(jobs, _node(tmp_path, "spark"))("20260101000000000001", "host", HOST) == "spark"


def test_a_job_asking_for_spark_on_a_node_without_it_is_refused(tmp_path: Path) -> None:
    jobs, job = _jobs(tmp_path, backend=1)
    with pytest.raises(TransferRefused, match="^job_parameters.backend 1 asks for Spark, which the node of host "
                                              "10000 does not offer"):
        received_tables_backend(jobs, _node(tmp_path, spark=False))(job, "host", HOST)
