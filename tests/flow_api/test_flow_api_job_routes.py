"""/v1/job and /v1/pipeline against a fake node: request messages, envelopes, required fields, errors."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import grpc
import pytest

from flow_api.app import create_app
from flow_api_fakes import FakeFlow, abort, data_view_rows, job_rows, message, returns, stream, streams, task_rows
from protos import flow_pb2

CONF = {"initiator": {"role": "guest", "party_id": 9999}, "job_parameters": {"work_mode": 0},
        "role": {"guest": [9999], "host": [10000]}}
DSL = {"components": {"dataio_0": {"module": "DataIO", "input": {"data": {"data": ["args.train_data"]}}}}}


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, json=body)


def submit_reply(job_id: str = "202001011200000000001") -> flow_pb2.SubmitJobReply:
    return flow_pb2.SubmitJobReply(
        job_id=job_id, model_id="guest-9999#host-10000#model", model_version=job_id,
        files=flow_pb2.JobFiles(job_dsl_path=f"/jobs/{job_id}/job_dsl.json",
                                job_runtime_conf_path=f"/jobs/{job_id}/job_runtime_conf.json",
                                logs_directory=f"/logs/{job_id}"))


# ---- submit ----------------------------------------------------------------------------------


def test_submit_returns_fates_data_and_job_id(client: Any, fake: FakeFlow) -> None:
    fake.answers["SubmitJob"] = returns(submit_reply("j1"))
    response = post(client, "/v1/job/submit", {"job_dsl": DSL, "job_runtime_conf": CONF})
    assert response.status_code == 200
    body = response.get_json()
    assert body["retcode"] == 0 and body["retmsg"] == "success" and body["jobId"] == "j1"
    data = body["data"]
    assert data["job_dsl_path"] == "/jobs/j1/job_dsl.json"
    assert data["job_runtime_conf_path"] == "/jobs/j1/job_runtime_conf.json"
    assert data["logs_directory"] == "/logs/j1"
    assert data["model_info"] == {"model_id": "guest-9999#host-10000#model", "model_version": "j1"}
    assert data["board_url"] == "http://localhost/board/jobs/j1/guest/9999"  # the job page of its initiator
    sent = fake.last("SubmitJob")
    assert json.loads(sent.dsl_json) == DSL and json.loads(sent.conf_json) == CONF


def test_submit_accepts_the_flow_16_body_and_predict_jobs(client: Any, fake: FakeFlow) -> None:
    fake.answers["SubmitJob"] = returns(submit_reply("j2"))
    body = {"job_dsl": {}, "job_runtime_conf": CONF, "conf_path": "/x/conf.json", "dsl_path": "/x/dsl.json"}
    assert post(client, "/v1/job/submit", body).get_json()["jobId"] == "j2"
    assert json.loads(fake.last("SubmitJob").dsl_json) == {}
    # no job_dsl at all: FATE takes {} too (a predict job's DSL comes from the model)
    assert post(client, "/v1/job/submit", {"job_runtime_conf": CONF}).get_json()["retcode"] == 0
    assert json.loads(fake.last("SubmitJob").dsl_json) == {}


def test_submit_shape_errors(client: Any, fake: FakeFlow) -> None:
    body = post(client, "/v1/job/submit", {"job_dsl": DSL}).get_json()
    assert body == {"retcode": 100, "retmsg": "the following arguments are required: job_runtime_conf"}
    body = post(client, "/v1/job/submit", {"job_dsl": "not a dsl", "job_runtime_conf": CONF}).get_json()
    assert body == {"retcode": 100, "retmsg": "job_dsl must be a JSON object"}
    body = post(client, "/v1/job/submit", {"job_dsl": DSL, "job_runtime_conf": [1]}).get_json()
    assert body == {"retcode": 100, "retmsg": "job_runtime_conf must be a JSON object"}
    assert not fake.calls


def test_submit_refused_by_the_node_names_the_job(client: Any, fake: FakeFlow) -> None:
    fake.answers["SubmitJob"] = abort(grpc.StatusCode.INVALID_ARGUMENT, "initiator party id error 1", job_id="j3")
    body = post(client, "/v1/job/submit", {"job_dsl": DSL, "job_runtime_conf": CONF}).get_json()
    assert body == {"retcode": 100, "retmsg": "initiator party id error 1", "jobId": "j3"}


# ---- stop, query, update, config, tasks, clean, data view -----------------------------------------


@pytest.mark.parametrize("status, retmsg", [("canceled", "cancel job success"), ("failed", "kill job success"),
                                            ("", "kill job success")])
def test_stop(client: Any, fake: FakeFlow, status: str, retmsg: str) -> None:
    fake.answers["StopJob"] = returns(flow_pb2.StopJobReply(status=status))
    body = post(client, "/v1/job/stop", {"job_id": "j1", "function": "stop_job"}).get_json()
    assert body == {"retcode": 0, "retmsg": retmsg, "jobId": "j1"}
    assert fake.last("StopJob").job_id == "j1"


def test_stop_needs_a_job_id_and_maps_not_found(client: Any, fake: FakeFlow) -> None:
    assert post(client, "/v1/job/stop", {}).get_json() == {
        "retcode": 100, "retmsg": "the following arguments are required: job_id"}
    fake.answers["StopJob"] = abort(grpc.StatusCode.NOT_FOUND, "no job nope")
    assert post(client, "/v1/job/stop", {"job_id": "nope"}).get_json() == {"retcode": 101, "retmsg": "no job nope"}


JOB_ROW = {"job_id": "j1", "role": "guest", "party_id": "9999", "name": "lr", "description": "a test job",
           "tag": "t", "roles": CONF["role"], "work_mode": 0, "initiator_party_id": "9999", "is_initiator": True,
           "dsl": DSL, "runtime_conf": CONF, "run_ip": "127.0.0.1", "status": "success", "progress": 100,
           "current_steps": ["dataio_0"], "current_tasks": ["j1_dataio_0"], "create_time": 1_700_000_000_000,
           "update_time": 1_700_000_090_000, "start_time": 1_700_000_001_000, "end_time": 1_700_000_061_000,
           "elapsed": 60_000, "retmsg": "done"}
FATE_JOB = {"f_job_id": "j1", "f_name": "lr", "f_description": "a test job", "f_tag": "t", "f_role": "guest",
            "f_party_id": "9999", "f_roles": CONF["role"], "f_work_mode": 0, "f_initiator_party_id": "9999",
            "f_is_initiator": 1, "f_dsl": DSL, "f_runtime_conf": CONF, "f_run_ip": "127.0.0.1",
            "f_status": "success", "f_progress": 100, "f_current_steps": ["dataio_0"],
            "f_current_tasks": ["j1_dataio_0"], "f_create_time": 1_700_000_000_000,
            "f_update_time": 1_700_000_090_000, "f_start_time": 1_700_000_001_000, "f_end_time": 1_700_000_061_000,
            "f_elapsed": 60_000, "f_retmsg": "done", "f_train_runtime_conf": {}}


def test_query_passes_filters_and_gives_fates_rows(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows(JOB_ROW, {**JOB_ROW, "role": "host", "party_id": "10000",
                                                  "is_initiator": False})
    body = post(client, "/v1/job/query", {"job_id": "j1", "role": "guest", "party_id": 9999, "status": "success",
                                          "is_initiator": True, "function": "query_job",
                                          "local": {"role": "guest", "party_id": 9999}, "limit": 5}).get_json()
    assert body == {"retcode": 0, "retmsg": "success",
                    "data": [FATE_JOB, {**FATE_JOB, "f_role": "host", "f_party_id": "10000", "f_is_initiator": 0}]}
    sent = fake.last("QueryJob")
    assert dict(sent.filters) == {"job_id": "j1", "role": "guest", "party_id": "9999", "status": "success",
                                  "is_initiator": "1"}
    assert sent.limit == 5


def test_a_predict_job_s_row_carries_its_training_conf(client: Any, fake: FakeFlow) -> None:
    predict_conf = {**CONF, "job_parameters": {"job_type": "predict", "model_id": "m", "model_version": "j0"}}
    fake.answers["QueryJob"] = job_rows({**JOB_ROW, "runtime_conf": predict_conf, "train_runtime_conf": CONF})
    rows = post(client, "/v1/job/query", {"job_id": "j1"}).get_json()["data"]
    assert rows == [{**FATE_JOB, "f_runtime_conf": predict_conf, "f_train_runtime_conf": CONF}]


def test_every_filter_reaches_the_node_json_columns_as_json(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows(JOB_ROW)
    body = {"roles": CONF["role"], "current_steps": ["dataio_0"], "progress": 100, "end_time": 1_700_000_061_000,
            "tag": "night", "config": "/home/me/query.json", "colour": "red"}
    assert post(client, "/v1/job/query", body).get_json()["retcode"] == 0
    assert dict(fake.last("QueryJob").filters) == {
        "roles": json.dumps(CONF["role"]), "current_steps": '["dataio_0"]', "progress": "100",
        "end_time": "1700000061000", "tag": "night", "colour": "red"}  # (the node refuses colour)
    fake.answers["QueryTask"] = task_rows(TASK_ROW)
    assert post(client, "/v1/job/task/query", {"run_pid": 4321, "function": "query_task"}).get_json()["retcode"] == 0
    assert dict(fake.last("QueryTask").filters) == {"run_pid": "4321"}
    fake.reset()
    huge = {"components": {f"c{i}": {"module": "DataIO"} for i in range(200)}}
    assert post(client, "/v1/job/query", {"dsl": huge}).get_json() == {
        "retcode": 100, "retmsg": "dsl is longer than 4096 characters"}
    assert not fake.calls


def test_a_job_that_has_not_started_has_no_times(client: Any, fake: FakeFlow) -> None:
    waiting = {name: value for name, value in JOB_ROW.items() if name not in ("start_time", "end_time", "elapsed")}
    fake.answers["QueryJob"] = job_rows({**waiting, "status": "waiting"})
    body = post(client, "/v1/job/query", {"job_id": "j1"}).get_json()
    assert body["data"] == [{**FATE_JOB, "f_status": "waiting", "f_start_time": None, "f_end_time": None,
                             "f_elapsed": None}]


def test_query_without_match_is_101_and_get_works(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows()
    assert post(client, "/v1/job/query", {"job_id": "x"}).get_json() == {"retcode": 101, "retmsg": "find job failed"}
    fake.answers["QueryJob"] = job_rows(JOB_ROW)
    body = client.get("/v1/job/query?job_id=j1").get_json()  # the board_url of submit
    assert body["data"] == [FATE_JOB]
    assert dict(fake.last("QueryJob").filters) == {"job_id": "j1"}


def test_update(client: Any, fake: FakeFlow) -> None:
    fake.answers["UpdateJob"] = returns(flow_pb2.UpdateJobReply())
    body = post(client, "/v1/job/update", {"job_id": "j1", "role": "guest", "party_id": 9999, "notes": "hi"})
    assert body.get_json() == {"retcode": 0, "retmsg": "success"}
    sent = fake.last("UpdateJob")
    assert (sent.job_id, sent.role, sent.party_id, sent.notes) == ("j1", "guest", "9999", "hi")
    assert post(client, "/v1/job/update", {"notes": "x", "role": ""}).get_json() == {
        "retcode": 100, "retmsg": "the following arguments are required: job_id, role, party_id"}
    fake.answers["UpdateJob"] = abort(grpc.StatusCode.NOT_FOUND, "find job failed")
    body = post(client, "/v1/job/update", {"job_id": "j9", "role": "guest", "party_id": "9999"}).get_json()
    assert body == {"retcode": 101, "retmsg": "find job failed"}


def test_config(client: Any, fake: FakeFlow) -> None:
    train_conf = {**CONF, "job_parameters": {"work_mode": 0, "job_type": "train"}}
    fake.answers["JobConfig"] = returns(message(flow_pb2.JobConfigReply, dsl=DSL, runtime_conf=CONF,
                                                train_runtime_conf=train_conf, model_id="m", model_version="j1"))
    body = post(client, "/v1/job/config", {"job_id": "j1", "role": "guest", "party_id": 9999}).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": {
        "job_id": "j1", "dsl": DSL, "runtime_conf": CONF, "train_runtime_conf": train_conf,
        "model_info": {"model_id": "m", "model_version": "j1"}}}
    sent = fake.last("JobConfig")
    assert (sent.job_id, sent.role, sent.party_id) == ("j1", "guest", "9999")
    fake.answers["JobConfig"] = abort(grpc.StatusCode.NOT_FOUND, "no job j2 for guest 9999")
    assert post(client, "/v1/job/config", {"job_id": "j2"}).get_json() == {
        "retcode": 101, "retmsg": "no job j2 for guest 9999"}
    assert post(client, "/v1/job/config", {"role": "guest"}).get_json()["retcode"] == 100


TASK_ROW = {"job_id": "j1", "component_name": "dataio_0", "task_id": "j1_dataio_0", "role": "guest",
            "party_id": "9999", "status": "success", "run_ip": "127.0.0.1", "run_pid": 4321, "retmsg": "",
            "create_time": 1_700_000_000_000, "update_time": 1_700_000_030_000, "start_time": 1_700_000_001_000,
            "end_time": 1_700_000_021_000, "elapsed": 20_000}
FATE_TASK = {"f_job_id": "j1", "f_component_name": "dataio_0", "f_task_id": "j1_dataio_0", "f_role": "guest",
             "f_party_id": "9999", "f_status": "success", "f_run_ip": "127.0.0.1", "f_run_pid": 4321, "f_retmsg": "",
             "f_create_time": 1_700_000_000_000, "f_update_time": 1_700_000_030_000,
             "f_start_time": 1_700_000_001_000, "f_end_time": 1_700_000_021_000, "f_elapsed": 20_000}


def test_task_query(client: Any, fake: FakeFlow) -> None:
    waiting = {name: value for name, value in TASK_ROW.items()
               if name not in ("run_pid", "start_time", "end_time", "elapsed")}
    fake.answers["QueryTask"] = task_rows(TASK_ROW, {**waiting, "component_name": "hetero_lr_0",
                                                     "task_id": "j1_hetero_lr_0", "status": "waiting"})
    body = post(client, "/v1/job/task/query", {"job_id": "j1", "component_name": "dataio_0"}).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": [FATE_TASK, {
        **FATE_TASK, "f_component_name": "hetero_lr_0", "f_task_id": "j1_hetero_lr_0", "f_status": "waiting",
        "f_run_pid": None, "f_start_time": None, "f_end_time": None, "f_elapsed": None}]}
    assert dict(fake.last("QueryTask").filters) == {"job_id": "j1", "component_name": "dataio_0"}
    fake.answers["QueryTask"] = task_rows()
    assert post(client, "/v1/job/task/query", {"job_id": "j1"}).get_json() == {
        "retcode": 101, "retmsg": "find task failed"}


def test_clean(client: Any, fake: FakeFlow) -> None:
    fake.answers["CleanJob"] = returns(flow_pb2.CleanJobReply(deleted=[flow_pb2.TableName(namespace="ns", table_name="t")]))
    body = post(client, "/v1/job/clean", {"job_id": "j1", "role": "guest", "party_id": 9999,
                                          "component_name": "dataio_0"}).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": [{"table_name": "t", "namespace": "ns"}]}
    sent = fake.last("CleanJob")
    assert (sent.job_id, sent.component_name, sent.role, sent.party_id) == ("j1", "dataio_0", "guest", "9999")
    fake.answers["CleanJob"] = returns(flow_pb2.CleanJobReply())
    assert post(client, "/v1/job/clean", {"job_id": "j1"}).get_json() == {"retcode": 0, "retmsg": "success"}
    assert post(client, "/v1/job/clean", {"role": "guest"}).get_json() == {
        "retcode": 100, "retmsg": "the following arguments are required: job_id"}


def test_tracking_data_view_of_one_party(client: Any, fake: FakeFlow) -> None:
    fake.answers["DataView"] = returns(message(
        flow_pb2.DataViewReply, job_id="j1", role="guest", party_id="9999", status="success",
        roles={"guest": [9999], "host": [10000], "arbiter": [10000]},
        inputs=[flow_pb2.InputTable(role="guest", party_id="9999", name="train_data", namespace="ns",
                                    table_name="guest_train"),
                flow_pb2.InputTable(role="guest", party_id="9999", name="eval_data", namespace="ns",
                                    table_name="guest_eval"),
                flow_pb2.InputTable(role="host", party_id="10000", name="train_data", namespace="ns_h",
                                    table_name="host_train")]))
    view = {"job_id": "j1", "role": "guest", "party_id": "9999",
            "roles": {"guest": [9999], "host": [10000], "arbiter": [10000]},
            "dataset": {"guest": {"9999": {"train_data": "ns.guest_train", "eval_data": "ns.guest_eval"}},
                        "host": {"10000": {"train_data": "ns_h.host_train"}}},
            "partner": {"host": [10000], "arbiter": [10000]}, "status": "success", "model_summary": {}}
    ref = {"job_id": "j1", "role": "guest", "party_id": 9999}
    assert post(client, "/v1/tracking/job/data_view", ref).get_json() == {"retcode": 0, "retmsg": "success",
                                                                          "data": view}
    sent = fake.last("DataView")
    assert (sent.job_id, sent.role, sent.party_id) == ("j1", "guest", "9999")
    assert post(client, "/v1/tracking/job/data_view", {"job_id": "j1"}).get_json() == {
        "retcode": 100, "retmsg": "the following arguments are required: role, party_id"}


def test_data_view_of_a_party_without_inputs(client: Any, fake: FakeFlow) -> None:
    """The asked party is in the dataset even without an input table of its own (as FATE's view has it)."""
    fake.answers["DataView"] = returns(message(flow_pb2.DataViewReply, job_id="j1", role="arbiter",
                                               party_id="10000", status="running", roles=CONF["role"]))
    ref = {"job_id": "j1", "role": "arbiter", "party_id": 10000}
    body = post(client, "/v1/tracking/job/data_view", ref).get_json()
    assert body["data"]["dataset"] == {"arbiter": {"10000": {}}}
    assert body["data"]["partner"] == CONF["role"]
    fake.answers["DataView"] = abort(grpc.StatusCode.NOT_FOUND, "no job j1 for arbiter 10000")
    assert post(client, "/v1/tracking/job/data_view", ref).get_json() == {
        "retcode": 101, "retmsg": "no job j1 for arbiter 10000"}


VIEW_ROW = {"job_id": "j1", "role": "guest", "party_id": "9999", "component_name": "dataio_0",
            "task_id": "j1_dataio_0", "table_namespace": "output.j1", "table_name": "dataio_0.guest.9999.data",
            "partition": 4, "table_count_actual": 569, "create_time": 1_700_000_000_000,
            "update_time": 1_700_000_000_100, "party_model_id": "guest#9999#guest-9999#host-10000#model",
            "model_version": "j1"}
FATE_VIEW = {"f_job_id": "j1", "f_role": "guest", "f_party_id": "9999", "f_table_name": "dataio_0.guest.9999.data",
             "f_table_namespace": "output.j1", "f_component_name": "dataio_0", "f_create_time": 1_700_000_000_000,
             "f_update_time": 1_700_000_000_100, "f_table_create_count": 569, "f_table_now_count": None,
             "f_partition": 4, "f_task_id": "j1_dataio_0", "f_type": None, "f_ttl": 0,
             "f_party_model_id": "guest#9999#guest-9999#host-10000#model", "f_model_version": "j1", "f_size": 0,
             "f_description": "", "f_tag": "", "f_table_count_upload": None, "f_table_count_actual": 569}


def test_data_view_query_answers_fates_rows_for_any_filters(client: Any, fake: FakeFlow) -> None:
    upload = {"job_id": "u1", "role": "local", "party_id": "0", "component_name": "upload_0", "task_id": "u1_upload_0",
              "table_namespace": "ns", "table_name": "t", "partition": 2, "table_count_upload": 10,
              "table_count_actual": 15, "create_time": 1_700_000_000_000}
    fake.answers["QueryDataView"] = data_view_rows(VIEW_ROW, upload)
    body = post(client, "/v1/job/data/view/query", {"job_id": "j1", "status": "success", "function": "data_view_query",
                                                   "local": {"role": "guest", "party_id": "9999"}}).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": [FATE_VIEW, {
        **FATE_VIEW, "f_job_id": "u1", "f_role": "local", "f_party_id": "0", "f_component_name": "upload_0",
        "f_task_id": "u1_upload_0", "f_table_namespace": "ns", "f_table_name": "t", "f_partition": 2,
        "f_table_create_count": 15, "f_table_count_upload": 10, "f_table_count_actual": 15, "f_update_time": None,
        "f_party_model_id": None, "f_model_version": None}]}
    assert dict(fake.last("QueryDataView").filters) == {"job_id": "j1", "status": "success"}
    for given, sent in (({"role": "guest", "party_id": 9999}, {"role": "guest", "party_id": "9999"}),
                        ({"status": "success"}, {"status": "success"}), ({"partition": 4}, {"partition": "4"})):
        assert post(client, "/v1/job/data/view/query", given).get_json()["retcode"] == 0
        assert dict(fake.last("QueryDataView").filters) == sent


