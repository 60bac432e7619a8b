"""Download both ways: `fate_flow_client.py -f download` gets the table streamed and writes output_path where the
client runs (any directory); the REST form naming a path on the node (what FATE's own clients send) writes there
only inside the node's allowed dirs. A streamed download cut off by its reader ends its job as failed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import requests

from integration_helpers import (BREAST_HEADER, HTTP_TIMEOUT, Node, assert_refused, breast_rows, upload_conf,
                                 write_conf, write_csv)

pytestmark = pytest.mark.integration

NS = "download_test"
ROWS = ["id," + BREAST_HEADER, *breast_rows(range(300))]


@pytest.fixture(scope="module")
def table(node: Node) -> str:
    csv = write_csv(node.files / "rows.csv", ROWS[0], ROWS[1:])
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "up.json", upload_conf(csv, NS, "rows"))))
    assert code == 0 and reply["data"]["count"] == 300, reply
    return "rows"


def test_the_cli_writes_the_table_where_it_runs(node: Node, table: str) -> None:
    """The node may not write into node.outside; the client may, and does."""
    out = node.outside / "client" / "rows.csv"
    before = sorted(p.name for p in node.files.iterdir())
    conf = write_conf(node.outside / "download.json",
                      {"namespace": NS, "table_name": table, "work_mode": 0, "output_path": str(out)})
    code, reply = node.cli("-f", "download", "-c", str(conf))
    assert code == 0 and reply["retcode"] == 0, reply
    assert (reply["data"]["output_path"], reply["data"]["count"]) == (str(out), 300)
    lines = out.read_text().splitlines()
    assert lines[0] == ROWS[0] and sorted(lines) == sorted(ROWS)
    assert sorted(p.name for p in node.files.iterdir()) == before  # nothing written on the node's side
    code, job = node.cli("-f", "query_job", "-j", reply["jobId"])
    assert code == 0 and job["data"][0]["f_status"] == "success", job


@pytest.mark.parametrize("client_dir", ["files", "outside"])
def test_the_path_fate_s_client_sends_is_a_path_on_the_node(node: Node, table: str, client_dir: str) -> None:
    """FATE 1.2's fate_flow_client.py makes a relative output_path absolute in its own working directory and sends
    that: the node writes it only inside its allowed dirs."""
    cwd = node.files if client_dir == "files" else node.outside
    sent = os.path.join(cwd, "fate_client_rows.csv")  # os.path.abspath("fate_client_rows.csv") in `cwd`
    reply = node.post("/v1/data/download", json={"namespace": NS, "table_name": table, "work_mode": 0,
                                                 "output_path": sent}).json()
    if client_dir == "files":
        assert reply["retcode"] == 0 and reply["data"]["count"] == 300, reply
        assert sorted(Path(sent).read_text().splitlines()) == sorted(ROWS)
    else:
        assert_refused(reply, 100, "output_path", "outside")
        assert not Path(sent).exists()


def test_a_streamed_download_cut_off_by_its_reader_fails_its_job(node: Node) -> None:
    csv = write_csv(node.files / "large.csv", "id,x", [f"{i},{'v' * 200}" for i in range(60_000)])  # 12 MB
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "large.json",
                                                                  upload_conf(csv, NS, "large"))))
    assert code == 0, reply
    with requests.post(node.url + "/v1/data/download/stream", stream=True, timeout=HTTP_TIMEOUT,
                       json={"namespace": NS, "table_name": "large", "work_mode": 0}) as response:
        assert response.status_code == 200
        job_id = json.loads(response.headers["X-Fate-Download"])["job_id"]
        assert next(response.iter_content(4096)).startswith(b"id,x\n")
    deadline = time.monotonic() + 60
    while (row := node.post("/v1/job/query", json={"job_id": job_id}).json()["data"][0])["f_status"] == "running":
        assert time.monotonic() < deadline, row
        time.sleep(0.2)
    assert (row["f_status"], row["f_retmsg"]) == ("failed", "the download was cut off before its end")
