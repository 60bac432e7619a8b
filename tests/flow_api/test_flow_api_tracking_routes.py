"""/v1/tracking/component/* against a fake node: messages, envelopes, empty results, output data downloads."""

from __future__ import annotations

import json
import os
from typing import Any

import grpc
import pytest

from flow_api_fakes import Answer, FakeFlow, abort, message, metric, output_page, returns, stream, streams
from protos import flow_pb2

REF = {"job_id": "j1", "component_name": "hetero_lr_0", "role": "guest", "party_id": 9999}
REQUIRED_ALL = "the following arguments are required: job_id, component_name, role, party_id"


def post(client: Any, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200
    return response.get_json()


def assert_ref(ref: flow_pb2.ComponentRef) -> None:
    assert (ref.job_id, ref.component_name, ref.role, ref.party_id) == ("j1", "hetero_lr_0", "guest", "9999")


LOSS = metric("train", "loss", [(0, 0.69), (1, 0.5)], {"name": "loss", "metric_type": "LOSS"})
AUC = metric("train", "auc", [("auc", 0.93)], {"name": "auc", "metric_type": "EVALUATION_SUMMARY"})
VALIDATE_AUC = metric("validate", "auc", [("auc", 0.88)], {"name": "auc", "metric_type": "EVALUATION_SUMMARY"})
TREE = {"train": {"loss": {"data": [[0, 0.69], [1, 0.5]], "meta": {"name": "loss", "metric_type": "LOSS"}},
                  "auc": {"data": [["auc", 0.93]], "meta": {"name": "auc", "metric_type": "EVALUATION_SUMMARY"}}},
        "validate": {"auc": {"data": [["auc", 0.88]], "meta": {"name": "auc", "metric_type": "EVALUATION_SUMMARY"}}}}
PARAMS = {"penalty": "L2", "max_iter": 10, "init_param": {"init_method": "zeros"}}


@pytest.mark.parametrize("path, method, answer, data, empty_answer, empty", [
    ("/v1/tracking/component/metrics", "ComponentMetrics",
     returns(flow_pb2.MetricNames(metrics=[flow_pb2.MetricName(namespace=m.namespace, name=m.name)
                                           for m in (LOSS, AUC, VALIDATE_AUC)])),
     {"train": ["loss", "auc"], "validate": ["auc"]}, returns(flow_pb2.MetricNames()), "no data"),
    ("/v1/tracking/component/metric/all", "ComponentMetricAll", streams(LOSS, AUC, VALIDATE_AUC), TREE, streams(),
     "no data"),
    ("/v1/tracking/component/parameters", "ComponentParameters",
     returns(message(flow_pb2.ParametersReply, module="HeteroLR", parameters=PARAMS, module_roles=["guest", "host"])),
     {"module": "HeteroLR", "ComponentParam": PARAMS, "job_id": "j1", "role": "guest", "party_id": "9999",
      "component_name": "hetero_lr_0", "module_roles": ["guest", "host"]},
     returns(flow_pb2.ParametersReply(module="HeteroLR")), "can not found this component parameters"),
])
def test_component_endpoints(client: Any, fake: FakeFlow, path: str, method: str, answer: Answer, data: Any,
                             empty_answer: Answer, empty: str) -> None:
    fake.answers[method] = answer
    assert post(client, path, {**REF, "function": "x", "local": {"role": "guest"}}) == {
        "retcode": 0, "retmsg": "success", "data": data}
    assert_ref(fake.last(method))
    fake.answers[method] = empty_answer
    assert post(client, path, REF) == {"retcode": 0, "retmsg": empty}
    fake.answers[method] = abort(grpc.StatusCode.NOT_FOUND, "no component hetero_lr_0 in job j1")
    assert post(client, path, REF) == {"retcode": 101, "retmsg": "no component hetero_lr_0 in job j1"}
    fake.calls.clear()
    assert post(client, path, {}) == {"retcode": 100, "retmsg": REQUIRED_ALL}
    assert post(client, path, {"job_id": "j1", "role": "guest"}) == {
        "retcode": 100, "retmsg": "the following arguments are required: component_name, party_id"}
    assert not fake.calls


def test_metric_data(client: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentMetricData"] = returns(LOSS)
    body = post(client, "/v1/tracking/component/metric_data",
                {**REF, "metric_namespace": "train", "metric_name": "loss"})
    assert body == {"retcode": 0, "retmsg": "success", "data": [[0, 0.69], [1, 0.5]],
                    "meta": {"name": "loss", "metric_type": "LOSS"}}
    sent = fake.last("ComponentMetricData")
    assert_ref(sent.component)
    assert (sent.metric_namespace, sent.metric_name) == ("train", "loss")
    # the API document's spelling
    post(client, "/v1/tracking/component/metric_data", {**REF, "metric_namespace": "train", "meric_name": "auc"})
    assert fake.last("ComponentMetricData").metric_name == "auc"
    fake.answers["ComponentMetricData"] = returns(flow_pb2.Metric(namespace="train", name="loss"))
    assert post(client, "/v1/tracking/component/metric_data",
                {**REF, "metric_namespace": "train", "metric_name": "loss"}) == {"retcode": 0, "retmsg": "no data"}
    assert post(client, "/v1/tracking/component/metric_data", REF) == {
        "retcode": 100, "retmsg": "the following arguments are required: metric_namespace, metric_name"}


MODEL_PARAM = {"iters": 10, "weight": {"x0": 0.1}, "intercept": 0.2}
META_BUFFER = flow_pb2.ModelBuffer(name="HeteroLogisticRegressionMeta", type="HeteroLogisticRegressionMeta",
                                   json=json.dumps({"penalty": "L2", "max_iter": 10}))
PARAM_BUFFER = flow_pb2.ModelBuffer(name="HeteroLogisticRegressionParam", type="HeteroLogisticRegressionParam",
                                    json=json.dumps(MODEL_PARAM))


def output_model(*buffers: flow_pb2.ModelBuffer) -> Answer:
    return returns(flow_pb2.OutputModelReply(module="HeteroLR", alias="model", model_id="guest-9999#host-10000#model",
                                             model_version="j1", buffers=buffers))


def test_output_model_is_the_param_buffer(client: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentOutputModel"] = output_model(META_BUFFER, PARAM_BUFFER)
    assert post(client, "/v1/tracking/component/output/model", REF) == {
        "retcode": 0, "retmsg": "success", "data": MODEL_PARAM,
        "meta": {"module_name": "HeteroLR", "model_alias": "model", "model_id": "guest-9999#host-10000#model",
                 "model_version": "j1", "buffers": {"HeteroLogisticRegressionMeta": "HeteroLogisticRegressionMeta",
                                                    "HeteroLogisticRegressionParam": "HeteroLogisticRegressionParam"}}}
    assert_ref(fake.last("ComponentOutputModel"))


def test_output_model_of_one_buffer_is_that_buffer(client: Any, fake: FakeFlow) -> None:
    legacy = flow_pb2.ModelBuffer(name="model", type="json", json=json.dumps(MODEL_PARAM))
    fake.answers["ComponentOutputModel"] = output_model(legacy)
    body = post(client, "/v1/tracking/component/output/model", REF)
    assert body["data"] == MODEL_PARAM and body["meta"]["buffers"] == {"model": "json"}


@pytest.mark.parametrize("buffers", [
    (),
    (META_BUFFER, flow_pb2.ModelBuffer(name="HeteroLogisticRegressionSummary", type="Summary", json="{}")),
    (META_BUFFER, flow_pb2.ModelBuffer(name="HeteroLogisticRegressionParam", type="a.type.this.node.lacks")),
], ids=["no buffers", "no Param buffer", "a Param buffer of an unknown type"])
def test_output_model_without_data(client: Any, fake: FakeFlow, buffers: tuple[flow_pb2.ModelBuffer, ...]) -> None:
    fake.answers["ComponentOutputModel"] = output_model(*buffers)
    assert post(client, "/v1/tracking/component/output/model", REF) == {"retcode": 0, "retmsg": "no data"}


def test_output_data(client: Any, fake: FakeFlow) -> None:
    rows = [["1", 1, 0.5, 0.25], ["2", 0, 0.1, 0.75]]
    fake.answers["ComponentOutputData"] = streams(output_page(rows, header=["id", "y", "x0", "x1"], total=569))
    assert post(client, "/v1/tracking/component/output/data", {**REF, "limit": 2}) == {
        "retcode": 0, "retmsg": "success", "data": rows, "meta": {"header": ["id", "y", "x0", "x1"], "total": 569}}
    sent = fake.last("ComponentOutputData")
    assert_ref(sent.component)
    assert sent.limit == 2
    post(client, "/v1/tracking/component/output/data", REF)
    assert fake.last("ComponentOutputData").limit == 0  # the node's preview size
    fake.answers["ComponentOutputData"] = streams(output_page([], header=["id", "y"], total=0))
    assert post(client, "/v1/tracking/component/output/data", REF) == {"retcode": 0, "retmsg": "no data"}
    fake.answers["ComponentOutputData"] = streams()
    assert post(client, "/v1/tracking/component/output/data", REF) == {"retcode": 0, "retmsg": "no data"}
    assert post(client, "/v1/tracking/component/output/data", {**REF, "limit": "many"}) == {
        "retcode": 100, "retmsg": "limit must be an integer"}


def test_output_data_in_several_pages(client: Any, fake: FakeFlow) -> None:
    """The header and total come with the first page; every page's rows count, in order."""
    rows = [[str(i), i % 2, {"note": None}, [i, i * 0.5]] for i in range(5)]
    fake.answers["ComponentOutputData"] = streams(output_page(rows[:2], header=["id", "y", "extra", "xs"], total=40),
                                                  output_page(rows[2:4]), output_page(rows[4:]))
    assert post(client, "/v1/tracking/component/output/data", {**REF, "limit": 5}) == {
        "retcode": 0, "retmsg": "success", "data": rows, "meta": {"header": ["id", "y", "extra", "xs"], "total": 40}}


def test_output_data_table(client: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentOutputDataTable"] = returns(flow_pb2.OutputTablesReply(tables=[
        flow_pb2.TableName(namespace="output_ns", table_name="t_data"),
        flow_pb2.TableName(namespace="output_ns", table_name="t_other")]))
    assert post(client, "/v1/tracking/component/output/data/table", REF) == {
        "retcode": 0, "retmsg": "success", "data": {"table_name": "t_data", "table_namespace": "output_ns"}}
    assert_ref(fake.last("ComponentOutputDataTable"))
    fake.answers["ComponentOutputDataTable"] = returns(flow_pb2.OutputTablesReply())
    assert post(client, "/v1/tracking/component/output/data/table", REF) == {
        "retcode": 100, "retmsg": "No found table, please check if the parameters are correct"}


def test_output_data_download(client: Any, fake: FakeFlow) -> None:
    archive = os.urandom(300_000)
    fake.answers["ComponentOutputDataDownload"] = stream(archive, chunk=50_000)
    response = client.get("/v1/tracking/component/output/data/download",
                          data=json.dumps({**REF, "limit": 10}), content_type="application/json")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=job_j1_hetero_lr_0_guest_9999_output_data.tar.gz"
    assert response.get_data() == archive
    sent = fake.last("ComponentOutputDataDownload")
    assert_ref(sent.component)
    assert sent.limit == 10
    assert client.post("/v1/tracking/component/output/data/download", json={**REF, "limit": -1}).get_data() == archive
    assert fake.last("ComponentOutputDataDownload").limit == 0


def test_output_data_download_errors(client: Any, fake: FakeFlow) -> None:
    response = client.get("/v1/tracking/component/output/data/download", json={**REF, "limit": 0})
    assert response.status_code == 500 and response.get_json() == {"retcode": 100, "retmsg": "limit is 0"}
    response = client.get("/v1/tracking/component/output/data/download", json={"job_id": "j1"})
    assert response.status_code == 500
    assert response.get_json() == {"retcode": 100, "retmsg": "the following arguments are required: "
                                                            "component_name, role, party_id"}
    fake.answers["ComponentOutputDataDownload"] = abort(grpc.StatusCode.NOT_FOUND, "no data")
    response = client.get("/v1/tracking/component/output/data/download", json=REF)
    assert response.status_code == 404 and response.get_json() == {"retcode": 101, "retmsg": "no data"}
