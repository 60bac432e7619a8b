"""Task processes as the node forks them: output captured in the task log, fresh random state each."""

from __future__ import annotations

from pathlib import Path

import pytest

from integration_helpers import Node
from jobs_helpers import parties_conf, submitted, wait_dsl, wait_job

pytestmark = pytest.mark.integration  # every test here starts real nodes


def _draws(node: Node, job_id: str, component: str, role: str) -> list[float]:
    reply = node.post("/v1/tracking/component/metric_data",
                      json={"job_id": job_id, "component_name": component, "role": role, "party_id": "10000",
                            "metric_namespace": "random", "metric_name": "draw"}).json()
    assert reply["retcode"] == 0, reply
    assert [name for name, _ in reply["data"]] == ["python", "numpy"], reply
    return [value for _, value in reply["data"]]


def test_task_stdout_lands_in_the_task_process_log(node: Node, tmp_path: Path) -> None:
    job = submitted(node, tmp_path, wait_dsl(("wait_0", ())), parties_conf("10000", "10000"))
    assert {row["f_status"] for row in wait_job(node, job)} == {"success"}
    for role in ("guest", "host"):
        log = node.data_dir / "logs" / job / role / "10000" / "wait_0" / "task_process.log"
        assert "wait_0 waits 0.0 s" in log.read_text()


def test_every_task_draws_its_own_random_numbers(node: Node, tmp_path: Path) -> None:
    jobs = [submitted(node, tmp_path, wait_dsl(("wait_0", ()), ("wait_1", ())), parties_conf("10000", "10000"))
            for _ in range(2)]
    draws = []
    for job in jobs:
        assert {row["f_status"] for row in wait_job(node, job)} == {"success"}
        draws += [value for component in ("wait_0", "wait_1") for role in ("guest", "host")
                  for value in _draws(node, job, component, role)]
    assert len(set(draws)) == len(draws), draws


def test_each_party_s_log_gathers_its_tasks_and_errors_as_fate_s_does(node: Node, tmp_path: Path) -> None:
    """<job>/<role>/<party>/INFO.log has every task of the party, ERROR.log its errors (what `flow test toy` reads);
    each line names the module and function that wrote it."""
    dsl = wait_dsl(("wait_0", ()), ("fail_0", ("wait_0",)))
    dsl["components"]["fail_0"]["module"] = "Fail"
    conf = parties_conf("10000", "10000", algorithm={"fail_0": {"fail_role": "host", "message": "host gives up"}})
    job = submitted(node, tmp_path, dsl, conf)
    assert {row["f_status"] for row in wait_job(node, job)} == {"failed"}
    logs = node.data_dir / "logs" / job
    host, guest = logs / "host" / "10000", logs / "guest" / "10000"
    for party, components in ((host, ("wait_0", "fail_0")), (guest, ("wait_0",))):  # (the guest's fail_0 may
        gathered = (party / "INFO.log").read_text()                                  # be stopped before it runs)
        assert "[executor.run_task:" in gathered
        for component in components:
            assert f"running {component} (" in gathered
            assert f"running {component} (" in (party / component / "INFO.log").read_text()
    errors = (host / "ERROR.log").read_text()
    assert "task failed" in errors and "RuntimeError: host gives up" in errors and "running" not in errors
    assert not (guest / "ERROR.log").exists()
