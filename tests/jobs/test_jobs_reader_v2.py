"""A DSL v2 job reading uploaded tables with a Reader component: its output data, and clean_job.

Guest and host each upload their own table (CLI -f upload), then run reader_0 -> wait_0; the
outputs are read back with component_output_data_table and component_output_data (CSV +
meta as FATE's client extracts them), then clean_job removes the job's tables and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import Node, assert_refused, upload_conf, write_conf, write_csv
from jobs_helpers import GUEST, HOST, cli_ok, standalone_node, submitted, task_rows, wait_job

pytestmark = pytest.mark.integration

NS = "jobs_reader"
HEADER = "id,y,x0,x1"
TABLES = {"guest": ("guest_rows", ["1,0,0.5,1.5", "2,1,0.25,2.5", "3,0,0.125,3.5", "4,1,1.0,4.5",
                                   "5,0,2.0,5.5"]),
          "host": ("host_rows", ["1,1,9.0,0.0", "3,0,8.0,0.5", "5,1,7.0,1.0"])}
PARTY = {"guest": GUEST, "host": HOST}


def reader_job(output: str = "data") -> tuple[dict[str, Any], dict[str, Any]]:
    """reader_0 -> wait_0 in DSL v2, each party reading its own table."""
    dsl = {"components": {
        "reader_0": {"module": "Reader", "output": {"data": [output]}},
        "wait_0": {"module": "Wait", "input": {"data": {"data": [f"reader_0.{output}"]}},
                   "output": {"data": ["data"], "model": ["model"]}}}}
    conf = {"dsl_version": 2,
            "initiator": {"role": "guest", "party_id": int(GUEST)},
            "role": {"guest": [int(GUEST)], "host": [int(HOST)]},
            "job_parameters": {"common": {"work_mode": 0}},
            "component_parameters": {
                "common": {"wait_0": {"seconds": 0}},
                "role": {role: {"0": {"reader_0": {"table": {"name": TABLES[role][0], "namespace": NS}}}}
                         for role in ("guest", "host")}}}
    return dsl, conf


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with standalone_node(tmp_path_factory.mktemp("jobs_reader")) as started:
        for name, rows in TABLES.values():
            csv = write_csv(started.files / f"{name}.csv", HEADER, rows)
            conf = write_conf(started.files / f"{name}.json", upload_conf(csv, NS, name, partition=2))
            reply = cli_ok(started, "-f", "upload", "-c", str(conf))
            assert reply["data"]["count"] == len(rows), reply
        yield started


@pytest.fixture(scope="module")
def job_id(node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    dsl, conf = reader_job()
    job = submitted(node, tmp_path_factory.mktemp("reader_job"), dsl, conf)
    rows = wait_job(node, job)
    assert [row["f_status"] for row in rows] == ["success", "success"], rows
    return job


def test_every_task_succeeded(node: Node, job_id: str) -> None:
    assert sorted((t["f_component_name"], t["f_role"], t["f_party_id"], t["f_status"])
                  for t in task_rows(node, job_id)) == [
        ("reader_0", "guest", GUEST, "success"), ("reader_0", "host", HOST, "success"),
        ("wait_0", "guest", GUEST, "success"), ("wait_0", "host", HOST, "success")]
    for role in ("guest", "host"):
        reply = cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", role, "-p", PARTY[role],
                       "-cpn", "reader_0")
        assert reply["data"]["reader"]["table_info"]["data"] == [["count", len(TABLES[role][1])], ["partitions", 2]]
        view = node.post("/v1/tracking/job/data_view", json={"job_id": job_id, "role": role,
                                                               "party_id": PARTY[role]}).json()
        assert view["data"]["dataset"] == {role: {PARTY[role]: {"reader_0": f"{NS}.{TABLES[role][0]}"}}}


def output_table(node: Node, job_id: str, component: str, role: str) -> tuple[str, str]:
    reply = cli_ok(node, "-f", "component_output_data_table", "-j", job_id, "-r", role, "-p", PARTY[role],
                   "-cpn", component)
    assert set(reply["data"]) == {"table_name", "table_namespace"}
    return reply["data"]["table_namespace"], reply["data"]["table_name"]


def test_output_data_table(node: Node, job_id: str) -> None:
    for role in ("guest", "host"):
        read = output_table(node, job_id, "reader_0", role)
        assert read != (NS, TABLES[role][0])  # the Reader's output is a copy: the job may clean it
        assert node.table_count(*read) == len(TABLES[role][1])
        assert output_table(node, job_id, "wait_0", role) == read  # Wait hands its input on


def extract(node: Node, job_id: str, component: str, role: str, out: Path, *limit: str) -> tuple[list[str], Any]:
    reply = cli_ok(node, "-f", "component_output_data", "-j", job_id, "-r", role, "-p", PARTY[role],
                   "-cpn", component, "-o", str(out), *limit)
    directory = out / f"job_{job_id}_{component}_{role}_{PARTY[role]}_output_data"
    assert reply["directory"] == str(directory)
    assert reply["retmsg"] == f"download successfully, please check {directory} directory"
    assert sorted(p.name for p in directory.iterdir()) == ["output_data.csv", "output_data_meta.json"]
    lines = (directory / "output_data.csv").read_text().splitlines()
    return lines, json.loads((directory / "output_data_meta.json").read_text())


def test_component_output_data(node: Node, job_id: str, tmp_path: Path) -> None:
    for role in ("guest", "host"):
        lines, meta = extract(node, job_id, "wait_0", role, tmp_path / role)
        assert meta == {"header": HEADER.split(",")}
        assert lines[0] == HEADER
        assert sorted(lines[1:]) == sorted(TABLES[role][1])

    lines, meta = extract(node, job_id, "reader_0", "guest", tmp_path / "limited", "-limit", "2")
    assert lines[0] == HEADER and len(lines) == 3
    assert set(lines[1:]) <= set(TABLES["guest"][1])
    assert meta == {"header": HEADER.split(",")}

    # the preview endpoint: rows, header and total
    reply = node.post("/v1/tracking/component/output/data", json={
        "job_id": job_id, "component_name": "wait_0", "role": "host", "party_id": HOST, "limit": 2}).json()
    assert reply["retcode"] == 0 and reply["meta"] == {"header": HEADER.split(","), "total": 3}
    assert len(reply["data"]) == 2
    assert {",".join(map(str, row)) for row in reply["data"]} <= set(TABLES["host"][1])


def test_clean_job_removes_the_job_tables_only_last(node: Node, job_id: str, tmp_path: Path) -> None:
    outputs = {role: output_table(node, job_id, "reader_0", role) for role in ("guest", "host")}
    reply = cli_ok(node, "-f", "clean_job", "-j", job_id)
    assert sorted((t["namespace"], t["table_name"]) for t in reply["data"]) == sorted(outputs.values())
    for role, (namespace, name) in outputs.items():
        assert node.table_count(namespace, name) is None
        info = cli_ok(node, "-f", "table_info", "-n", namespace, "-t", name)  # FATE's answer for a missing table
        assert info["data"] == {"table_name": name, "namespace": namespace, "count": 0, "partition": None}
        assert node.table_count(NS, TABLES[role][0]) == len(TABLES[role][1])  # the uploaded tables stay
        code, gone = node.cli("-f", "component_output_data_table", "-j", job_id, "-r", role, "-p", PARTY[role],
                              "-cpn", "wait_0")
        assert code == 1
        assert_refused(gone, 101, "wait_0")
        code, gone = node.cli("-f", "component_output_data", "-j", job_id, "-r", role, "-p", PARTY[role],
                              "-cpn", "reader_0", "-o", str(tmp_path))
        assert code == 1
        assert_refused(gone, 101, "reader_0")
    assert not any(job_id in table for table in node.stored_tables())
    assert [t["f_status"] for t in task_rows(node, job_id)] == ["success"] * 4


def test_reader_output_named_as_the_dsl_declares(node: Node, tmp_path: Path) -> None:
    dsl, conf = reader_job(output="table")
    job = submitted(node, tmp_path, dsl, conf)
    rows = wait_job(node, job)
    assert [row["f_status"] for row in rows] == ["success", "success"], rows
