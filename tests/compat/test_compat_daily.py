"""What `flow` calls every day beyond FATE-Flow 1.3's API, against our node: job logs, job and task lists, a job's
components, component summaries (fate-client 1.6 and 1.11); server versions and the toy test (1.11 only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from compat_helpers import PARTY, TOY_COMPONENT, Flow
from flow_api.client_routes import FATE_VERSION

from integration_helpers import Node

pytestmark = pytest.mark.integration

ONLY_1_11 = pytest.mark.parametrize("flow", ["1.11"], indirect=True)


def test_job_log(flow: Flow, toy_job: str, tmp_path: Path) -> None:
    """flow 1.6 GETs /v1/job/log, 1.11 POSTs /v1/job/log/download; both extract the archive under -o."""
    reply = flow.ok("job", "log", "-j", toy_job, "-o", str(tmp_path))
    directory = tmp_path / f"job_{toy_job}_log"
    assert reply["directory"] == str(directory)
    assert f"job {toy_job} succeeded" in (directory / "fate_flow_schedule.log").read_text()
    guest = directory / "guest" / PARTY
    assert "secure sum is 2000.0" in (guest / "INFO.log").read_text()
    assert "secure sum is 2000.0" in (guest / TOY_COMPONENT / "INFO.log").read_text()
    assert not list(flow.cwd.glob("*.tar.gz"))  # flow removes the archive it saved in its working directory

    code, missing = flow.run("job", "log", "-j", "202001010000000000000", "-o", str(tmp_path))
    assert code == 0 and missing["retcode"] == 101 and "202001010000000000000" in missing["retmsg"], missing


def test_job_list(flow: Flow, toy_job: str) -> None:
    listed = flow.ok("job", "list")["data"]  # flow asks for 10 rows
    rows = [row for row in listed["jobs"] if row["job_id"] == toy_job]
    assert sorted((row["role"], row["party_id"], row["status"], row["partners"]) for row in rows) == [
        ("guest", int(PARTY), "success", []), ("host", int(PARTY), "success", [])]
    assert len(listed["jobs"]) == min(10, listed["count"])
    created = [row["create_time"] for row in listed["jobs"]]
    assert created == sorted(created, reverse=True)  # newest first
    one = flow.ok("job", "list", "-l", "1")["data"]
    assert len(one["jobs"]) == 1 and one["count"] == listed["count"]
    assert one["jobs"][0]["job_id"] == listed["jobs"][0]["job_id"]


def test_task_list(flow: Flow, toy_job: str) -> None:
    listed = flow.ok("task", "list", "-l", "100")["data"]
    rows = [row for row in listed["tasks"] if row["job_id"] == toy_job]
    assert sorted((row["component_name"], row["role"], row["status"]) for row in rows) == [
        (TOY_COMPONENT, "guest", "success"), (TOY_COMPONENT, "host", "success")]
    assert listed["count"] >= len(listed["tasks"]) >= 2


def test_component_list(flow: Flow, toy_job: str) -> None:
    assert flow.ok("component", "list", "-j", toy_job)["data"] == {"components": [TOY_COMPONENT]}
    code, reply = flow.run("component", "list", "-j", "202001010000000000000")
    assert code == 0 and reply["retcode"] == 101 and "202001010000000000000" in reply["retmsg"], reply


def test_component_get_summary(flow: Flow, toy_job: str, tmp_path: Path) -> None:
    """Our components record no summary: FATE-Flow 1.11's answer for such a component; with -o, no file."""
    component = ["-j", toy_job, "-r", "guest", "-p", PARTY, "-cpn", TOY_COMPONENT]
    expected = {"retcode": 210,
                "retmsg": "No component summary found, please check if arguments are specified correctly."}
    assert flow.run("component", "get-summary", *component) == (0, expected)
    assert flow.run("component", "get-summary", *component, "-o", str(tmp_path)) == (0, expected)
    assert list(tmp_path.iterdir()) == []
    code, reply = flow.run("component", "get-summary", "-j", toy_job, "-r", "guest", "-p", PARTY, "-cpn", "nope_0")
    assert code == 0 and reply["retcode"] == 101 and "nope_0" in reply["retmsg"], reply


@ONLY_1_11
def test_server_versions(flow: Flow, compat_node: Node) -> None:
    data = flow.ok("server", "versions")["data"]
    assert (data["FATE"], data["FATEFlow"], data["API"]) == (FATE_VERSION, FATE_VERSION, "v1")
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", data["FATE_RUNTIME"]), data


@ONLY_1_11
def test_toy_test_runs_the_toy_job_and_reads_its_log(flow: Flow, compat_node: Node, tmp_path: Path) -> None:
    """`flow test toy` submits the toy job (DSL v2, no work mode, its own parameters), waits for it, downloads its
    log into ./logs/toy and prints the guest's secure_add_guest lines."""
    code, printed = flow.output("test", "toy", "-gid", PARTY, "-hid", PARTY, cwd=tmp_path)
    assert code == 0, printed
    job_id = re.search(r"toy test job (\d+) is success", printed)
    assert job_id, printed
    assert re.search(r"\[secure_add_guest\.run:\d+\] secure sum is 2000\.0 \(expected 2000\.0\)", printed), printed
    assert (tmp_path / "logs" / "toy" / f"job_{job_id.group(1)}_log" / "guest" / PARTY / "INFO.log").is_file()
