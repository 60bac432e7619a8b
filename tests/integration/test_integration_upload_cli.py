"""Upload, download, upload history and table deletion through the CLI, with FATE's own example confs."""

from __future__ import annotations

import json
import os

import pytest

from integration_helpers import (BREAST_B, BREAST_HEADER, BREAST_NAMESPACE, BREAST_ROWS, BREAST_TABLE,
                                 DOWNLOAD_GUEST, UPLOAD_GUEST, Node, assert_refused, breast_rows, upload_conf,
                                 write_conf, write_csv)

pytestmark = pytest.mark.integration


def fresh_breast_upload(node: Node) -> dict:
    """FATE's upload_guest.json, unchanged, into a node where its table does not exist yet."""
    node.drop_table(BREAST_NAMESPACE, BREAST_TABLE)
    code, reply = node.cli("-f", "upload", "-c", str(UPLOAD_GUEST))
    assert code == 0 and reply["retcode"] == 0, reply
    return reply


def test_fate_upload_guest_conf_unchanged(node: Node) -> None:
    assert json.loads(UPLOAD_GUEST.read_text())["file"] == "examples/data/breast_b.csv"
    reply = fresh_breast_upload(node)
    assert reply["retmsg"] == "success"
    assert reply["jobId"]
    data = reply["data"]
    assert data["count"] == BREAST_ROWS
    assert data["partition"] == 10
    assert (data["namespace"], data["table_name"]) == (BREAST_NAMESPACE, BREAST_TABLE)
    assert os.path.isfile(data["job_dsl_path"])
    assert os.path.isfile(data["job_runtime_conf_path"])
    assert reply["jobId"] in data["job_dsl_path"]

    code, info = node.cli("-f", "table_info", "-n", BREAST_NAMESPACE, "-t", BREAST_TABLE)
    assert code == 0 and info["retcode"] == 0, info
    assert info["data"]["count"] == BREAST_ROWS
    assert info["data"]["partition"] == 10
    assert info["data"]["schema"]["header"] == BREAST_HEADER
    assert info["data"]["schema"]["sid"] == "id"


def test_upload_again_refused_then_drop_replaces_or_adds(node: Node) -> None:
    fresh_breast_upload(node)

    code, reply = node.cli("-f", "upload", "-c", str(UPLOAD_GUEST))
    assert code == 1
    assert_refused(reply, 100, "already exists", f"{BREAST_NAMESPACE}.{BREAST_TABLE}")
    assert node.table_count(BREAST_NAMESPACE, BREAST_TABLE) == BREAST_ROWS

    small = write_csv(node.files / "replace.csv", "id," + BREAST_HEADER, breast_rows(range(1, 6)))
    conf = json.loads(UPLOAD_GUEST.read_text())
    conf["file"] = str(small)
    replace_conf = write_conf(node.files / "upload_replace.json", conf)
    code, reply = node.cli("-f", "upload", "-c", str(replace_conf), "-drop", "1")
    assert code == 0 and reply["retcode"] == 0, reply
    assert reply["data"]["count"] == 5
    assert node.table_count(BREAST_NAMESPACE, BREAST_TABLE) == 5

    more_rows = breast_rows(range(4, 10), seed=7.0)  # ids 4 and 5 are there already, 6..9 are new
    more = write_csv(node.files / "more.csv", "id," + BREAST_HEADER, more_rows)
    conf["file"] = str(more)
    add_conf = write_conf(node.files / "upload_add.json", conf)
    code, reply = node.cli("-f", "upload", "-c", str(add_conf), "-drop", "0")
    assert code == 0 and reply["retcode"] == 0, reply
    assert (reply["data"]["count"], reply["data"]["table_count"]) == (6, 9)  # rows of the file, rows of the table
    assert node.table_count(BREAST_NAMESPACE, BREAST_TABLE) == 9
    code, history = node.cli("-f", "upload_history", "-j", reply["jobId"])
    info = history["data"][0][reply["jobId"]]["upload_info"]
    assert (info["upload_count"], info["actual_count"]) == (6, 9)

    out = node.files / "after_add.csv"
    code, reply = node.cli("-f", "download", "-c", str(DOWNLOAD_GUEST), "-o", str(out))
    assert code == 0 and reply["retcode"] == 0, reply
    expected = ["id," + BREAST_HEADER] + breast_rows(range(1, 4)) + more_rows  # added rows win on equal ids
    assert sorted(out.read_text().splitlines()) == sorted(expected)


