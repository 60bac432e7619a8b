"""The board's routes (/board) against a fake node: the pages, the JSON API, the event stream, stop - each request
message, each shape, each refusal (HTTP 4xx/5xx with one sentence), with no app keys (open on loopback)."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest
import requests

from flow_api.board import events as board_events, routes
from flow_api.board.events import StreamSlots
from flow_api_fakes import FakeFlow, HttpServer, abort, job_rows, message, metric, output_page, returns, streams, \
    task_rows
from protos import flow_pb2

JOB = "20261201000000000001"
BASE = f"/board/api/jobs/{JOB}/guest/9999"
ROLES = {"guest": [9999], "host": [10000], "arbiter": [10000]}
CONF = {"initiator": {"role": "guest", "party_id": 9999}, "role": ROLES}
DSL = {"components": {
    "reader_0": {"module": "Reader"},
    "lr_0": {"module": "HeteroLR", "input": {"data": {"train_data": ["reader_0.data"]}}},
    "lr_1": {"module": "HeteroLR", "input": {"data": {"data": ["reader_0.data"]}, "model": ["lr_0.model"]}}}}
ROW = {"job_id": JOB, "role": "guest", "party_id": "9999", "status": "success", "progress": 100,
       "initiator_party_id": "9999", "is_initiator": True, "roles": ROLES, "runtime_conf": CONF, "dsl": DSL,
       "create_time": 1000, "start_time": 1100, "end_time": 1600, "elapsed": 500}
BOARD_ROW = {"job_id": JOB, "role": "guest", "party_id": "9999", "status": "success", "progress": 100,
             "create_time": 1000, "start_time": 1100, "end_time": 1600, "elapsed": 500,
             "initiator": {"role": "guest", "party_id": "9999"}, "is_initiator": True}
DAG = flow_pb2.DagReply(components=[
    flow_pb2.DagComponent(name="reader_0", module="Reader", need_run=True),
    flow_pb2.DagComponent(name="lr_0", module="HeteroLR", upstream=["reader_0"], need_run=True),
    flow_pb2.DagComponent(name="lr_1", module="HeteroLR", upstream=["reader_0", "lr_0"], need_run=True)])
SAME_ORIGIN = {"Origin": "http://localhost"}


def _task(component: str, status: str, **times: int) -> dict[str, Any]:
    return {"job_id": JOB, "component_name": component, "role": "guest", "party_id": "9999", "status": status,
            **times}


def _refusal(response: Any, status: int, retmsg: str) -> None:
    assert response.status_code == status, response.data
    body = response.get_json()
    assert body["retcode"] != 0 and retmsg in body["retmsg"], body


# ---- pages and assets ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/board/", f"/board/jobs/{JOB}", f"/board/jobs/{JOB}/guest/9999",
                                  f"/board/jobs/{JOB}/guest/9999/components/lr_0"])
def test_every_page_is_the_app_s_index(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.data == (Path(routes.STATIC_DIR) / "index.html").read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_assets_are_served_with_cache_headers_and_no_listing(client: Any) -> None:
    response = client.get("/board/static/app.js")
    assert response.status_code == 200 and response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["ETag"]
    assert client.get("/board/static/app.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/board/static/").status_code == 404
    assert client.get("/board/static/nothing.js").status_code == 404
    assert client.get("/board/static/../routes.py").status_code == 404


@pytest.mark.parametrize(("path", "retmsg"), [
    ("/board/jobs/123", "job id '123' is not a job id (20 to 40 digits)"),
    (f"/board/jobs/{JOB}/judge/9999", "role 'judge' is not a role"),
    (f"/board/jobs/{JOB}/guest/-1", "party id '-1' is not a party id"),
    (f"/board/jobs/{JOB}/guest/9999/components/a.b", "component 'a.b' is not a component name"),
])
def test_a_page_with_a_bad_identifier_is_refused_naming_it(client: Any, path: str, retmsg: str) -> None:
    _refusal(client.get(path), 400, retmsg)


# ---- the job list -------------------------------------------------------------------------------------


def test_the_job_list_asks_the_node_with_status_part_and_limit_and_shapes_its_rows(client: Any,
                                                                                     fake: FakeFlow) -> None:
    running = {**ROW, "job_id": "20261201000000000002", "status": "running", "progress": 50, "end_time": None,
               "elapsed": None, "start_time": round(time.time() * 1000) - 2000, "role": "host", "party_id": "10000",
               "is_initiator": False}
    del running["end_time"], running["elapsed"]
    fake.answers["SearchJobs"] = job_rows(running, ROW)
    jobs = client.get("/board/api/jobs?status=running&q=0002&limit=7").get_json()["jobs"]
    assert fake.last("SearchJobs") == flow_pb2.JobSearch(status="running", job_id_part="0002", limit=7)
    assert jobs[1] == BOARD_ROW
    assert (jobs[0]["status"], jobs[0]["end_time"], jobs[0]["is_initiator"]) == ("running", None, False)
    assert 2000 <= jobs[0]["elapsed"] < 60_000  # while it runs: the time so far
    client.get("/board/api/jobs")
    assert fake.last("SearchJobs") == flow_pb2.JobSearch(limit=100)


@pytest.mark.parametrize(("query", "retmsg"), [
    ("status=done", "status 'done' is not a job status"),
    ("q=2026%25", "q '2026%' is not a part of a job id (up to 40 digits)"),
    ("limit=-1", "limit '-1' is not a number from 0 to 1000"),
    ("limit=1001", "limit '1001' is not a number from 0 to 1000"),
])
def test_a_bad_job_list_query_is_refused_before_the_node_is_asked(client: Any, fake: FakeFlow, query: str,
                                                                  retmsg: str) -> None:
    _refusal(client.get(f"/board/api/jobs?{query}"), 400, retmsg)
    assert fake.calls == []


def test_the_node_s_refusal_keeps_its_sentence_and_gets_its_http_status(client: Any, fake: FakeFlow) -> None:
    fake.answers["SearchJobs"] = abort(grpc.StatusCode.UNAVAILABLE, "gone")
    _refusal(client.get("/board/api/jobs"), 503, "is not reachable")
    fake.answers["QueryJob"] = abort(grpc.StatusCode.NOT_FOUND, f"job {JOB} does not exist")
    _refusal(client.get(BASE), 404, f"job {JOB} does not exist")


# ---- a job ----------------------------------------------------------------------------------------------


def test_a_job_page_has_its_row_conf_dsl_parties_and_dag_with_task_states_and_edge_kinds(client: Any,
                                                                                        fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows(ROW, {**ROW, "role": "host", "party_id": "10000", "status": "failed"})
    fake.answers["DagDependency"] = returns(DAG)
    fake.answers["QueryTask"] = task_rows(_task("reader_0", "success", start_time=1100, end_time=1200, elapsed=100),
                                          _task("lr_0", "failed", start_time=1200, end_time=1300, elapsed=100))
    page = client.get(BASE).get_json()
    assert dict(fake.last("QueryJob").filters) == {"job_id": JOB}
    assert fake.last("DagDependency") == flow_pb2.JobRef(job_id=JOB, role="guest", party_id="9999")
    assert dict(fake.last("QueryTask").filters) == {"job_id": JOB, "role": "guest", "party_id": "9999"}
    assert page["job"] == BOARD_ROW and page["conf"] == CONF and page["dsl"] == DSL
    assert page["parties"] == [
        {"role": "guest", "party_id": "9999", "status": "success", "local": True},
        {"role": "host", "party_id": "10000", "status": "failed", "local": True},
        {"role": "arbiter", "party_id": "10000", "status": None, "local": False}]  # served by another node
    assert page["dag"]["components"] == [
        {"name": "reader_0", "module": "Reader", "status": "success", "progress": 100, "start_time": 1100,
         "end_time": 1200, "elapsed": 100},
        {"name": "lr_0", "module": "HeteroLR", "status": "failed", "progress": 0, "start_time": 1200,
         "end_time": 1300, "elapsed": 100},
        {"name": "lr_1", "module": "HeteroLR", "status": None, "progress": 0, "start_time": None,
         "end_time": None, "elapsed": None}]
    assert page["dag"]["edges"] == [{"from": "reader_0", "to": "lr_0", "kind": "data"},
                                    {"from": "reader_0", "to": "lr_1", "kind": "data"},
                                    {"from": "lr_0", "to": "lr_1", "kind": "model"}]


def test_a_job_without_the_party_asked_is_not_found(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows(ROW)
    _refusal(client.get(f"/board/api/jobs/{JOB}/host/10000"), 404, f"job {JOB} has no party host 10000 on this node")


@pytest.mark.parametrize("path", [f"/board/api/jobs/x{JOB}/guest/9999", f"/board/api/jobs/{JOB}/guest/abc",
                                  f"/board/api/jobs/{JOB}/guests/9999", f"{BASE}/components/lr%200",
                                  f"{BASE}/components/lr_0/log?offset=x"])
def test_a_bad_identifier_in_the_api_is_refused_before_the_node_is_asked(client: Any, fake: FakeFlow,
                                                                         path: str) -> None:
    assert client.get(path).status_code == 400
    assert fake.calls == []


# ---- a component ------------------------------------------------------------------------------------------


def test_a_component_panel_has_its_parameters_metrics_first_rows_and_model(client: Any, fake: FakeFlow) -> None:
    fake.answers["DagDependency"] = returns(DAG)
    fake.answers["QueryTask"] = task_rows(_task("lr_0", "success"))
    fake.answers["ComponentParameters"] = returns(message(flow_pb2.ParametersReply, module="HeteroLR",
                                                          parameters={"max_iter": 3}))
    fake.answers["ComponentMetricAll"] = streams(
        metric("train", "loss", [(0, 0.69), (1, 0.6), (2, 0.55)], {"metric_type": "LOSS", "name": "loss"}),
        metric("train", "notes", [("a", 1)], None))
    fake.answers["ComponentOutputData"] = streams(output_page([["1", 0.5]], ["id", "score"], 568),
                                                  output_page([["2", 0.7]]))
    fake.answers["ComponentOutputModel"] = returns(flow_pb2.OutputModelReply(
        module="HeteroLR", alias="model", model_id="m", model_version=JOB,
        buffers=[flow_pb2.ModelBuffer(name="HeteroLogisticRegressionMeta", type="Meta", json='{"penalty": "L2"}'),
                 flow_pb2.ModelBuffer(name="HeteroLogisticRegressionParam", type="Param",
                                      json='{"weight": {"x0": 0.5}}')]))
    panel = client.get(f"{BASE}/components/lr_0").get_json()
    ref = flow_pb2.ComponentRef(job_id=JOB, component_name="lr_0", role="guest", party_id="9999")
    assert dict(fake.last("QueryTask").filters) == {"job_id": JOB, "role": "guest", "party_id": "9999",
                                                    "component_name": "lr_0"}
    assert fake.last("ComponentParameters") == ref and fake.last("ComponentMetricAll") == ref
    assert fake.last("ComponentOutputData") == flow_pb2.OutputDataRequest(component=ref, limit=100)
    assert (panel["name"], panel["module"], panel["status"]) == ("lr_0", "HeteroLR", "success")
    assert panel["parameters"] == {"max_iter": 3}
    assert panel["metrics"] == [
        {"namespace": "train", "name": "loss", "type": "LOSS", "data": [[0, 0.69], [1, 0.6], [2, 0.55]],
         "meta": {"metric_type": "LOSS", "name": "loss"}},
        {"namespace": "train", "name": "notes", "type": None, "data": [["a", 1]], "meta": {}}]
    assert panel["output_data"] == {"header": ["id", "score"], "rows": [["1", 0.5], ["2", 0.7]], "total": 568}
    assert panel["model"] == {"name": "model", "module": "HeteroLR", "data": {"weight": {"x0": 0.5}}, "meta": {
        "module_name": "HeteroLR", "model_alias": "model", "model_id": "m", "model_version": JOB,
        "buffers": {"HeteroLogisticRegressionMeta": "Meta", "HeteroLogisticRegressionParam": "Param"}}}


def test_a_component_that_has_not_run_has_no_parameters_output_or_model(client: Any, fake: FakeFlow) -> None:
    fake.answers["DagDependency"] = returns(DAG)
    fake.answers["QueryTask"] = task_rows()
    fake.answers["ComponentParameters"] = abort(grpc.StatusCode.NOT_FOUND, "component lr_1 has not run")
    fake.answers["ComponentMetricAll"] = streams()
    fake.answers["ComponentOutputData"] = abort(grpc.StatusCode.NOT_FOUND, "lr_1 has no output data")
    fake.answers["ComponentOutputModel"] = returns(flow_pb2.OutputModelReply(module="HeteroLR"))
    assert client.get(f"{BASE}/components/lr_1").get_json() == {
        "name": "lr_1", "module": "HeteroLR", "status": None, "parameters": {}, "metrics": [], "output_data": None,
        "model": None}


def test_an_unknown_component_is_not_found(client: Any, fake: FakeFlow) -> None:
    fake.answers["DagDependency"] = returns(DAG)
    _refusal(client.get(f"{BASE}/components/nothing_0"), 404, f"job {JOB} has no component nothing_0")
    assert [method for method, _ in fake.calls] == ["DagDependency"]
    fake.answers["ComponentLog"] = abort(grpc.StatusCode.NOT_FOUND, f"job {JOB} has no component nothing_0")
    _refusal(client.get(f"{BASE}/components/nothing_0/log"), 404, f"job {JOB} has no component nothing_0")


def test_a_component_log_is_read_from_the_offset_given(client: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentLog"] = returns(flow_pb2.ComponentLogReply(text="line\n", offset=105))
    assert client.get(f"{BASE}/components/lr_0/log?offset=100").get_json() == {"text": "line\n", "offset": 105}
    assert fake.last("ComponentLog") == flow_pb2.ComponentLogRequest(component=flow_pb2.ComponentRef(
        job_id=JOB, component_name="lr_0", role="guest", party_id="9999"), offset=100)
    client.get(f"{BASE}/components/lr_0/log")
    assert fake.last("ComponentLog").offset == 0


# ---- stop ----------------------------------------------------------------------------------------------------


def test_stop_from_a_page_of_this_server_stops_the_job(client: Any, fake: FakeFlow) -> None:
    fake.answers["StopJob"] = returns(flow_pb2.StopJobReply(status="killed"))
    response = client.post(f"/board/api/jobs/{JOB}/stop", headers=SAME_ORIGIN)
    assert response.status_code == 200
    assert response.get_json() == {"retcode": 0, "retmsg": f"job {JOB} is stopped"}
    assert fake.last("StopJob") == flow_pb2.JobRef(job_id=JOB)


@pytest.mark.parametrize(("headers", "retmsg"), [
    ({}, "stopping a job from the board needs the request's Origin header"),
    ({"Origin": "http://evil.example"}, "a page of http://evil.example may not stop jobs on this node"),
    ({"Origin": "http://localhost:9380"}, "a page of http://localhost:9380 may not stop jobs on this node"),
])
def test_stop_from_anywhere_else_is_refused(client: Any, fake: FakeFlow, headers: dict[str, str],
                                            retmsg: str) -> None:
    _refusal(client.post(f"/board/api/jobs/{JOB}/stop", headers=headers), 403, retmsg)
    assert fake.calls == []


def test_stop_of_an_ended_job_says_why_not(client: Any, fake: FakeFlow) -> None:
    fake.answers["StopJob"] = abort(grpc.StatusCode.INVALID_ARGUMENT, f"job {JOB} has already ended (success)")
    _refusal(client.post(f"/board/api/jobs/{JOB}/stop", headers=SAME_ORIGIN), 400, "has already ended (success)")
    _refusal(client.post("/board/api/jobs/1/stop", headers=SAME_ORIGIN), 400, "'1' is not a job id")


def test_the_board_answers_only_at_this_machine_s_own_names(client: Any, fake: FakeFlow) -> None:
    """(a page elsewhere that points a DNS name at 127.0.0.1 reaches no job)"""
    fake.answers["SearchJobs"] = job_rows()
    for host in ("127.0.0.1:9380", "localhost", "[::1]:9380"):
        assert client.get("/board/api/jobs", headers={"Host": host}).status_code == 200
    _refusal(client.get("/board/api/jobs", headers={"Host": "evil.example:9380"}), 403,
             "the board answers only at this machine's own names")
    page = client.get("/board/", headers={"Host": "evil.example"})
    assert page.status_code == 403 and b"own names" in page.data and page.mimetype == "text/html"


# ---- the event stream -----------------------------------------------------------------------------------------


class Watches:
    """WatchJobs of the fake node: each call sends `changes`, then keep-alives as often as asked until its caller
    goes."""

    def __init__(self, *changes: flow_pb2.JobChange) -> None:
        self.changes = changes
        self.open = 0
        self.ended = threading.Semaphore(0)
        self._lock = threading.Lock()

    def __call__(self, request: flow_pb2.WatchJobsRequest, context: grpc.ServicerContext) -> Iterator[Any]:
        gone = threading.Event()
        context.add_callback(gone.set)
        with self._lock:
            self.open += 1
        try:
            yield from self.changes
            while not gone.wait(request.keepalive_seconds):
                yield flow_pb2.JobChange(keepalive=True)
        finally:
            with self._lock:
                self.open -= 1
            self.ended.release()


def _open_stream(url: str) -> requests.Response:
    response = requests.get(f"{url}/board/events", stream=True, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    return response


def _events(response: requests.Response) -> Iterator[str]:
    """The stream's events and comments, each as its lines joined."""
    block: list[str] = []
    for line in response.iter_lines(decode_unicode=True):
        if line:
            block.append(line)
        elif block:
            yield "\n".join(block)
            block = []


