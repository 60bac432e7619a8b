"""`flow data upload`, `data upload-history`, `table info` and `table delete` (fate-client 1.6 and 1.11) against
our node."""

from __future__ import annotations

import pytest
from compat_helpers import Flow

from integration_helpers import BREAST_HEADER, Node, breast_rows, upload_conf, write_conf, write_csv

pytestmark = pytest.mark.integration

NS = "compat_data"


def test_upload_then_table_info(flow: Flow, compat_node: Node, tmp_path) -> None:
    """The file travels in flow's multipart form; without --drop (drop 2) an existing table is refused."""
    csv = write_csv(tmp_path / "rows.csv", "id," + BREAST_HEADER, breast_rows(range(37)))
    conf = write_conf(tmp_path / "upload.json", upload_conf(csv, NS, "rows"))

    uploaded = flow.ok("data", "upload", "-c", str(conf))
    assert uploaded["jobId"]
    assert uploaded["data"]["count"] == 37
    assert (uploaded["data"]["namespace"], uploaded["data"]["table_name"]) == (NS, "rows")

    info = flow.ok("table", "info", "-n", NS, "-t", "rows")
    assert info["data"]["count"] == 37
    assert info["data"]["partition"] == 4
    assert (info["data"]["namespace"], info["data"]["table_name"]) == (NS, "rows")
    assert info["data"]["schema"]["header"] == BREAST_HEADER
    assert compat_node.table_count(NS, "rows") == 37

    code, again = flow.run("data", "upload", "-c", str(conf))
    assert code == 0  # flow prints the refusal and exits 0
    assert again["retcode"] == 100 and "already exists" in again["retmsg"], again
    assert flow.ok("table", "info", "-n", NS, "-t", "rows")["data"]["count"] == 37
    [record] = flow.ok("data", "upload-history", "-j", uploaded["jobId"])["data"]
    assert record[uploaded["jobId"]]["upload_info"]["upload_count"] == 37

    smaller = write_csv(tmp_path / "smaller.csv", "id," + BREAST_HEADER, breast_rows(range(5)))
    replaced = flow.ok("data", "upload", "-c", str(write_conf(tmp_path / "smaller.json",
                                                              upload_conf(smaller, NS, "rows"))), "--drop")
    assert replaced["data"]["count"] == 5
    assert flow.ok("table", "info", "-n", NS, "-t", "rows")["data"]["count"] == 5


def test_table_info_of_a_missing_table(flow: Flow, compat_node: Node) -> None:
    """FATE's answer, which scripts test a table's existence by: no rows, no partitions."""
    assert flow.ok("table", "info", "-n", NS, "-t", "no_such_table")["data"] == {
        "namespace": NS, "table_name": "no_such_table", "count": 0, "partition": None}


def test_table_delete(flow: Flow, compat_node: Node, tmp_path) -> None:
    csv = write_csv(tmp_path / "gone.csv", "id," + BREAST_HEADER, breast_rows(range(3)))
    flow.ok("data", "upload", "-c", str(write_conf(tmp_path / "upload.json", upload_conf(csv, NS, "gone"))))
    assert flow.ok("table", "delete", "-n", NS, "-t", "gone")["data"] == [{"namespace": NS, "table_name": "gone"}]
    assert compat_node.table_count(NS, "gone") is None
