"""The board's API on a real standalone node: the toy job submitted while a page listens to /board/events, its
"success" pushed there, then every endpoint read for it (the list, the job, the component, its log), the submit
reply's board_url opened, and a stop of the ended job refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from integration_helpers import HTTP_TIMEOUT, Node
from jobs_helpers import standalone_node, submit, toy_conf, toy_dsl

pytestmark = pytest.mark.integration

TOY = "secure_add_example_0"
PARTY = "10000"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with standalone_node(tmp_path_factory.mktemp("board")) as started:
        yield started


def _job_events(response: requests.Response) -> Iterator[dict[str, Any]]:
    """The job rows of an open /board/events stream, as they come."""
    event = ""
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: ") and event == "job":
            yield json.loads(line[len("data: "):])


def _pushed(response: requests.Response, job_id: str, status: str) -> dict[str, Any]:
    """The first event of the job in `status` (the stream's read timeout bounds the wait)."""
    seen = []
    for row in _job_events(response):
        seen.append((row["job_id"], row["role"], row["status"], row["progress"]))
        if row["job_id"] == job_id and row["status"] == status:
            return row
    pytest.fail(f"the event stream ended without a {status} event of job {job_id}; events seen: {seen}")


def _get(node: Node, path: str) -> Any:
    response = requests.get(node.url + path, timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_board_follows_the_toy_job_and_reads_everything_of_it(node: Node, tmp_path: Path) -> None:
    # A page listens before the job starts; what the node pushes waits in the stream until read.
    with requests.get(f"{node.url}/board/events", stream=True, timeout=HTTP_TIMEOUT) as events:
        assert events.status_code == 200 and events.headers["Content-Type"].startswith("text/event-stream")
        code, reply = submit(node, tmp_path, toy_dsl(), toy_conf())
        assert code == 0 and reply["retcode"] == 0, reply
        job_id = reply["jobId"]
        pushed = _pushed(events, job_id, "success")
    assert pushed["progress"] == 100 and pushed["end_time"] >= pushed["start_time"] > 0
    assert pushed["initiator"] == {"role": "guest", "party_id": PARTY}

    page = requests.get(reply["data"]["board_url"], timeout=HTTP_TIMEOUT)
    assert reply["data"]["board_url"] == f"{node.url}/board/jobs/{job_id}/guest/{PARTY}"
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")

    listed = _get(node, f"/board/api/jobs?q={job_id[-6:]}&status=success")["jobs"]
    assert {(row["job_id"], row["role"], row["status"], row["progress"]) for row in listed} >= {
        (job_id, "guest", "success", 100), (job_id, "host", "success", 100)}
    assert [row["job_id"] for row in _get(node, "/board/api/jobs?status=running")["jobs"]] == []

    job = _get(node, f"/board/api/jobs/{job_id}/guest/{PARTY}")
    assert job["job"]["is_initiator"] and job["dsl"] == toy_dsl() and job["conf"]["initiator"]["role"] == "guest"
    assert {(p["role"], p["party_id"], p["status"]) for p in job["parties"]} == {
        ("guest", PARTY, "success"), ("host", PARTY, "success")}
    assert [(c["name"], c["module"], c["status"], c["progress"]) for c in job["dag"]["components"]] == [
        (TOY, "SecureAddExample", "success", 100)]
    assert job["dag"]["edges"] == []

    component = _get(node, f"/board/api/jobs/{job_id}/guest/{PARTY}/components/{TOY}")
    assert (component["name"], component["module"], component["status"]) == (TOY, "SecureAddExample", "success")
    assert component["parameters"]
    assert [(m["namespace"], m["name"], m["type"]) for m in component["metrics"]] == [
        ("secure_add", "result", "SECURE_ADD")]

    log_path = f"/board/api/jobs/{job_id}/guest/{PARTY}/components/{TOY}/log"
    log = _get(node, log_path)
    assert "secure_add_guest" in log["text"] and log["text"].endswith("\n") and log["offset"] > 0
    assert _get(node, f"{log_path}?offset={log['offset']}") == {"text": "", "offset": log["offset"]}

    stop = requests.post(f"{node.url}/board/api/jobs/{job_id}/stop", headers={"Origin": node.url},
                         timeout=HTTP_TIMEOUT)
    assert stop.status_code == 400 and stop.json()["retmsg"] == f"job {job_id} has already ended (success)"


def test_an_open_event_stream_ends_when_its_node_stops(tmp_path: Path) -> None:
    with standalone_node(tmp_path / "node") as stopping:
        events = requests.get(f"{stopping.url}/board/events", stream=True, timeout=HTTP_TIMEOUT)
        assert events.status_code == 200
        lines = events.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 3000"
    # the node stopped cleanly (standalone_node checks that) with the page still open: its stream has ended
    with events:
        try:
            assert [line for line in lines if line] == [": connected"]
        except requests.exceptions.ChunkedEncodingError:
            pass  # the process ended before it wrote the last chunk: ended all the same
