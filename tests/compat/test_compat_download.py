"""Where a download lands. FATE's clients (FATE 1.2's fate_flow_client.py, and `flow data download` of fate-client
1.6 and 1.11 alike) make a relative output_path absolute in their own working directory and send that path: the
node writes it only inside its allowed dirs. This project's CLI has no such trap: the node streams the table and the
CLI writes output_path where it runs, relative to its working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from compat_helpers import Flow

from integration_helpers import (BREAST_HEADER, ROOT, Node, assert_refused, breast_rows, upload_conf, write_conf,
                                 write_csv)

pytestmark = pytest.mark.integration

NS = "compat_download"
LINES = ["id," + BREAST_HEADER, *breast_rows(range(40))]


@pytest.fixture(scope="module")
def table(flow: Flow, compat_node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("download_table")
    csv = write_csv(tmp / "rows.csv", LINES[0], LINES[1:])
    flow.ok("data", "upload", "-c", str(write_conf(tmp / "upload.json", upload_conf(csv, NS, "rows"))))
    return "rows"


def download_conf(path: Path, table: str, output_path: str) -> str:
    return str(write_conf(path, {"namespace": NS, "table_name": table, "work_mode": 0, "output_path": output_path}))


def test_flow_sends_a_path_on_the_node(flow: Flow, compat_node: Node, table: str, tmp_path: Path) -> None:
    conf = download_conf(tmp_path / "download.json", table, "flow_rows.csv")
    written = flow.ok("data", "download", "-c", conf, cwd=compat_node.files)  # run inside the node's allowed dir
    assert written["data"]["output_path"] == str(compat_node.files / "flow_rows.csv")
    assert sorted((compat_node.files / "flow_rows.csv").read_text().splitlines()) == sorted(LINES)

    code, refused = flow.run("data", "download", "-c", conf, cwd=tmp_path)  # run anywhere else
    assert code == 0
    assert_refused(refused, 100, "output_path", "outside")
    assert not (tmp_path / "flow_rows.csv").exists()


def test_the_cli_writes_a_relative_output_path_where_it_runs(compat_node: Node, table: str, tmp_path: Path) -> None:
    """The CLI runs in the repository's root (integration_helpers.run_cli): the relative path leads into tmp_path,
    which the node may not write into."""
    relative = os.path.relpath(tmp_path / "cli_rows.csv", ROOT)
    code, reply = compat_node.cli("-f", "download", "-c", download_conf(tmp_path / "download.json", table, relative))
    assert code == 0 and reply["retcode"] == 0, reply
    assert (reply["data"]["output_path"], reply["data"]["count"]) == (str(tmp_path / "cli_rows.csv"), 40)
    lines = (tmp_path / "cli_rows.csv").read_text().splitlines()
    assert lines[0] == LINES[0] and sorted(lines) == sorted(LINES)