def test_download_gives_back_the_uploaded_lines(node: Node) -> None:
    fresh_breast_upload(node)
    out = node.files / "downloaded_breast_b.csv"
    conf = json.loads(DOWNLOAD_GUEST.read_text())
    conf["output_path"] = str(out)
    download_conf = write_conf(node.files / "download.json", conf)

    code, reply = node.cli("-f", "download", "-c", str(download_conf))
    assert code == 0 and reply["retcode"] == 0, reply
    assert reply["data"]["count"] == BREAST_ROWS
    assert reply["jobId"]
    downloaded = out.read_text().splitlines()
    source = BREAST_B.read_text().splitlines()
    assert len(downloaded) == BREAST_ROWS + 1
    assert sorted(downloaded) == sorted(source)
    assert downloaded[0] == source[0]  # the header line comes first


def test_upload_history(node: Node) -> None:
    first = node.cli("-f", "upload", "-c", str(write_conf(node.files / "history_a.json", upload_conf(
        write_csv(node.files / "history_a.csv", "id,a,b", ["1,2,3", "2,3,4"]), "history", "a", partition=3))))[1]
    assert first["retcode"] == 0, first
    second = node.cli("-f", "upload", "-c", str(write_conf(node.files / "history_b.json", upload_conf(
        write_csv(node.files / "history_b.csv", "id,a", ["1,2", "2,3", "3,4"]), "history", "b", partition=2))))[1]
    assert second["retcode"] == 0, second

    code, reply = node.cli("-f", "upload_history")
    assert code == 0 and reply["retcode"] == 0, reply
    entries = {job_id: entry for item in reply["data"] for job_id, entry in item.items()}
    assert entries[first["jobId"]]["upload_info"] == {
        "namespace": "history", "table_name": "a", "partition": 3, "upload_count": 2, "actual_count": 2}
    assert entries[second["jobId"]]["upload_info"] == {
        "namespace": "history", "table_name": "b", "partition": 2, "upload_count": 3, "actual_count": 3}

    code, newest = node.cli("-f", "upload_history", "-limit", "1")
    assert code == 0 and newest["retcode"] == 0, newest
    assert len(newest["data"]) == 1
    assert list(newest["data"][0]) == [second["jobId"]]

    code, one = node.cli("-f", "upload_history", "-j", first["jobId"])
    assert code == 0 and one["retcode"] == 0, one
    assert [list(item) for item in one["data"]] == [[first["jobId"]]]
    assert one["data"][0][first["jobId"]]["upload_info"]["table_name"] == "a"


def _upload_small(node: Node, name: str) -> dict:
    csv = write_csv(node.files / f"{name}.csv", "id,a", ["1,1", "2,2", "3,3"])
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / f"{name}.json",
                                                                  upload_conf(csv, "delete_test", name))))
    assert code == 0 and reply["retcode"] == 0, reply
    return reply


def test_table_delete_by_name(node: Node) -> None:
    _upload_small(node, "by_name")
    assert node.table_count("delete_test", "by_name") == 3

    code, reply = node.cli("-f", "table_delete", "-n", "delete_test", "-t", "by_name")
    assert code == 0 and reply["retcode"] == 0, reply
    assert reply["data"] == [{"namespace": "delete_test", "table_name": "by_name"}]

    code, info = node.cli("-f", "table_info", "-n", "delete_test", "-t", "by_name")  # FATE's answer: no such table
    assert (code, info) == (0, {"retcode": 0, "retmsg": "success", "data": {
        "table_name": "by_name", "namespace": "delete_test", "count": 0, "partition": None}})

    code, again = node.cli("-f", "table_delete", "-n", "delete_test", "-t", "by_name")
    assert code == 1
    assert_refused(again, 101, "delete_test.by_name")


def test_table_delete_by_upload_job(node: Node) -> None:
    upload = _upload_small(node, "by_job")
    _upload_small(node, "bystander")

    code, reply = node.cli("-f", "table_delete", "-j", upload["jobId"])
    assert code == 0 and reply["retcode"] == 0, reply
    assert reply["data"] == [{"namespace": "delete_test", "table_name": "by_job"}]
    assert node.table_count("delete_test", "by_job") is None
    assert node.table_count("delete_test", "bystander") == 3

    code, again = node.cli("-f", "table_delete", "-j", upload["jobId"])
    assert code == 1
    assert_refused(again, 101, upload["jobId"])


def test_adding_rows_with_other_columns_is_refused(node: Node) -> None:
    first = write_csv(node.files / "columns_a.csv", "id,a,b", ["1,2,3"])
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "columns_a.json",
                                                                  upload_conf(first, "columns", "t"))))
    assert code == 0 and reply["retcode"] == 0, reply
    other = write_csv(node.files / "columns_b.csv", "id,x", ["2,5"])
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "columns_b.json",
                                                                  upload_conf(other, "columns", "t"))), "-drop", "0")
    assert code == 1
    assert_refused(reply, 100, "columns do not match", "columns.t")
    assert node.table_count("columns", "t") == 1
