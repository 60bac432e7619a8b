"""Upload as a node runs it: appends that are all or nothing, serialised per table, counted duplicates,
and what a restart makes of an upload the node died in."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator

import pytest

from fate_runtime.state.db import Database
from fate_runtime.state.job_store import RESTARTED
from fate_runtime.data.upload import UploadRequest, UploadResult
from fate_runtime.errors import BadRequest
from storage import Store, executor
from upload_child import DIED, uploader

CHILD = Path(__file__).resolve().parent / "upload_child.py"
NS = "ns"


class Node:
    """The uploader, store and job records of one node-like data dir."""

    def __init__(self, base: Path) -> None:
        self.data = base / "data"
        self.files = base / "files"
        self.files.mkdir(exist_ok=True)
        self.uploader, self.store, self.jobs = uploader(self.data, self.files)
        self.db = Database(str(self.data / "fate_flow.db"))

    def restart(self) -> None:
        self.uploader, self.store, self.jobs = uploader(self.data, self.files)

    def csv(self, name: str, ids: Iterable[int], value: str = "v") -> str:
        path = self.files / name
        path.write_text("id,x\n" + "".join(f"{i},{value}{i}\n" for i in ids))
        return name

    def upload(self, file: str, table: str, drop: int | None) -> UploadResult:
        return self.uploader.upload(UploadRequest(NS, table, 0, 1, 4, drop, file))

    def job(self, job_id: str) -> dict[str, Any]:
        rows = self.db.query("SELECT * FROM t_job WHERE f_job_id = ?", (job_id,))
        assert len(rows) == 1
        return rows[0]

    def only_job(self, status: str | None = None) -> dict[str, Any]:
        rows = self.db.query("SELECT * FROM t_job")
        return rows[-1] if status is None else next(r for r in rows if r["f_status"] == status)

    def data_view(self, job_id: str) -> list[dict[str, Any]]:
        return self.db.query("SELECT * FROM t_data_view WHERE f_job_id = ?", (job_id,))

    def log(self, job_id: str) -> str:
        return (self.data / "logs" / job_id / "fate_flow_schedule.log").read_text()

    def rows(self, table: str) -> dict[Any, Any]:
        return dict(self.store.table(NS, table).collect())

    def staging(self) -> list[str]:
        return [p.name for p in (self.data / "storage" / "staging").iterdir()]

    def in_child(self, file: str, table: str, drop: int, *options: str) -> subprocess.CompletedProcess[str]:
        """The upload in a process of its own (see upload_child.py)."""
        return subprocess.run([sys.executable, str(CHILD), str(self.data), str(self.files), NS, table, file,
                               str(drop), *options], capture_output=True, text=True, timeout=300)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    yield Node(tmp_path)
    executor.shutdown()


def test_duplicate_ids_are_counted_and_logged(node: Node) -> None:
    node.files.joinpath("dup.csv").write_text("id,x\n1,a\n2,b\n1,c\n3,d\n3,e\n3,f\n")
    result = node.upload("dup.csv", "dup", None)
    assert (result.count, result.duplicates, result.table_count) == (3, 3, 3)
    assert "3 duplicate rows dropped" in node.log(result.job_id)
    clean = node.upload(node.csv("clean.csv", range(5)), "clean", None)
    assert (clean.count, clean.duplicates) == (5, 0)
    assert "duplicate" not in node.log(clean.job_id)


def test_an_append_adds_rows_and_names_its_job_in_the_table(node: Node) -> None:
    first = node.upload(node.csv("a.csv", range(100)), "t", None)
    added = node.upload(node.csv("b.csv", range(50, 150), "new"), "t", 0)
    assert (added.count, added.table_count, added.duplicates) == (100, 150, 0)
    rows = node.rows("t")
    assert len(rows) == 150 and rows["0"] == "v0" and rows["50"] == "new50" and rows["149"] == "new149"
    assert node.store.table(NS, "t").meta.written_by == added.job_id != first.job_id
    assert node.data_view(added.job_id)[0]["f_table_count_actual"] == 150
    assert node.staging() == []


def _slow_publish(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing takes a while (a busy disk): two uploads that start together overlap in it."""
    publish = store.publish

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return publish(*args, **kwargs)

    monkeypatch.setattr(store, "publish", slow)


def _at_once(node: Node, uploads: list[tuple[str, str, int]]) -> list[UploadResult | BaseException]:
    """The uploads started together in threads: each one's result, or what it raised."""
    with ThreadPoolExecutor(len(uploads)) as pool:
        futures = [pool.submit(node.upload, *args) for args in uploads]
    return [future.exception() or future.result() for future in futures]