def test_data_view_query_without_match_or_filter_is_fates_101(client: Any, fake: FakeFlow) -> None:
    fake.answers["QueryDataView"] = data_view_rows()
    for body in ({"job_id": "j9"}, {}):
        assert post(client, "/v1/job/data/view/query", body).get_json() == {
            "retcode": 101, "retmsg": "find data view failed"}
    fake.answers["QueryDataView"] = abort(grpc.StatusCode.INVALID_ARGUMENT,
                                          "data views cannot be filtered by colour: it is not one of their columns")
    assert post(client, "/v1/job/data/view/query", {"colour": "red"}).get_json() == {
        "retcode": 100, "retmsg": "data views cannot be filtered by colour: it is not one of their columns"}
    assert dict(fake.last("QueryDataView").filters) == {"colour": "red"}


# ---- job log -----------------------------------------------------------------------------------


def test_job_log_streams_the_archive_intact(client: Any, fake: FakeFlow) -> None:
    archive = os.urandom(700_000)  # several gRPC chunks
    fake.answers["JobLog"] = stream(archive)
    # FATE's client: GET with a JSON body
    response = client.get("/v1/job/log", data=json.dumps({"job_id": "j1"}), content_type="application/json")
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert response.headers["Content-Disposition"] == "attachment; filename=job_j1_log.tar.gz"
    assert response.get_data() == archive
    assert fake.last("JobLog").job_id == "j1"
    assert client.post("/v1/job/log", json={"job_id": "j1"}).get_data() == archive
    assert client.get("/v1/job/log?job_id=j1").get_data() == archive


