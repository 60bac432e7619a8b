"""The command-line client: server address, a server that is not there, the installed console script."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from integration_helpers import Node, assert_refused, free_port, run_cli, upload_conf, write_conf, write_csv

pytestmark = pytest.mark.integration

CONSOLE_SCRIPT = Path(sys.executable).parent / "fate_flow_client"


def test_no_server_listening() -> None:
    server = f"http://127.0.0.1:{free_port()}"
    code, reply = run_cli(["-f", "upload_history"], server=server)
    assert code == 1
    assert_refused(reply, 100, "Connection refused", server)


def test_server_from_the_environment(node: Node) -> None:
    csv = write_csv(node.files / "env.csv", "id,a", ["1,2", "2,3"])
    code, reply = run_cli(["-f", "upload", "-c", str(write_conf(node.files / "env.json",
                                                                  upload_conf(csv, "cli", "env")))],
                          env={"FATE_FLOW_SERVER": node.url})
    assert code == 0 and reply["retcode"] == 0, reply
    code, info = run_cli(["-f", "table_info", "-n", "cli", "-t", "env"], env={"FATE_FLOW_SERVER": node.url})
    assert code == 0 and info["data"]["count"] == 2, info

    # --server wins over the environment
    nowhere = f"http://127.0.0.1:{free_port()}"
    code, reply = run_cli(["-f", "table_info", "-n", "cli", "-t", "env"], server=node.url,
                          env={"FATE_FLOW_SERVER": nowhere})
    assert code == 0 and reply["data"]["count"] == 2, reply
    code, reply = run_cli(["-f", "table_info", "-n", "cli", "-t", "env"], server=nowhere,
                          env={"FATE_FLOW_SERVER": node.url})
    assert code == 1
    assert_refused(reply, 100, "Connection refused")


def test_console_script_works_like_the_script(node: Node) -> None:
    assert CONSOLE_SCRIPT.is_file(), f"console script fate_flow_client is not installed next to {sys.executable}"
    csv = write_csv(node.files / "console.csv", "id,a,b", ["1,2,3", "2,3,4", "3,4,5"])
    conf = write_conf(node.files / "console.json", upload_conf(csv, "cli", "console"))
    code, reply = run_cli(["-f", "upload", "-c", str(conf)], server=node.url, command=[str(CONSOLE_SCRIPT)])
    assert code == 0 and reply["retcode"] == 0, reply
    assert reply["data"]["count"] == 3

    for args in (["-f", "table_info", "-n", "cli", "-t", "console"],
                 ["-f", "table_info", "-n", "cli", "-t", "no_such_table"],
                 ["-f", "upload_history", "-j", reply["jobId"]],
                 ["-f", "upload", "-c", str(conf)],
                 ["-f", "table_info", "-n", "cli"]):
        installed = run_cli(args, server=node.url, command=[str(CONSOLE_SCRIPT)])
        script = node.cli(*args)
        assert installed == script, args
    assert run_cli(["-f", "table_info", "-n", "cli", "-t", "console"], server=node.url,
                   command=[str(CONSOLE_SCRIPT)])[1]["data"]["count"] == 3