@pytest.fixture
def slots(flow_app: Any) -> Iterator[StreamSlots]:
    """At most 2 event streams for the test, a keep-alive every second."""
    before = flow_app.config["BOARD_STREAMS"]
    flow_app.config["BOARD_STREAMS"] = StreamSlots(2, keepalive=1)
    yield flow_app.config["BOARD_STREAMS"]
    flow_app.config["BOARD_STREAMS"] = before


def test_events_stream_each_job_change_as_a_job_event_and_keep_alives(http_server: HttpServer, fake: FakeFlow,
                                                                      slots: StreamSlots) -> None:
    watches = Watches(flow_pb2.JobChange(job=message(flow_pb2.JobRow, **ROW)))
    fake.answers["WatchJobs"] = watches
    with _open_stream(http_server.url) as response:
        events = _events(response)
        assert next(events) == "retry: 3000\n: connected"
        event = next(events)
        assert event.startswith("event: job\ndata: ")
        assert json.loads(event.split("data: ", 1)[1]) == BOARD_ROW
        assert next(events) == ": keep-alive"
    assert fake.last("WatchJobs") == flow_pb2.WatchJobsRequest(keepalive_seconds=1)
    assert watches.ended.acquire(timeout=10)  # the page went: its watch on the node ended
    _wait(lambda: slots.open == 0)