def test_two_appends_to_a_new_table_at_once_both_land(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    _slow_publish(node.store, monkeypatch)
    results = _at_once(node, [(node.csv("a.csv", range(0, 300)), "new", 0),
                              (node.csv("b.csv", range(300, 700)), "new", 0)])
    assert all(isinstance(r, UploadResult) for r in results), results
    assert len(node.rows("new")) == 700
    assert sorted(r.table_count for r in results if isinstance(r, UploadResult)) in ([300, 700], [400, 700])


def test_appends_to_an_existing_table_at_once_all_land(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    node.upload(node.csv("base.csv", range(1000)), "t", None)
    _slow_publish(node.store, monkeypatch)
    results = _at_once(node, [(node.csv(f"{k}.csv", range(1000 * k, 1000 * k + 500)), "t", 0) for k in (1, 2, 3)])
    assert all(isinstance(r, UploadResult) for r in results), results
    assert len(node.rows("t")) == 2500


def test_a_replace_and_an_append_at_once_are_one_after_the_other(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    node.upload(node.csv("base.csv", range(100)), "t", None)
    _slow_publish(node.store, monkeypatch)
    results = _at_once(node, [(node.csv("replace.csv", range(500, 510)), "t", 1),
                              (node.csv("add.csv", range(900, 920)), "t", 0)])
    assert all(isinstance(r, UploadResult) for r in results), results
    assert len(node.rows("t")) in (10 + 20, 10)  # the append after the replace, or the replace after it


def test_a_node_that_died_after_publishing_an_append_finds_it_a_success(node: Node) -> None:
    node.upload(node.csv("base.csv", range(100)), "t", None)
    died = node.in_child(node.csv("add.csv", [5, 200, 201, 5], "new"), "t", 0, "--die", "after-publish")
    assert died.returncode == DIED, died.stderr
    job = node.only_job()
    assert job["f_status"] == "running" and node.data_view(job["f_job_id"]) == []
    assert node.store.table(NS, "t").meta.written_by == job["f_job_id"]

    node.restart()
    job = node.job(job["f_job_id"])
    assert (job["f_status"], job["f_retmsg"], job["f_progress"]) == ("success", "", 100)
    assert job["f_end_time"] >= job["f_start_time"]
    view = node.data_view(job["f_job_id"])
    assert len(view) == 1
    assert (view[0]["f_table_namespace"], view[0]["f_table_name"], view[0]["f_partition"]) == (NS, "t", 4)
    assert (view[0]["f_table_count_upload"], view[0]["f_table_count_actual"]) == (3, 102)
    assert "the upload is complete" in node.log(job["f_job_id"])
    assert len(node.rows("t")) == 102


def test_a_node_that_died_before_publishing_finds_the_upload_failed_and_the_table_as_it_was(node: Node) -> None:
    node.upload(node.csv("base.csv", range(100)), "t", None)
    before = node.store.table(NS, "t").meta.written_by
    died = node.in_child(node.csv("add.csv", range(100, 200)), "t", 0, "--die", "before-publish")
    assert died.returncode == DIED, died.stderr
    job_id = node.only_job("running")["f_job_id"]

    node.restart()
    job = node.job(job_id)
    assert (job["f_status"], job["f_retmsg"]) == ("failed", RESTARTED)
    assert node.data_view(job_id) == []
    assert node.store.table(NS, "t").meta.written_by == before
    assert node.rows("t") == {str(i): f"v{i}" for i in range(100)}


@pytest.mark.parametrize("existing_rows, new_rows", [(200_000, 10), (10, 200_000)],
                         ids=["the copy of the table", "the file's rows"])
def test_an_append_that_runs_out_of_disk_leaves_nothing_and_the_table_as_it_was(
        node: Node, existing_rows: int, new_rows: int) -> None:
    node.upload(node.csv("base.csv", range(existing_rows), "x" * 40), "t", None)
    limit = 2 << 20  # past this file size writes fail (EFBIG), as they do on a full disk
    partition_file = node.data / "storage" / "tables" / NS / "t" / "0" / "data.mdb"
    assert (partition_file.stat().st_size > limit) == (existing_rows > new_rows)
    failed = node.in_child(node.csv("add.csv", range(10**7, 10**7 + new_rows), "y" * 40), "t", 0,
                           "--file-size-limit", str(limit))
    assert failed.returncode == 0 and "Error" in failed.stdout, (failed.stdout, failed.stderr)
    job = node.only_job("failed")
    assert job["f_retmsg"].startswith("upload failed")
    assert node.staging() == []
    assert len(node.rows("t")) == existing_rows
    assert node.store.table(NS, "t").meta.written_by != job["f_job_id"]


def test_a_failed_publish_leaves_nothing_and_the_table_as_it_was(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    node.upload(node.csv("base.csv", range(100)), "t", None)

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(node.store, "publish", full_disk)
    with pytest.raises(OSError):
        node.upload(node.csv("add.csv", range(100, 300)), "t", 0)
    assert node.only_job("failed")["f_retmsg"] == "no space left on the node's disk; free some space and try again"
    assert node.staging() == []
    assert len(node.rows("t")) == 100


def test_files_left_half_received_are_removed_when_the_uploader_starts(node: Node) -> None:
    incoming = node.data / "incoming"
    (incoming / "0123-upload.csv").write_text("id,x\n1,")
    (incoming / "4567-other.csv").write_text("")
    (incoming / "a folder someone made").mkdir()
    node.restart()
    assert list(incoming.iterdir()) == []


@pytest.mark.parametrize("backend, message", [
    (1, "backend 1 asks for Spark, which this node does not offer: it has no spark settings (spark.storage_dir)"),
    (2, "backend must be 0 (the embedded LMDB store) or 1 (Spark), got 2")])
def test_an_upload_asking_for_a_backend_the_node_lacks_is_refused_and_creates_nothing(
        node: Node, backend: int, message: str) -> None:
    file = node.csv("a.csv", range(3))
    with pytest.raises(BadRequest) as refused:
        node.uploader.upload(UploadRequest(NS, "t", 0, 1, 4, None, file, backend=backend))
    assert str(refused.value) == message
    assert not node.store.exists(NS, "t") and node.db.query("SELECT * FROM t_job") == []
    assert node.uploader.upload(UploadRequest(NS, "t", 0, 1, 4, None, file, backend=0)).count == 3
