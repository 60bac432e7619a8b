"""Download as a node runs it: into a file on the node, or streamed to the caller (nothing written on the node),
each as a Download job that ends as the download does."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from fate_runtime.data.download import Downloader, DownloadRequest
from fate_runtime.data.paths import PathPolicy
from fate_runtime.data.upload import UploadRequest
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.state.db import Database
from storage import executor
from upload_child import uploader

NS = "ns"


class Node:
    """An uploader and a downloader over one node-like data dir, files allowed in `files`."""

    def __init__(self, base: Path) -> None:
        self.data, self.files = base / "data", base / "files"
        self.files.mkdir()
        upload, self.store, jobs = uploader(self.data, self.files)
        self.upload = upload
        self.downloader = Downloader(self.store, jobs, PathPolicy(str(self.files), (str(self.files),)), 0)
        self.db = Database(str(self.data / "fate_flow.db"))

    def table(self, name: str, lines: list[str]) -> None:
        (self.files / f"{name}.csv").write_text("".join(line + "\n" for line in lines))
        self.upload.upload(UploadRequest(NS, name, 0, 1, 4, None, f"{name}.csv"))

    def job(self, job_id: str) -> dict[str, Any]:
        [row] = self.db.query("SELECT * FROM t_job WHERE f_job_id = ?", (job_id,))
        return row

    def download_jobs(self) -> int:
        return len(self.db.query("SELECT * FROM t_job WHERE f_dsl LIKE '%Download%'"))

    def log(self, job_id: str) -> str:
        return (self.data / "logs" / job_id / "fate_flow_schedule.log").read_text()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    yield Node(tmp_path)
    executor.shutdown()


LINES = ["id,y,x0", *(f"{i},{i % 2},{i / 10}" for i in range(50))]


def test_a_streamed_download_sends_the_file_s_lines_and_writes_nothing_on_the_node(node: Node) -> None:
    node.table("t", LINES)
    before = sorted(p.name for p in node.files.iterdir())
    sent = node.downloader.stream(DownloadRequest(NS, "t", "", 0))
    assert sent.header_lines == 1
    assert node.job(sent.job_id)["f_status"] == "running"
    text = b"".join(sent.pieces).decode()
    assert text.splitlines()[0] == LINES[0]  # the header line first
    assert sorted(text.splitlines()) == sorted(LINES)
    assert sorted(p.name for p in node.files.iterdir()) == before
    assert node.job(sent.job_id)["f_status"] == "success"
    assert f"sent 50 rows of {NS}.t to the caller" in node.log(sent.job_id)

    written = node.downloader.download(DownloadRequest(NS, "t", "t_out.csv", 0))  # the same text as a file
    assert (node.files / "t_out.csv").read_text() == text and written.count == 50


def test_a_table_without_header_streams_without_header_line(node: Node) -> None:
    node.table("plain", LINES)
    node.upload.upload(UploadRequest(NS, "plain", 0, 0, 4, 1, "plain.csv"))  # head 0: the first line is a row
    sent = node.downloader.stream(DownloadRequest(NS, "plain", "", 0, delimiter=";"))
    assert sent.header_lines == 0
    assert sorted(b"".join(sent.pieces).decode().splitlines()) == sorted(line.replace(",", ";") for line in LINES)


def test_a_large_table_streams_in_pieces(node: Node) -> None:
    node.table("large", ["id,x", *(f"{i},{'v' * 40}{i}" for i in range(40_000))])  # about 2 MB of text
    sent = node.downloader.stream(DownloadRequest(NS, "large", "", 0))
    pieces = [piece for piece in sent.pieces if piece]
    assert len(pieces) >= 2
    assert len(b"".join(pieces).splitlines()) == 40_001
    assert node.job(sent.job_id)["f_status"] == "success"


@pytest.mark.parametrize("read", [0, 1], ids=["closed unread", "closed midway"])
def test_a_stream_closed_before_its_end_fails_its_job(node: Node, read: int) -> None:
    node.table("large", ["id,x", *(f"{i},{'v' * 40}{i}" for i in range(40_000))])
    sent = node.downloader.stream(DownloadRequest(NS, "large", "", 0))
    for _ in range(read):
        next(sent.pieces)
    sent.pieces.close()
    job = node.job(sent.job_id)
    assert (job["f_status"], job["f_retmsg"]) == ("failed", "the download was cut off before its end")
    assert "the caller stopped reading" in node.log(sent.job_id)


@pytest.mark.parametrize("request_, error, words", [
    (DownloadRequest(NS, "t", "somewhere.csv", 0), BadRequest, "output_path must be left out"),
    (DownloadRequest(NS, "no_such_table", "", 0), NotFound, "no_such_table"),
    (DownloadRequest(NS, "t", "", 1), BadRequest, "work_mode 1"),
    (DownloadRequest(NS, "t", "", None), BadRequest, "work_mode"),
    (DownloadRequest(NS, "t", "", 0, delimiter="\n"), BadRequest, "delimiter"),
], ids=["output path", "missing table", "work mode", "no work mode", "delimiter"])
def test_a_refused_stream_starts_no_job(node: Node, request_: DownloadRequest, error: type[Exception],
                                        words: str) -> None:
    node.table("t", LINES)
    with pytest.raises(error, match=words):
        node.downloader.stream(request_)
    assert node.download_jobs() == 0