def test_more_event_streams_than_the_bound_are_refused_until_one_closes(http_server: HttpServer, fake: FakeFlow,
                                                                        slots: StreamSlots) -> None:
    watches = Watches()
    fake.answers["WatchJobs"] = watches
    first, second = _open_stream(http_server.url), _open_stream(http_server.url)
    try:
        refused = requests.get(f"{http_server.url}/board/events", timeout=10)
        assert refused.status_code == 503
        assert refused.json()["retmsg"] == ("the board has 2 event streams open already; close a board tab and "
                                            "reload this one")
        first.close()
        _wait(lambda: slots.open == 1)
        with _open_stream(http_server.url) as third:
            assert next(_events(third)) == "retry: 3000\n: connected"
    finally:
        first.close()
        second.close()
    _wait(lambda: slots.open == 0 and watches.open == 0)


def test_an_event_stream_ends_when_the_node_ends_the_watch(http_server: HttpServer, fake: FakeFlow,
                                                           slots: StreamSlots) -> None:
    fake.answers["WatchJobs"] = streams(flow_pb2.JobChange(keepalive=True))  # a node that stops
    with _open_stream(http_server.url) as response:
        assert list(_events(response)) == ["retry: 3000\n: connected", ": keep-alive"]  # and the body is complete
    _wait(lambda: slots.open == 0)
    fake.answers["WatchJobs"] = abort(grpc.StatusCode.UNAVAILABLE, "gone")
    with _open_stream(http_server.url) as response:
        assert list(_events(response)) == ["retry: 3000\n: connected"]
    _wait(lambda: slots.open == 0)


def _wait(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.02)


def test_a_page_that_stops_reading_cannot_hold_its_stream(http_server: HttpServer, fake: FakeFlow,
                                                          slots: StreamSlots, monkeypatch: Any) -> None:
    monkeypatch.setattr(board_events, "WRITE_TIMEOUT_SECONDS", 1)
    watches = Watches(*[flow_pb2.JobChange(job=message(flow_pb2.JobRow, **ROW))] * 50_000)  # ~15 MB of events
    fake.answers["WatchJobs"] = watches
    stuck = socket.create_connection(("127.0.0.1", http_server.server.port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        stuck.sendall(b"GET /board/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # and never reads
        _wait(lambda: slots.open == 1)
        _wait(lambda: slots.open == 0, timeout=20)  # a write blocked for a second ended the stream
        assert watches.ended.acquire(timeout=10)
    finally:
        stuck.close()
