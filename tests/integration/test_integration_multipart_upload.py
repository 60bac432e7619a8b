"""The multipart upload of later FATE clients (PyPI fate-client `flow data upload`): the file travels to the node."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from integration_helpers import (BREAST_B, BREAST_HEADER, BREAST_ROWS, Node, assert_refused, breast_rows,
                                 write_csv)

pytestmark = pytest.mark.integration

NS = "multipart"


def flow_conf(path: Path, table_name: str, drop: int | None = None) -> dict[str, Any]:
    """The conf as `flow data upload` sends it (the client's own path, use_local_data 0)."""
    conf: dict[str, Any] = {"file": str(path), "head": 1, "partition": 4, "work_mode": 0, "namespace": NS,
                            "table_name": table_name, "use_local_data": 0}
    if drop is not None:
        conf["drop"] = drop
    return conf


def post_file(node: Node, path: Path, params: Any = None, data: Any = None) -> dict[str, Any]:
    with path.open("rb") as content:
        response = node.post("/v1/data/upload", params=params, data=data,
                             files={"file": (os.path.basename(path), content, "application/octet-stream")})
    assert response.status_code == 200, response.text
    return response.json()


def test_conf_as_one_json_query_string(node: Node) -> None:
    """fate-client 1.5.1+: `params=json.dumps(conf)`; drop 2 refuses an existing table, drop 1 replaces it."""
    reply = post_file(node, BREAST_B, params=json.dumps(flow_conf(BREAST_B, "breast", drop=2)))
    assert reply["retcode"] == 0, reply
    assert reply["jobId"]
    assert reply["data"]["count"] == BREAST_ROWS
    assert node.table_count(NS, "breast") == BREAST_ROWS
    info = node.post("/v1/table/table_info", json={"namespace": NS, "table_name": "breast"}).json()
    assert info["data"]["schema"] == {"header": BREAST_HEADER, "sid": "id", "delimiter": ","}

    again = post_file(node, BREAST_B, params=json.dumps(flow_conf(BREAST_B, "breast", drop=2)))
    assert_refused(again, 100, "already exists", f"{NS}.breast")
    assert node.table_count(NS, "breast") == BREAST_ROWS

    small = write_csv(node.files / "small.csv", "id," + BREAST_HEADER, breast_rows(range(7)))
    replaced = post_file(node, small, params=json.dumps(flow_conf(small, "breast", drop=1)))
    assert replaced["retcode"] == 0, replaced
    assert replaced["data"]["count"] == 7
    assert node.table_count(NS, "breast") == 7


def test_conf_fields_as_query_parameters(node: Node) -> None:
    """fate-client 1.4.x / 1.5.0: the conf fields as separate query parameters."""
    small = write_csv(node.files / "fields.csv", "id,a,b", ["1,2,3", "2,3,4", "3,4,5"])
    reply = post_file(node, small, params=flow_conf(small, "fields"))
    assert reply["retcode"] == 0, reply
    assert reply["data"]["count"] == 3
    assert node.table_count(NS, "fields") == 3

    refused = post_file(node, small, params=flow_conf(small, "fields", drop=2))
    assert_refused(refused, 100, "already exists")
    bigger = write_csv(node.files / "fields2.csv", "id,a,b", ["1,2,3", "2,3,4", "3,4,5", "4,5,6", "5,6,7"])
    reply = post_file(node, bigger, params=flow_conf(bigger, "fields", drop=1))
    assert reply["retcode"] == 0, reply
    assert node.table_count(NS, "fields") == 5


def test_conf_fields_as_form_fields(node: Node) -> None:
    """fate-client 1.4.0: the conf fields as form fields beside the file."""
    small = write_csv(node.files / "form.csv", "id,a", ["1,2", "2,3"])
    reply = post_file(node, small, data={k: str(v) for k, v in flow_conf(small, "form").items()})
    assert reply["retcode"] == 0, reply
    assert node.table_count(NS, "form") == 2


def test_bad_multipart_uploads_change_nothing(node: Node) -> None:
    tables_before = node.stored_tables()
    ragged = write_csv(node.files / "ragged.csv", "id,a,b", ["1,1,1", "2,2,2", "3,3,3", "4,4,4", "5,5,5", "6,6"])
    reply = post_file(node, ragged, params=json.dumps(flow_conf(ragged, "ragged")))
    assert_refused(reply, 100, "line 7", "ragged.csv")

    empty = write_csv(node.files / "empty.csv", None, [])
    assert_refused(post_file(node, empty, params=json.dumps(flow_conf(empty, "empty"))), 100, "empty")

    no_head = flow_conf(ragged, "no_head")
    del no_head["head"]
    assert_refused(post_file(node, ragged, params=json.dumps(no_head)), 100, "head")

    with ragged.open("rb") as content:
        wrong_field = node.post("/v1/data/upload", params=json.dumps(flow_conf(ragged, "wrong_field")),
                                files={"data": ("ragged.csv", content, "application/octet-stream")}).json()
    assert_refused(wrong_field, 100, "file")

    broken = node.post("/v1/data/upload", params='{"namespace": "multipart", "table_name":',
                       files={"file": ("x.csv", b"id,a\n1,2\n", "application/octet-stream")}).json()
    assert_refused(broken, 100, "query string", "json")

    assert node.stored_tables() == tables_before
    assert node.staging_entries() == []
    assert node.incoming_entries() == []

