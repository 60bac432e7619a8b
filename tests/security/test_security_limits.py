"""Limits and messages, replayed against a real node: oversized fields, huge DSLs, odd text, deep JSON,
and replies larger than one gRPC message.

Before: a 10 MB `notes` made `/v1/job/query {}` fail for good ("the request is too large"), a
100,000-component DSL held the node for 25 s at 817 MB, and `²`, a lone surrogate or JSON nested
1,000 deep answered "the REST layer failed".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest
import requests

from integration_helpers import HTTP_TIMEOUT, Node, assert_readable, running_node
from jobs_helpers import NODE_ENV, parties_conf, submitted, wait_dsl, wait_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with running_node(tmp_path_factory.mktemp("limits"), env=NODE_ENV) as running:
        yield running


def _raw(node: Node, path: str, body: str) -> dict:
    reply = requests.post(node.url + path, data=body.encode("utf-8", "surrogatepass"),
                          headers={"Content-Type": "application/json"}, timeout=HTTP_TIMEOUT).json()
    assert reply["retcode"] == 100, reply
    assert_readable(reply["retmsg"])
    return reply


def test_oversized_notes_are_refused_at_entry_and_queries_keep_working(node: Node, tmp_path: Path) -> None:
    job = submitted(node, tmp_path, wait_dsl(("wait_0", [])), parties_conf("9999", "10000"))
    wait_job(node, job)
    reply = node.post("/v1/job/update", json={"job_id": job, "role": "guest", "party_id": "9999",
                                              "notes": "n" * (10 << 20)}).json()
    assert reply == {"retcode": 100, "retmsg": "notes is longer than 10000 characters"}
    assert node.post("/v1/job/query", json={}).json()["retcode"] == 0
    assert node.post("/v1/data/upload/history", json={}).json()["retcode"] == 0


def test_replies_larger_than_one_message_arrive_in_pages(node: Node, tmp_path: Path) -> None:
    """Three jobs whose confs hold 7 MB each: the job list (six rows, ~42 MB) is more than any one gRPC
    message between the REST layer and the node may carry."""
    jobs = []
    for index in range(3):
        conf = parties_conf("9999", "10000", padding=f"{index}" * (7 << 20))
        jobs.append(submitted(node, tmp_path / str(index), wait_dsl(("wait_0", [])), conf))
    for job in jobs:
        wait_job(node, job)
    reply = node.post("/v1/job/query", json={}).json()
    assert reply["retcode"] == 0, {k: v for k, v in reply.items() if k != "data"}
    padded = [row for row in reply["data"] if row["f_job_id"] in jobs]
    assert len(padded) == 6
    assert all(len(row["f_runtime_conf"]["job_parameters"]["padding"]) == 7 << 20 for row in padded)


def test_a_dsl_with_a_hundred_thousand_components_is_refused_in_one_sentence(node: Node) -> None:
    dsl = {"components": {f"wait_{i}": {"module": "Wait"} for i in range(100_000)}}
    reply = node.post("/v1/job/submit", json={"job_dsl": dsl, "job_runtime_conf": parties_conf("9999", "10000")}).json()
    assert reply == {"retcode": 100, "retmsg": "job_dsl.components holds 100000 components; a job may have at "
                                               "most 1000"}


@pytest.mark.parametrize("path, body, message", [
    ("/v1/data/upload", '{"namespace": "n", "table_name": "t", "partition": "²", "file": "x.csv"}',
     "partition must be an integer"),
    ("/v1/table/table_info", '{"namespace": "\\ud800", "table_name": "t"}',
     "the field namespace has text that is not valid Unicode"),
    ("/v1/job/submit", '{"job_runtime_conf": ' + "[" * 1000 + "]" * 1000 + "}",
     "the request body is nested more than 64 levels deep"),
    ("/v1/job/query", '{"job_id": "' + "1" * 5000 + '"}', "job_id is longer than 4096 characters"),
    ("/v1/job/query", '{"party_id": "../x"}', "party_id '../x' is not a party id"),
    ("/v1/job/task/query", '{"job_id": "/etc"}', "job_id '/etc' is not a job id"),
])
def test_odd_text_and_shapes_are_named(node: Node, path: str, body: str, message: str) -> None:
    reply = _raw(node, path, body)
    assert reply["retmsg"].startswith(message), reply


def test_party_ids_in_a_submitted_conf_are_named(node: Node) -> None:
    for party, shown in (("../x", "'../x'"), ("9" * 5000, "'999"), ("10000\u0000", "'10000\\x00'")):
        conf = parties_conf("9999", "10000")
        conf["role"]["host"] = [party]
        reply = node.post("/v1/job/submit", json={"job_dsl": wait_dsl(("wait_0", [])), "job_runtime_conf": conf}).json()
        assert reply["retcode"] == 100 and reply["retmsg"].startswith(
            f"job_runtime_conf.role.host entry {shown}"), reply
        assert "is not a party id" in reply["retmsg"] and len(reply["retmsg"]) < 200, reply
    assert json.loads(json.dumps(node.post("/v1/job/query", json={"party_id": "9999"}).json()))["retcode"] in (0, 101)
