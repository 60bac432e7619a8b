"""What fate-client's `flow` 1.5 - 1.11 calls beyond FATE-Flow 1.3, against a fake node: job and task lists (FATE-Flow
1.11's pages), the job log by POST, a job's components, component summaries, the server's versions."""

from __future__ import annotations

from typing import Any, Iterator

import grpc
import pytest

from flow_api.client_routes import FATE_VERSION
from flow_api_fakes import FakeFlow, abort, job_rows, message, returns, stream, streams, task_rows
from protos import flow_pb2

ROLES = {"guest": [9999], "host": [10000], "arbiter": [10000]}


def job(job_id: str, role: str, party_id: str, created: int, **more: Any) -> dict[str, Any]:
    return {"job_id": job_id, "role": role, "party_id": party_id, "status": "success", "roles": ROLES,
            "dsl": {}, "runtime_conf": {}, "create_time": created, "update_time": created, **more}


JOBS = [job("j1", "guest", "9999", 100, start_time=150), job("j2", "host", "10000", 300),
        job("j3", "arbiter", "10000", 200, start_time=250)]


def test_the_job_list_is_fate_1_11_s_newest_first(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows(*JOBS)
    reply = client.post("/v1/job/list/job", json={"limit": 10}).get_json()
    assert reply["retcode"] == 0 and reply["data"]["count"] == 3
    listed = reply["data"]["jobs"]
    assert [row["job_id"] for row in listed] == ["j2", "j3", "j1"]
    first = listed[0]
    assert not [key for key in first if key.startswith("f_")]
    assert (first["role"], first["party_id"], first["status"], first["roles"]) == ("host", 10000, "success", ROLES)
    assert [row["partners"] for row in listed] == [[9999], [9999], [10000]]  # the job's other parties
    assert dict(fake.last("QueryJob").filters) == {} and not fake.last("QueryJob").limit


@pytest.mark.parametrize("body, expected", [
    ({"limit": 2}, ["j2", "j3"]),
    ({"limit": 2, "page": 2}, ["j1"]),
    ({"limit": 2, "page": 3}, []),
    ({"limit": 0}, ["j2", "j3", "j1"]),
    ({"order_by": "job_id"}, ["j1", "j2", "j3"]),
    ({"order_by": "job_id", "order": "desc"}, ["j3", "j2", "j1"]),
    ({"order_by": "start_time", "order": "asc"}, ["j2", "j1", "j3"]),  # not started yet: first
    ({"order": "asc"}, ["j1", "j3", "j2"]),
], ids=["limit", "page 2", "past the end", "no limit", "by job id", "by job id desc", "by start", "oldest first"])
def test_the_job_list_pages_and_orders(client: Any, fake: FakeFlow, body: dict[str, Any],
                                       expected: list[str]) -> None:
    fake.answers["QueryJob"] = job_rows(*JOBS)
    data = client.post("/v1/job/list/job", json=body).get_json()["data"]
    assert [row["job_id"] for row in data["jobs"]] == expected and data["count"] == 3


def test_the_job_list_filters_at_the_node_one_query_per_listed_value(client: Any, fake: FakeFlow) -> None:
    def answer(query: flow_pb2.JobQuery, context: grpc.ServicerContext) -> Iterator[flow_pb2.JobRow]:
        return iter([message(flow_pb2.JobRow, **row) for row in JOBS if row["role"] == query.filters["role"]])

    fake.answers["QueryJob"] = answer
    data = client.post("/v1/job/list/job", json={"role": ["guest", "host"], "status": "success",
                                                 "party_id": 10000}).get_json()["data"]
    assert sorted(row["job_id"] for row in data["jobs"]) == ["j1", "j2"] and data["count"] == 2
    assert sorted(tuple(sorted(q.filters.items())) for q in fake.requests("QueryJob")) == [
        (("party_id", "10000"), ("role", "guest"), ("status", "success")),
        (("party_id", "10000"), ("role", "host"), ("status", "success"))]


@pytest.mark.parametrize("body, words", [
    ({"limit": -1}, "limit must be 0 (every row) or more"),
    ({"limit": "ten"}, "limit must be an integer"),
    ({"page": 0}, "page must be 1 or more"),
    ({"order_by": "f_status"}, "order_by must be one of job_id, create_time"),
    ({"order": "up"}, "order must be asc or desc"),
    ({"partner": 10000}, "cannot be filtered by partner"),
    ({"job_id": "j1"}, "cannot be filtered by job_id"),
    ({"party_id": [9999]}, "party_id must be a string"),
], ids=["negative limit", "limit not a number", "page 0", "order_by", "order", "partner", "job id", "party list"])
def test_the_job_list_refuses_what_it_cannot_do(client: Any, fake: FakeFlow, body: dict[str, Any],
                                                words: str) -> None:
    reply = client.post("/v1/job/list/job", json=body).get_json()
    assert reply["retcode"] == 100 and words in reply["retmsg"], reply
    assert fake.requests("QueryJob") == []


def test_the_task_list_is_oldest_first_and_filters_at_the_node(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryTask"] = task_rows(
        {"job_id": "j1", "component_name": "b_0", "role": "guest", "party_id": "9999", "create_time": 20},
        {"job_id": "j1", "component_name": "a_0", "role": "guest", "party_id": "9999", "create_time": 10,
         "run_pid": 42})
    body = {"job_id": "j1", "role": "guest", "party_id": "9999", "component_name": "a_0", "limit": 1}
    reply = client.post("/v1/job/list/task", json=body).get_json()
    assert reply["retcode"] == 0 and reply["data"]["count"] == 2
    [task] = reply["data"]["tasks"]
    assert (task["component_name"], task["run_pid"], task["create_time"]) == ("a_0", 42, 10)
    assert not [key for key in task if key.startswith("f_")]
    assert dict(fake.last("QueryTask").filters) == {"job_id": "j1", "role": "guest", "party_id": "9999",
                                                     "component_name": "a_0"}
    assert client.post("/v1/job/list/task", json={"status": "success"}).get_json()["retcode"] == 100


def test_the_job_log_downloads_by_post(client: Any, fake: FakeFlow) -> None:
    fake.answers["JobLog"] = stream(b"a tar.gz archive")
    response = client.post("/v1/job/log/download", json={"job_id": "j1", "output_path": "/client/logs"})
    assert response.status_code == 200 and response.get_data() == b"a tar.gz archive"
    assert "job_j1_log.tar.gz" in response.headers["Content-Disposition"]
    assert fake.last("JobLog").job_id == "j1"
    fake.answers["JobLog"] = abort(grpc.StatusCode.NOT_FOUND, "job j9 has no logs on this node")
    response = client.post("/v1/job/log/download", json={"job_id": "j9"})
    assert response.status_code == 404
    assert response.get_json() == {"retcode": 101, "retmsg": "job j9 has no logs on this node"}


def test_the_component_list_is_the_job_s_plan(client: Any, fake: FakeFlow) -> None:
    fake.answers["DagDependency"] = returns(flow_pb2.DagReply(components=[
        flow_pb2.DagComponent(name="reader_0", module="Reader"), flow_pb2.DagComponent(name="dataio_0")]))
    reply = client.post("/v1/tracking/component/list", json={"job_id": "j1"}).get_json()
    assert reply == {"retcode": 0, "retmsg": "success", "data": {"components": ["reader_0", "dataio_0"]}}
    assert (fake.last("DagDependency").job_id, fake.last("DagDependency").role) == ("j1", "")
    assert client.post("/v1/tracking/component/list", json={}).get_json() == {
        "retcode": 100, "retmsg": "the following arguments are required: job_id"}
    fake.answers["DagDependency"] = abort(grpc.StatusCode.NOT_FOUND, "job j9 does not exist")
    assert client.post("/v1/tracking/component/list", json={"job_id": "j9"}).get_json()["retcode"] == 101


REF = {"job_id": "j1", "component_name": "reader_0", "role": "guest", "party_id": "9999"}


def test_a_component_has_no_summary_as_fate_answers_it(client: Any, fake: FakeFlow) -> None:
    """Never HTTP 200: `flow component get-summary -o` would write the reply into the summary file."""
    fake.answers["ComponentMetrics"] = returns(flow_pb2.MetricNames())
    response = client.post("/v1/tracking/component/summary/download",
                           json={**REF, "filename": "summary_reader_0.json", "output_path": "/client/summary.json"})
    assert response.status_code == 404
    assert response.get_json() == {
        "retcode": 210, "retmsg": "No component summary found, please check if arguments are specified correctly."}
    sent = fake.last("ComponentMetrics")
    assert (sent.job_id, sent.component_name, sent.role, sent.party_id) == ("j1", "reader_0", "guest", "9999")


def test_a_summary_of_an_unknown_component_names_it(client: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentMetrics"] = abort(grpc.StatusCode.NOT_FOUND, "job j1 has no component nope_0")
    response = client.post("/v1/tracking/component/summary/download", json={**REF, "component_name": "nope_0"})
    assert response.status_code == 404
    assert response.get_json() == {"retcode": 101, "retmsg": "job j1 has no component nope_0"}
    response = client.post("/v1/tracking/component/summary/download", json={"job_id": "j1"})
    assert response.status_code == 500 and response.get_json()["retcode"] == 100
    assert "component_name, role, party_id" in response.get_json()["retmsg"]


@pytest.mark.parametrize("path", ["/v1/server/version/get", "/v1/version/get"])
def test_versions_name_fate_s_compatible_release_and_this_runtime(client: Any, fake: FakeFlow, path: str) -> None:
    data = client.post(path, json={}).get_json()["data"]
    assert (data["FATE"], data["FATEFlow"], data["API"]) == (FATE_VERSION, FATE_VERSION, "v1")
    assert data["FATE_RUNTIME"] and data["PYTHON"].count(".") == 2
    assert client.post(path).get_json()["data"] == data  # flow sends no body at all
    assert client.post(path, json={"module": "FATE"}).get_json()["data"] == {"FATE": FATE_VERSION, "API": "v1"}
    assert client.post(path, json={"module": "EGGROLL"}).get_json()["data"] == {"EGGROLL": None, "API": "v1"}
    assert fake.calls == []


def test_a_node_error_in_a_list_is_an_envelope(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryTask"] = abort(grpc.StatusCode.NOT_FOUND, "job j9 does not exist")
    assert client.post("/v1/job/list/task", json={"job_id": "j9"}).get_json() == {
        "retcode": 101, "retmsg": "job j9 does not exist"}
    fake.answers["QueryJob"] = streams()
    assert client.post("/v1/job/list/job", json={}).get_json()["data"] == {"jobs": [], "count": 0}
