"""/v1/tracking/component/* against a fake node: messages, envelopes, empty results, output data downloads."""

from __future__ import annotations

import json
import os
from typing import Any

import grpc
import pytest

from flow_api_fakes import FakeFlow, abort, json_reply, returns, stream
from protos import flow_pb2

REF = {"job_id": "j1", "component_name": "hetero_lr_0", "role": "guest", "party_id": 9999}
REQUIRED_ALL = "the following arguments are required: job_id, component_name, role, party_id"


def post(client: Any, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200
    return response.get_json()


def assert_ref(ref: flow_pb2.ComponentRef) -> None:
    assert (ref.job_id, ref.component_name, ref.role, ref.party_id) == ("j1", "hetero_lr_0", "guest", "9999")


@pytest.mark.parametrize("path, method, empty", [
    ("/v1/tracking/component/metrics", "ComponentMetrics", "no data"),
    ("/v1/tracking/component/metric/all", "ComponentMetricAll", "no data"),
    ("/v1/tracking/component/parameters", "ComponentParameters", "can not found this component parameters"),
])
def test_json_passthrough_endpoints(client: Any, fake: FakeFlow, path: str, method: str, empty: str) -> None:
    data = {"train": {"loss": {"data": [[0, 0.69], [1, 0.5]], "meta": {"metric_type": "LOSS"}}}}
    fake.answers[method] = json_reply(data)
    assert post(client, path, {**REF, "function": "x", "local": {"role": "guest"}}) == {
        "retcode": 0, "retmsg": "success", "data": data}
    assert_ref(fake.last(method))
    fake.answers[method] = json_reply({})
    assert post(client, path, REF) == {"retcode": 0, "retmsg": empty}
    fake.answers[method] = abort(grpc.StatusCode.NOT_FOUND, "no component hetero_lr_0 in job j1")
    assert post(client, path, REF) == {"retcode": 101, "retmsg": "no component hetero_lr_0 in job j1"}
    fake.calls.clear()
    assert post(client, path, {}) == {"retcode": 100, "retmsg": REQUIRED_ALL}
    assert post(client, path, {"job_id": "j1", "role": "guest"}) == {
        "retcode": 100, "retmsg": "the following arguments are required: component_name, party_id"}
    assert not fake.calls


def test_metric_data(client: Any, fake: FakeFlow) -> None:
    fake.answers["ComponentMetricData"] = returns(flow_pb2.MetricReply(
        data_json=json.dumps([[0, 0.69], [1, 0.5]]), meta_json=json.dumps({"name": "loss", "metric_type": "LOSS"})))
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
    fake.answers["ComponentMetricData"] = returns(flow_pb2.MetricReply())
    assert post(client, "/v1/tracking/component/metric_data",
                {**REF, "metric_namespace": "train", "metric_name": "loss"}) == {"retcode": 0, "retmsg": "no data"}
    assert post(client, "/v1/tracking/component/metric_data", REF) == {
        "retcode": 100, "retmsg": "the following arguments are required: metric_namespace, metric_name"}


def test_output_model(client: Any, fake: FakeFlow) -> None:
    model = {"iters": 10, "weight": {"x0": 0.1}, "intercept": 0.2}
    meta = {"module_name": "HeteroLR", "meta_data": {"penalty": "L2"}}
    fake.answers["ComponentOutputModel"] = returns(flow_pb2.MetricReply(data_json=json.dumps(model),
                                                                        meta_json=json.dumps(meta)))
    assert post(client, "/v1/tracking/component/output/model", REF) == {
        "retcode": 0, "retmsg": "success", "data": model, "meta": meta}
    assert_ref(fake.last("ComponentOutputModel"))
    fake.answers["ComponentOutputModel"] = returns(flow_pb2.MetricReply(meta_json=json.dumps(meta)))
    assert post(client, "/v1/tracking/component/output/model", REF) == {"retcode": 0, "retmsg": "no data"}


def test_output_data(client: Any, fake: FakeFlow) -> None:
    rows = [["1", 1, 0.5, 0.25], ["2", 0, 0.1, 0.75]]
    fake.answers["ComponentOutputData"] = returns(flow_pb2.OutputDataReply(
        rows_json=json.dumps(rows), header=["id", "y", "x0", "x1"], total=569))
    assert post(client, "/v1/tracking/component/output/data", {**REF, "limit": 2}) == {
        "retcode": 0, "retmsg": "success", "data": rows, "meta": {"header": ["id", "y", "x0", "x1"], "total": 569}}
    sent = fake.last("ComponentOutputData")
    assert_ref(sent.component)
    assert sent.limit == 2
    post(client, "/v1/tracking/component/output/data", REF)
    assert fake.last("ComponentOutputData").limit == 0  # the node's preview size
    fake.answers["ComponentOutputData"] = returns(flow_pb2.OutputDataReply(rows_json="[]"))
    assert post(client, "/v1/tracking/component/output/data", REF) == {"retcode": 0, "retmsg": "no data"}
    assert post(client, "/v1/tracking/component/output/data", {**REF, "limit": "many"}) == {
        "retcode": 100, "retmsg": "limit must be an integer"}


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
