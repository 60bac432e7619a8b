"""Data views of DSL jobs on a standalone node: every output table a task saves is one (data_view_query), and
table_delete -j / clean_job -j with any of -r, -p, -cpn delete exactly the matching outputs - checked against the
tables left on disk and the rows left in the node's database.

Each job runs Wait components a and b (no inputs: every task makes its own output table) on guest 9999 and on
hosts 9999 and 10000, so role, party and component each select a different set of the six tasks.
"""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import Node, assert_refused
from jobs_helpers import cli_ok, submitted, wait_dsl, wait_job

pytestmark = pytest.mark.integration

TASKS = [(component, role, party) for component in ("a", "b")
         for role, party in (("guest", "9999"), ("host", "9999"), ("host", "10000"))]
FLAGS = {"component_name": "-cpn", "role": "-r", "party_id": "-p"}
SELECTION = {"component_name": "a", "role": "host", "party_id": "9999"}
# every combination of -cpn, -r and -p (none: the whole job)
COMBINATIONS = [combo for size in range(4) for combo in itertools.combinations(FLAGS, size)]
DELETIONS = [(), ("component_name",), ("role",), ("party_id",), ("component_name", "role", "party_id")]


def job_conf() -> dict[str, Any]:
    return {"initiator": {"role": "guest", "party_id": 9999}, "job_parameters": {"work_mode": 0},
            "role": {"guest": [9999], "host": [9999, 10000]}, "algorithm_parameters": {}}


