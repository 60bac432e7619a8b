"""Upload integrity on a real node: duplicate ids are reported, appends at once all land, and an upload
whose table was published before the node died is a success after the restart."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from integration_helpers import ROOT, Node, running_node, upload_conf, write_conf, write_csv

pytestmark = pytest.mark.integration

NS = "integrity"
UPLOAD_CHILD = ROOT / "tests" / "runtime" / "upload_child.py"  # an upload in a process that dies on cue
CHILD_DIED = 9


def rows(ids: range, tag: str = "v") -> list[str]:
    return [f"{i},{tag}{i},{i % 3}" for i in ids]


def upload(node: Node, path: Path, table: str, drop: int | None) -> dict[str, Any]:
    return node.post("/v1/data/upload", json=upload_conf(path, NS, table, drop=drop)).json()


def test_duplicate_ids_are_reported_in_the_reply_and_the_job_log(node: Node) -> None:
    path = write_csv(node.files / "dups.csv", "id,a,b", ["1,x,0", "2,y,0", "1,z,0", "3,w,0", "2,q,0"])
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "dups.json",
                                                                 upload_conf(path, NS, "dups"))))
    assert code == 0 and reply["retcode"] == 0, reply
    assert (reply["data"]["count"], reply["data"]["duplicates"], reply["data"]["table_count"]) == (3, 2, 3)
    log = node.data_dir / "logs" / reply["jobId"] / "fate_flow_schedule.log"
    assert "2 duplicate rows dropped" in log.read_text()

    clean = upload(node, write_csv(node.files / "clean.csv", "id,a,b", rows(range(4))), "clean", None)
    assert (clean["data"]["count"], clean["data"]["duplicates"]) == (4, 0)


def _at_once(node: Node, uploads: list[tuple[Path, str, int]]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(len(uploads)) as pool:
        return list(pool.map(lambda args: upload(node, *args), uploads))


def test_appends_to_one_table_at_once_all_land(node: Node) -> None:
    base = write_csv(node.files / "base.csv", "id,a,b", rows(range(100_000)))
    assert upload(node, base, "busy", None)["retcode"] == 0
    files = [(write_csv(node.files / f"add{k}.csv", "id,a,b", rows(range(100_000 * k, 100_000 * (k + 1)))), "busy", 0)
             for k in (1, 2, 3)]
    replies = _at_once(node, files)
    assert [reply["retcode"] for reply in replies] == [0, 0, 0], replies
    assert node.table_count(NS, "busy") == 400_000
    assert sorted(reply["data"]["table_count"] for reply in replies) == [200_000, 300_000, 400_000]


def test_two_appends_to_a_new_table_at_once_both_land(node: Node) -> None:
    files = [(write_csv(node.files / f"new{k}.csv", "id,a,b", rows(range(50_000 * k, 50_000 * (k + 1)))), "fresh", 0)
             for k in (0, 1)]
    replies = _at_once(node, files)
    assert [reply["retcode"] for reply in replies] == [0, 0], replies
    assert node.table_count(NS, "fresh") == 100_000


def test_an_upload_published_before_the_node_died_is_a_success_after_the_restart(tmp_path: Path) -> None:
    with running_node(tmp_path) as node:
        base = upload(node, write_csv(node.files / "base.csv", "id,a,b", rows(range(1000))), "t", None)
        assert base["retcode"] == 0, base
        files, data_dir = node.files, node.data_dir
    write_csv(files / "added.csv", "id,a,b", rows(range(900, 1500), "new") + rows(range(1400, 1410), "dup"))
    died = subprocess.run([sys.executable, str(UPLOAD_CHILD), str(data_dir), str(files), NS, "t", "added.csv", "0",
                           "--die", "after-publish"], capture_output=True, text=True, timeout=300)
    assert died.returncode == CHILD_DIED, died.stderr
    job_id = (set(p.name for p in (data_dir / "jobs").iterdir()) - {base["jobId"]}).pop()

    with running_node(tmp_path) as node:
        jobs = node.post("/v1/job/query", json={"job_id": job_id}).json()
        assert jobs["retcode"] == 0 and jobs["data"][0]["f_status"] == "success", jobs
        history = node.post("/v1/data/upload/history", json={"job_id": job_id}).json()["data"]
        info = history[0][job_id]["upload_info"]
        assert (info["upload_count"], info["actual_count"]) == (600, 1500)
        assert node.table_count(NS, "t") == 1500
