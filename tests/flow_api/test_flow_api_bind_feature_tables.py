"""/v1/model/bind's optional role_parameters.host.feature_table (one {table_name, namespace} or null per host of
role.host, in its order) becomes the request's feature tables by host party id; a malformed one is refused in
one sentence before the node is asked."""

from __future__ import annotations

from typing import Any

import pytest

from flow_api_fakes import FakeFlow, returns
from protos import flow_pb2
from seed_examples import example

TABLE = {"table_name": "breast_a_online", "namespace": "serving"}


def bind_conf(feature_table: Any, hosts: tuple[int, ...] = (10000, 10001)) -> dict[str, Any]:
    conf = {**example("bind_model_service.json"), "service_id": "s1",
            "role_parameters": {"host": {"feature_table": feature_table}}}
    conf["role"] = {**conf["role"], "host": list(hosts)}
    return conf


def test_each_host_s_table_is_sent_by_its_party_id(client: Any, fake: FakeFlow) -> None:
    fake.answers["BindModel"] = returns(flow_pb2.ModelPublishReply())
    assert client.post("/v1/model/bind", json=bind_conf([None, TABLE])).get_json()["retcode"] == 0
    assert [(t.party_id, t.namespace, t.table_name) for t in fake.last("BindModel").feature_tables] == [
        ("10001", "serving", "breast_a_online")]
    client.post("/v1/model/bind", json=example("bind_model_service.json") | {"service_id": "s1"})
    assert list(fake.last("BindModel").feature_tables) == []  # FATE's conf: the tables they trained on


@pytest.mark.parametrize("conf, retmsg", [
    (bind_conf([TABLE, TABLE, TABLE]),
     "role_parameters.host.feature_table must be a list of at most one table per host of role.host"),
    (bind_conf(TABLE), "role_parameters.host.feature_table must be a list of at most one table per host of role.host"),
    (bind_conf([{"table_name": "t"}]),
     "role_parameters.host.feature_table[0] must be an object with a table_name and a namespace"),
    (bind_conf([None, {"table_name": "t", "namespace": 3}]),
     "role_parameters.host.feature_table[1] must be an object with a table_name and a namespace"),
    (bind_conf([]) | {"role_parameters": {"host": [TABLE]}},
     "role_parameters must be a JSON object whose host is a JSON object"),
    (bind_conf([]) | {"role_parameters": "host"}, "role_parameters must be a JSON object whose host is a JSON object"),
])
def test_a_malformed_feature_table_is_refused_before_the_node_is_asked(client: Any, fake: FakeFlow,
                                                                        conf: dict[str, Any], retmsg: str) -> None:
    assert client.post("/v1/model/bind", json=conf).get_json() == {"retcode": 100, "retmsg": retmsg}
    assert fake.requests("BindModel") == []