@pytest.fixture(scope="module")
def jobs(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A finished job per use: "views", "delete <combination>" and "clean <combination>"."""
    tmp = tmp_path_factory.mktemp("data_view_jobs")
    uses = ["views", *(f"delete {' '.join(c)}" for c in DELETIONS), *(f"clean {' '.join(c)}" for c in COMBINATIONS)]
    submitted_jobs = {use: submitted(node, tmp, wait_dsl(("a", []), ("b", [])), job_conf()) for use in uses}
    for job_id in submitted_jobs.values():
        rows = wait_job(node, job_id, timeout=180)
        assert {row["f_status"] for row in rows} == {"success"}, rows
    yield submitted_jobs


def output_name(job_id: str, component: str, role: str, party: str) -> str:
    return f"output.{job_id}/{component}.{role}.{party}.data"


def selected(combination: tuple[str, ...]) -> set[tuple[str, str, str]]:
    """The tasks a combination of flags (given SELECTION's values) selects."""
    keys = ("component_name", "role", "party_id")
    return {task for task in TASKS if all(task[keys.index(flag)] == SELECTION[flag] for flag in combination)}


def flags(combination: tuple[str, ...]) -> list[str]:
    return [arg for flag in combination for arg in (FLAGS[flag], SELECTION[flag])]


def tables_on_disk(node: Node, job_id: str) -> set[tuple[str, str, str]]:
    """The tasks of the job whose output table is still in the node's storage."""
    stored = set(node.stored_tables())
    return {task for task in TASKS if output_name(job_id, *task) in stored}


def rows_in_db(node: Node, job_id: str) -> dict[str, set[tuple[str, str, str]]]:
    """The tasks of the job that still have output-data, data view and metric rows in the node's database."""
    with sqlite3.connect(node.data_dir / "fate_flow.db") as db:
        return {table: set(db.execute(f"SELECT DISTINCT f_component_name, f_role, f_party_id FROM {table} "
                                       "WHERE f_job_id = ?", (job_id,)).fetchall())
                for table in ("t_output_data", "t_data_view", "t_tracking_metric")}


def test_every_output_is_a_data_view_row(node: Node, jobs: dict[str, str]) -> None:
    job_id = jobs["views"]
    rows = cli_ok(node, "-f", "data_view_query", "-j", job_id)["data"]
    assert sorted((r["f_component_name"], r["f_role"], r["f_party_id"]) for r in rows) == sorted(TASKS)
    for row in rows:
        task = (row["f_component_name"], row["f_role"], row["f_party_id"])
        assert f"{row['f_table_namespace']}/{row['f_table_name']}" == output_name(job_id, *task)
        assert (row["f_task_id"], row["f_partition"], row["f_table_create_count"], row["f_table_count_actual"]) == (
            f"{job_id}_{task[0]}", 2, 1, 1)
        assert row["f_party_model_id"] == f"{task[1]}#{task[2]}#guest-9999#host-9999_10000#model"
        assert row["f_model_version"] == job_id and row["f_create_time"] <= row["f_update_time"]
    narrowed = cli_ok(node, "-f", "data_view_query", "-j", job_id, "-r", "host", "-p", "10000")["data"]
    assert sorted(r["f_component_name"] for r in narrowed) == ["a", "b"]
    by_component = node.post("/v1/job/data/view/query", json={"job_id": job_id, "component_name": "b",
                                                                "party_id": "9999"}).json()["data"]
    assert sorted(r["f_role"] for r in by_component) == ["guest", "host"]


def test_data_views_without_a_job_id(node: Node, jobs: dict[str, str]) -> None:
    """-r/-p only, -s only: every job's views that match (no lookup of a job)."""
    views = [r for r in cli_ok(node, "-f", "data_view_query", "-r", "host", "-p", "10000")["data"]
             if r["f_job_id"] == jobs["views"]]
    assert sorted(r["f_component_name"] for r in views) == ["a", "b"]
    succeeded = {r["f_job_id"] for r in cli_ok(node, "-f", "data_view_query", "-s", "success")["data"]}
    assert jobs["views"] in succeeded
    code, reply = node.cli("-f", "data_view_query", "-s", "timeout")
    assert (code, reply) == (1, {"retcode": 101, "retmsg": "find data view failed"})
    reply = node.post("/v1/job/data/view/query", json={"job_id": jobs["views"], "colour": "red"}).json()
    assert_refused(reply, 100, "colour")


@pytest.mark.parametrize("combination", DELETIONS, ids=lambda c: "-".join(c) or "job")
def test_table_delete_by_job_deletes_exactly_the_matching_outputs(node: Node, jobs: dict[str, str],
                                                                   combination: tuple[str, ...]) -> None:
    job_id = jobs[f"delete {' '.join(combination)}"]
    deleted = selected(combination)
    reply = cli_ok(node, "-f", "table_delete", "-j", job_id, *flags(combination))
    assert sorted(f"{t['namespace']}/{t['table_name']}" for t in reply["data"]) == sorted(
        output_name(job_id, *task) for task in deleted)
    assert tables_on_disk(node, job_id) == set(TASKS) - deleted
    code, again = node.cli("-f", "table_delete", "-j", job_id, *flags(combination))
    assert code == 1 and again["retcode"] == 101, again


@pytest.mark.parametrize("combination", COMBINATIONS, ids=lambda c: "-".join(c) or "job")
def test_clean_job_deletes_exactly_what_matches(node: Node, jobs: dict[str, str],
                                                combination: tuple[str, ...]) -> None:
    job_id = jobs[f"clean {' '.join(combination)}"]
    cleaned = selected(combination)
    reply = node.post("/v1/job/clean", json={"job_id": job_id, **{f: SELECTION[f] for f in combination}}).json()
    assert reply["retcode"] == 0, reply
    assert sorted(f"{t['namespace']}/{t['table_name']}" for t in reply.get("data", [])) == sorted(
        output_name(job_id, *task) for task in cleaned)
    kept = set(TASKS) - cleaned
    assert tables_on_disk(node, job_id) == kept
    assert rows_in_db(node, job_id) == {"t_output_data": kept, "t_data_view": kept, "t_tracking_metric": kept}
    if not combination:  # the whole job: nothing of it is left in storage
        assert not [name for name in node.stored_tables() if job_id in name]
    assert {(r["f_component_name"], r["f_role"], r["f_party_id"])
            for r in cli_ok(node, "-f", "query_task", "-j", job_id)["data"]} == set(TASKS)  # its tasks stay


def test_clean_job_through_the_cli(node: Node, jobs: dict[str, str], tmp_path: Path) -> None:
    job_id = submitted(node, tmp_path, wait_dsl(("a", []), ("b", [])), job_conf())
    wait_job(node, job_id)
    reply = cli_ok(node, "-f", "clean_job", "-j", job_id, "-r", "host", "-p", "10000", "-cpn", "b")
    assert [f"{t['namespace']}/{t['table_name']}" for t in reply["data"]] == [output_name(job_id, "b", "host",
                                                                                          "10000")]
    assert tables_on_disk(node, job_id) == set(TASKS) - {("b", "host", "10000")}
