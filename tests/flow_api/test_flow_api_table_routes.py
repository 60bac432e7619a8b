"""/v1/table against a fake node: table information (a missing table answered as FATE-Flow does) and deletion."""

from __future__ import annotations

from typing import Any

import grpc

from flow_api_fakes import FakeFlow, abort, returns
from protos import flow_pb2


def test_table_info_of_a_table(client: Any, fake: FakeFlow) -> None:
    info = flow_pb2.TableInfoReply(namespace="ns", table_name="t", partition=4, count=7)
    info.schema.update({"header": "x0,x1", "sid": "id"})
    fake.answers["TableInfo"] = returns(info)
    assert client.post("/v1/table/table_info", json={"namespace": "ns", "table_name": "t"}).get_json() == {
        "retcode": 0, "retmsg": "success", "data": {"namespace": "ns", "table_name": "t", "partition": 4, "count": 7,
                                                    "schema": {"header": "x0,x1", "sid": "id"}}}


def test_table_info_of_a_missing_table_is_fates_empty_answer(client: Any, fake: FakeFlow) -> None:
    """FATE-Flow 1.2's table_app: retcode 0, no rows, no partitions (scripts test a table's existence so)."""
    fake.answers["TableInfo"] = abort(grpc.StatusCode.NOT_FOUND, "table ns.gone does not exist")
    body = client.post("/v1/table/table_info", json={"namespace": "ns", "table_name": "gone"}).get_json()
    assert body == {"retcode": 0, "retmsg": "success",
                    "data": {"table_name": "gone", "namespace": "ns", "count": 0, "partition": None}}


def test_table_info_refusals_stay_refusals(client: Any, fake: FakeFlow) -> None:
    fake.answers["TableInfo"] = abort(grpc.StatusCode.INVALID_ARGUMENT, "table_info needs both namespace and table_name")
    assert client.post("/v1/table/table_info", json={"namespace": "ns"}).get_json() == {
        "retcode": 100, "retmsg": "table_info needs both namespace and table_name"}


def test_deleting_a_missing_table_stays_101(client: Any, fake: FakeFlow) -> None:
    fake.answers["TableDelete"] = abort(grpc.StatusCode.NOT_FOUND, "table ns.gone does not exist")
    assert client.post("/v1/table/delete", json={"namespace": "ns", "table_name": "gone"}).get_json() == {
        "retcode": 101, "retmsg": "table ns.gone does not exist"}
    fake.answers["TableDelete"] = returns(flow_pb2.TableDeleteReply(deleted=[flow_pb2.TableName(namespace="ns",
                                                                                               table_name="t")]))
    assert client.post("/v1/table/delete", json={"job_id": "j1", "role": "guest"}).get_json() == {
        "retcode": 0, "retmsg": "success", "data": [{"table_name": "t", "namespace": "ns"}]}
    sent = fake.last("TableDelete")
    assert (sent.job_id, sent.role, sent.namespace) == ("j1", "guest", "")