def test_job_log_errors_are_json_with_an_error_status(client: Any, fake: FakeFlow) -> None:
    fake.answers["JobLog"] = abort(grpc.StatusCode.NOT_FOUND, "no job j9")
    response = client.get("/v1/job/log", json={"job_id": "j9"})
    assert response.status_code == 404
    assert response.get_json() == {"retcode": 101, "retmsg": "no job j9"}
    response = client.get("/v1/job/log", json={})
    assert response.status_code == 500
    assert response.get_json() == {"retcode": 100, "retmsg": "the following arguments are required: job_id"}
    response = client.get("/v1/job/log", data=b"{oops", content_type="application/json")
    assert response.status_code == 500 and response.get_json()["retcode"] == 100


def test_job_log_empty_archive(client: Any, fake: FakeFlow) -> None:
    fake.answers["JobLog"] = stream(b"")
    response = client.get("/v1/job/log", json={"job_id": "j1"})
    assert response.status_code == 200 and response.get_data() == b""


# ---- pipeline --------------------------------------------------------------------------------


def test_dag_dependency(client: Any, fake: FakeFlow) -> None:
    fake.answers["DagDependency"] = returns(flow_pb2.DagReply(components=[
        flow_pb2.DagComponent(name="dataio_0", module="DataIO", need_run=True),
        flow_pb2.DagComponent(name="intersection_0", module="Intersection", upstream=["dataio_0"], need_run=True),
        flow_pb2.DagComponent(name="evaluation_0", module="Evaluation", upstream=["dataio_0", "intersection_0"])]))
    dag = {"component_list": ["dataio_0", "intersection_0", "evaluation_0"],
           "dependencies": {"dataio_0": [], "intersection_0": ["dataio_0"],
                            "evaluation_0": ["dataio_0", "intersection_0"]},
           "component_module": {"dataio_0": "DataIO", "intersection_0": "Intersection", "evaluation_0": "Evaluation"},
           "component_need_run": {"dataio_0": True, "intersection_0": True, "evaluation_0": False}}
    body = post(client, "/v1/pipeline/dag/dependency", {"job_id": "j1", "role": "guest", "party_id": 9999}).get_json()
    assert body == {"retcode": 0, "retmsg": "success", "data": dag}
    sent = fake.last("DagDependency")
    assert (sent.job_id, sent.role, sent.party_id) == ("j1", "guest", "9999")
    assert post(client, "/v1/pipeline/dag/dependency", {"job_id": "j1"}).get_json() == {
        "retcode": 100, "retmsg": "the following arguments are required: role, party_id"}
    fake.answers["DagDependency"] = abort(grpc.StatusCode.NOT_FOUND, "no job j1 for guest 9999")
    assert post(client, "/v1/pipeline/dag/dependency", {"job_id": "j1", "role": "guest", "party_id": 9999}
                ).get_json() == {"retcode": 101, "retmsg": "no job j1 for guest 9999"}


