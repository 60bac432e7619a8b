"""Helpers for the job tests: nodes that load the test components, job confs, waiting for statuses.

Standalone nodes use integration_helpers.running_node; clusters are integration_helpers.NodeProcess (one per
party, cluster mode, routed to each other) that a test may kill and restart. Every process
started here is stopped here.
"""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import pytest

from integration_helpers import ROOT, Node, NodeProcess, free_port, reap_all, running_node, write_conf

HERE = Path(__file__).resolve().parent
TOY_DIR = ROOT / "examples" / "toy_example"
TOY_DSL = TOY_DIR / "toy_example_dsl.json"
TOY_CONF = TOY_DIR / "toy_example_conf.json"
NODE_ENV = {"FATE_RUNTIME_COMPONENTS": "jobs_components",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH", "")]))}
ENDED = ("success", "failed", "canceled", "timeout")
GUEST, HOST, ARBITER = "9999", "10000", "10001"


def toy_conf(guest: str = "10000", host: str = "10000", work_mode: int = 0, **algorithm: Any) -> dict[str, Any]:
    """FATE's toy example conf with other parties/work mode/algorithm parameters."""
    conf = json.loads(TOY_CONF.read_text())
    conf["initiator"]["party_id"] = int(guest)
    conf["role"] = {"guest": [int(guest)], "host": [int(host)]}
    conf["job_parameters"]["work_mode"] = work_mode
    conf["algorithm_parameters"]["secure_add_example_0"].update(algorithm)
    return conf


def toy_dsl() -> dict[str, Any]:
    return json.loads(TOY_DSL.read_text())


def wait_dsl(*chain: tuple[str, Sequence[str]], module: str = "Wait") -> dict[str, Any]:
    """A DSL v1 of Wait components: (name, upstream names) in order."""
    components = {}
    for name, upstream in chain:
        body: dict[str, Any] = {"module": module, "output": {"data": ["data"], "model": ["model"]}}
        if upstream:
            body["input"] = {"data": {"data": [f"{up}.data" for up in upstream]}}
        components[name] = body
    return {"components": components}


def parties_conf(guest: str, host: str | None = None, arbiter: str | None = None, work_mode: int = 0,
                 algorithm: dict[str, Any] | None = None, **job_parameters: Any) -> dict[str, Any]:
    roles: dict[str, list[int]] = {"guest": [int(guest)]}
    if host is not None:
        roles["host"] = [int(host)]
    if arbiter is not None:
        roles["arbiter"] = [int(arbiter)]
    return {"initiator": {"role": "guest", "party_id": int(guest)},
            "job_parameters": {"work_mode": work_mode, **job_parameters}, "role": roles,
            "algorithm_parameters": copy.deepcopy(algorithm or {})}


# ---- driving jobs ---------------------------------------------------------------------


def submit(node: Node, tmp: Path, dsl: dict[str, Any], conf: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """submit_job through the CLI with the DSL and conf written to files under `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    stamp = time.monotonic_ns()
    dsl_path = write_conf(tmp / f"dsl_{stamp}.json", dsl)
    conf_path = write_conf(tmp / f"conf_{stamp}.json", conf)
    return node.cli("-f", "submit_job", "-d", str(dsl_path), "-c", str(conf_path))


def submitted(node: Node, tmp: Path, dsl: dict[str, Any], conf: dict[str, Any]) -> str:
    code, reply = submit(node, tmp, dsl, conf)
    assert code == 0 and reply["retcode"] == 0, reply
    return reply["jobId"]


def job_token(node: Node, job_id: str) -> str:
    """The job's secret token as the node keeps it (what its initiator's calls carry)."""
    with sqlite3.connect(node.data_dir / "fate_flow.db") as db:
        row = db.execute("SELECT f_token FROM t_job_token WHERE f_job_id = ?", (job_id,)).fetchone()
    assert row is not None, f"job {job_id} has no token on the node at {node.url}"
    return str(row[0])


def cli_ok(node: Node, *args: str) -> dict[str, Any]:
    """The CLI's reply, which must be a success (exit code 0, retcode 0)."""
    code, reply = node.cli(*args)
    assert code == 0 and reply["retcode"] == 0, reply
    return reply


def job_rows(node: Node, job_id: str, **filters: Any) -> list[dict[str, Any]]:
    reply = node.post("/v1/job/query", json={"job_id": job_id, **filters}).json()
    assert reply["retcode"] == 0, reply
    return reply["data"]


def task_rows(node: Node, job_id: str, **filters: Any) -> list[dict[str, Any]]:
    reply = node.post("/v1/job/task/query", json={"job_id": job_id, **filters}).json()
    assert reply["retcode"] == 0, reply
    return reply["data"]


def wait_job(node: Node, job_id: str, statuses: Sequence[str] = ENDED, timeout: float = 60.0,
             **filters: Any) -> list[dict[str, Any]]:
    """The job's rows on `node` once every one of them has a status in `statuses`."""
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = job_rows(node, job_id, **filters)
        if rows and all(row["f_status"] in statuses for row in rows):
            return rows
        time.sleep(0.1)
    pytest.fail(f"job {job_id} did not reach {statuses} within {timeout:.0f} s: "
                f"{[(r['f_role'], r['f_party_id'], r['f_status'], r['f_retmsg']) for r in rows]}")


def wait_tasks_running(node: Node, job_id: str, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Task rows once `count` of them are running with a process id."""
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = [r for r in task_rows(node, job_id) if r["f_status"] == "running" and r.get("f_run_pid")]
        if len(rows) >= count:
            return rows
        time.sleep(0.05)
    pytest.fail(f"{count} tasks of {job_id} were not running within {timeout:.0f} s: {rows}")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pids: Sequence[int], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(pid_alive(pid) for pid in pids):
            return
        time.sleep(0.05)
    pytest.fail(f"processes still alive {timeout:.0f} s later: {[p for p in pids if pid_alive(p)]}")


# ---- nodes ---------------------------------------------------------------------------------


@contextmanager
def standalone_node(base: Path) -> Iterator[Node]:
    """A standalone node that knows the test components."""
    base.mkdir(parents=True, exist_ok=True)
    with running_node(base, env=NODE_ENV) as node:
        yield node


@contextmanager
def running_cluster(base: Path, parties: Sequence[str] = (GUEST, HOST, ARBITER),
                    extra_args: dict[str, Sequence[str]] | None = None,
                    env: dict[str, str] | None = None) -> Iterator[dict[str, NodeProcess]]:
    """One cluster-mode node per party, routed to each other (environment: NODE_ENV unless `env`); all stopped
    afterwards."""
    ports = {party: free_port() for party in parties}
    nodes = {party: NodeProcess(base / f"node_{party}", party, ports[party],
                                {p: f"127.0.0.1:{port}" for p, port in ports.items() if p != party},
                                extra_args=(extra_args or {}).get(party, ()), env=env or NODE_ENV)
             for party in parties}
    try:
        for node in nodes.values():
            node.start()
        yield nodes
    finally:
        reap_all(nodes.values())
