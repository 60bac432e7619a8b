"""A full disk, for real: a node whose data dir is a small tmpfs that the test fills up.

Every request that needs room answers one sentence ("no space left on ..."), leaves no half-made job
dir, log dir or staging table, and once there is room again the node works as before. The tmpfs
needs the privilege to mount (CI runs as root); without it the test says so and skips.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from integration_helpers import Node, assert_readable, node_args, running_node, upload_conf, write_csv
from jobs_helpers import NODE_ENV, parties_conf, submit, submitted, wait_dsl, wait_job

pytestmark = pytest.mark.integration

DISK_MB = 32


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'mount failed'}); needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(disk: Path) -> Path:
    """Take every free byte of the disk; returns the file that holds them."""
    filler = disk / "filler"
    block = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def _entries(node: Node, folder: str) -> set[str]:
    path = node.data_dir / folder
    return {entry.name for entry in path.iterdir()} if path.exists() else set()


def test_a_full_disk_is_one_sentence_and_leaves_nothing_half_made(small_disk: Path, tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    rows = write_csv(files / "rows.csv", "id,x", [f"{i},{i}" for i in range(20_000)])
    with running_node(tmp_path, node_args(small_disk / "data", files), env=NODE_ENV) as node:
        dsl, conf = wait_dsl(("wait_0", [])), parties_conf("9999", "10000")
        first = submitted(node, tmp_path / "confs", dsl, conf)
        wait_job(node, first)
        jobs_before, logs_before = _entries(node, "jobs"), _entries(node, "logs")
        filler = _fill(small_disk)

        code, reply = submit(node, tmp_path / "confs", dsl, conf)
        assert code == 1 and reply["retcode"] == 100, reply
        assert "no space left on " in reply["retmsg"], reply  # naming the node (the party side refused)
        assert_readable(reply["retmsg"])
        assert (_entries(node, "jobs"), _entries(node, "logs")) == (jobs_before, logs_before)

        reply = node.post("/v1/data/upload", json=upload_conf(rows, "full", "rows", partition=2)).json()
        assert reply["retcode"] == 100 and reply["retmsg"].startswith("no space left on "), reply
        assert node.table_count("full", "rows") is None
        assert node.staging_entries() == []

        os.unlink(filler)
        again = submitted(node, tmp_path / "confs", dsl, conf)
        assert [row["f_status"] for row in wait_job(node, again)] == ["success", "success"]
        reply = node.post("/v1/data/upload", json=upload_conf(rows, "full", "rows", partition=2)).json()
        assert reply["retcode"] == 0 and reply["data"]["count"] == 20_000, reply
