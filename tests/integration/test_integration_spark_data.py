"""Data on a node computing on Spark (--computing spark, local[2]): FATE's upload_guest.json, unchanged, lands as a
Spark table under spark.storage_dir (parsed and written by Spark in a child process of the node); table_info and
the upload history show it, its download gives back the CSV's lines, and table_delete removes it; a bad line found
by the executors refuses the upload in one sentence, leaving nothing."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Iterator

import pytest

from integration_helpers import (BREAST_B, BREAST_HEADER, BREAST_NAMESPACE, BREAST_ROWS, BREAST_TABLE,
                                 DOWNLOAD_GUEST, UPLOAD_GUEST, Node, assert_refused, node_args, running_node,
                                 upload_conf, write_conf, write_csv)
from system_packages import missing_package

pytestmark = [pytest.mark.integration, pytest.mark.spark]

LEFTOVER = "left-by-a-dead-upload"


@pytest.fixture(scope="module")
def spark_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Path]]:
    if shutil.which("java") is None:
        missing_package("java is not installed (Debian: openjdk-17-jre-headless)")
    pytest.importorskip("pyspark")
    base = tmp_path_factory.mktemp("spark_data")
    storage_dir = base / "spark"
    (storage_dir / ".staging" / LEFTOVER / "part-00000").mkdir(parents=True)  # a writer that died before publishing
    args = node_args(base / "data", base / "files") + [
        "--computing", "spark", "--spark-master", "local[2]", "--spark-storage-dir", str(storage_dir)]
    with running_node(base, args) as node:
        yield node, storage_dir


def _jvms_of(node: Node) -> list[str]:
    """The Java processes of the node's session, once those of ended Spark jobs have exited (a SparkContext started
    in the node would keep its JVM there)."""
    deadline = time.monotonic() + 20
    while (found := _session_jvms(node.server.proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def _session_jvms(session_id: int) -> list[str]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            session = int(stat.read_text().rsplit(")", 1)[1].split()[3])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if session == session_id and "java" in command.split(" ")[0]:
            found.append(command)
    return found


def test_fate_s_upload_conf_lands_on_spark_and_downloads_and_deletes_as_on_lmdb(spark_node: tuple[Node, Path]) -> None:
    node, storage_dir = spark_node
    code, reply = node.cli("-f", "upload", "-c", str(UPLOAD_GUEST))
    assert code == 0 and reply["retcode"] == 0, reply
    assert (reply["data"]["count"], reply["data"]["partition"]) == (BREAST_ROWS, 10)
    table_dir = storage_dir / BREAST_NAMESPACE / BREAST_TABLE
    assert sorted(p.name for p in table_dir.iterdir()) == ["meta.json"] + [f"part-{i:05d}" for i in range(10)]
    assert not (node.data_dir / "storage" / "tables" / BREAST_NAMESPACE).exists()
    assert _jvms_of(node) == []  # Spark ran in a child process of the node, which has ended

    code, info = node.cli("-f", "table_info", "-n", BREAST_NAMESPACE, "-t", BREAST_TABLE)
    assert code == 0 and info["retcode"] == 0, info
    assert (info["data"]["count"], info["data"]["partition"]) == (BREAST_ROWS, 10)
    assert (info["data"]["schema"]["header"], info["data"]["schema"]["sid"]) == (BREAST_HEADER, "id")
    code, history = node.cli("-f", "upload_history", "-j", reply["jobId"])
    assert history["data"][0][reply["jobId"]]["upload_info"]["upload_count"] == BREAST_ROWS

    out = node.files / "breast_b_from_spark.csv"
    conf = write_conf(node.files / "download.json", {**json.loads(DOWNLOAD_GUEST.read_text()), "output_path": str(out)})
    code, reply = node.cli("-f", "download", "-c", str(conf))
    assert code == 0 and reply["retcode"] == 0 and reply["data"]["count"] == BREAST_ROWS, reply
    downloaded, source = out.read_text().splitlines(), BREAST_B.read_text().splitlines()
    assert downloaded[0] == source[0] and sorted(downloaded) == sorted(source)
    assert _jvms_of(node) == []

    code, reply = node.cli("-f", "table_delete", "-n", BREAST_NAMESPACE, "-t", BREAST_TABLE)
    assert code == 0 and reply["retcode"] == 0, reply
    assert not table_dir.exists() and node.table_count(BREAST_NAMESPACE, BREAST_TABLE) is None
    assert [p.name for p in (storage_dir / ".staging").iterdir()] == []


def test_a_bad_line_found_by_the_executors_refuses_the_upload_in_one_sentence(spark_node: tuple[Node, Path]) -> None:
    node, storage_dir = spark_node
    bad = write_csv(node.files / "bad.csv", "id,x,y", ["1,2,3", "2,3,4", "3,4"])
    conf = write_conf(node.files / "bad.json", upload_conf(bad, "spark_data", "bad", backend=1))
    code, reply = node.cli("-f", "upload", "-c", str(conf))
    assert_refused(reply, 100, "line 4 of file", "has 2 columns, expected 3")
    assert not (storage_dir / "spark_data").exists() and node.table_count("spark_data", "bad") is None
    assert [p.name for p in (storage_dir / ".staging").iterdir()] == []


def test_the_node_clears_what_dead_spark_writers_left_when_it_starts(spark_node: tuple[Node, Path]) -> None:
    _, storage_dir = spark_node
    assert not (storage_dir / ".staging" / LEFTOVER).exists()