# ---- shape and transport errors, common to every endpoint --------------------------------------------


ENDPOINTS = ["/v1/job/submit", "/v1/job/stop", "/v1/job/query", "/v1/job/update", "/v1/job/config",
             "/v1/job/task/query", "/v1/job/clean", "/v1/job/data/view/query", "/v1/tracking/job/data_view",
             "/v1/tracking/component/metrics", "/v1/tracking/component/metric/all",
             "/v1/tracking/component/metric_data", "/v1/tracking/component/parameters",
             "/v1/tracking/component/output/model", "/v1/tracking/component/output/data",
             "/v1/tracking/component/output/data/table", "/v1/pipeline/dag/dependency"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_malformed_json_is_100(client: Any, fake: FakeFlow, path: str) -> None:
    response = client.post(path, data=b'{"job_id": ', content_type="application/json")
    assert response.status_code == 200
    assert response.get_json() == {"retcode": 100, "retmsg": "the request body is not valid JSON"}
    response = client.post(path, data=b'["job_id"]', content_type="application/json")
    assert response.get_json() == {"retcode": 100, "retmsg": "the request body must be a JSON object"}
    assert not fake.calls


COMPONENT = {"job_id": "j1", "component_name": "hetero_lr_0", "role": "guest", "party_id": 9999}


@pytest.mark.parametrize("path, body, method, answer", [
    ("/v1/job/query", {"job_id": "j1"}, "QueryJob", job_rows({"job_id": "j1", "dsl_json": "{not json"})),
    ("/v1/job/config", {"job_id": "j1"}, "JobConfig", returns(flow_pb2.JobConfigReply(runtime_conf_json="[1,"))),
    ("/v1/tracking/component/metric_data", {**COMPONENT, "metric_namespace": "train", "metric_name": "loss"},
     "ComponentMetricData", returns(flow_pb2.Metric(points=[flow_pb2.MetricPoint(key_json="0", value_json="{oops")]))),
    ("/v1/tracking/component/output/data", COMPONENT, "ComponentOutputData",
     streams(flow_pb2.OutputDataPage(rows=[flow_pb2.OutputRow(cells_json=['"1', "2"])], header=["id", "x"], total=1))),
])
def test_a_node_that_sends_bad_json(client: Any, fake: FakeFlow, path: str, body: dict[str, Any], method: str,
                                    answer: Any) -> None:
    fake.answers[method] = answer
    assert post(client, path, body).get_json() == {"retcode": 100, "retmsg": "the node's reply is not valid JSON"}


def test_wrong_method_and_unreachable_node(client: Any, fake: FakeFlow) -> None:
    response = client.get("/v1/job/submit")
    assert response.status_code == 405 and response.get_json()["retcode"] == 100
    app = create_app("127.0.0.1:1")  # nothing listens there
    try:
        body = app.test_client().post("/v1/job/query", json={"job_id": "j1"}).get_json()
        assert body == {"retcode": 100, "retmsg": "the node's gRPC service at 127.0.0.1:1 is not reachable"}
        response = app.test_client().get("/v1/job/log", json={"job_id": "j1"})
        assert response.status_code == 500 and response.get_json()["retcode"] == 100
    finally:
        app.config["NODE"].close()


def test_query_string_fields_of_a_get_are_bounded_like_body_fields(client: Any, fake: FakeFlow) -> None:
    body = client.get("/v1/job/query?job_id=" + "1" * 5000).get_json()
    assert body == {"retcode": 100, "retmsg": "job_id is longer than 4096 characters"}
    assert fake.requests("QueryJob") == []


def test_the_multipart_upload_conf_is_read_with_every_bound(client: Any, fake: FakeFlow) -> None:
    """A huge number in the query-string conf (fate-client 1.5.1+) or a huge field (1.4.x) is one sentence."""
    form = {"file": (io.BytesIO(b"id,x\n1,2\n"), "rows.csv")}
    huge_number = client.post('/v1/data/upload?{"namespace": "n", "partition": ' + "1" * 5000 + "}", data=dict(form),
                              content_type="multipart/form-data").get_json()
    assert huge_number == {"retcode": 100, "retmsg": "the upload conf in the query string has a number too long to read"}
    form = {"file": (io.BytesIO(b"id,x\n1,2\n"), "rows.csv")}
    long_field = client.post("/v1/data/upload?namespace=" + "n" * 5000, data=form,
                             content_type="multipart/form-data").get_json()
    assert long_field == {"retcode": 100, "retmsg": "namespace is longer than 4096 characters"}
    assert fake.requests("Upload") == []
