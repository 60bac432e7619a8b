"""Uploads and downloads on Spark as a node runs them, with the Spark jobs run in this test process (the session's
spark_store: the process's one SparkContext, local[2]) instead of the node's child process: the CSV
parsed by the executors with the LMDB upload's rules and errors, the table laid out as the LMDB store lays it out,
a download file byte for byte the LMDB one."""

from __future__ import annotations

import dataclasses
import random
from itertools import chain
from pathlib import Path
from typing import Any, Iterator

import pytest

from fate_runtime.computing import SPARK
from fate_runtime.data import csv_loader
from fate_runtime.data.download import Downloader, DownloadRequest
from fate_runtime.data.node_tables import SparkSide, SparkTableFiles
from fate_runtime.data.paths import PathPolicy
from fate_runtime.data.spark_child import spark_jobs
from fate_runtime.data.tables import Tables
from fate_runtime.data.upload import UploadRequest, Uploader
from fate_runtime.errors import BadRequest
from fate_runtime.state.data_views import DataViews
from fate_runtime.state.db import Database
from fate_runtime.state.local_jobs import LocalJobs
from storage import Store, executor
from storage.spark.directory import STAGING
from storage.spark.partition_files import read_partition

pytestmark = pytest.mark.spark

NS = "ns"


class SparkNode:
    """An uploader, downloader and table queries over one node-like data dir with a Spark storage dir; Spark jobs run
    here, counted."""

    def __init__(self, base: Path, computing: str, spark_store: Any) -> None:
        self.files, self.spark_dir = base / "files", base / "spark"
        self.files.mkdir()
        # the session's SparkContext, with a storage dir of this node's
        self.spark = type(spark_store)(dataclasses.replace(spark_store.settings, storage_dir=str(self.spark_dir)))
        self.store = Store(str(base / "data" / "storage"), workers=1)
        db = Database(str(base / "data" / "fate_flow.db"))
        jobs = LocalJobs(db, str(base / "data"))
        self.runs: list[str] = []
        side = SparkSide(self.spark.files, self._run)
        paths = PathPolicy(str(self.files), (str(self.files),))
        self.uploader = Uploader(self.store, jobs, paths, 0, str(base / "data" / "incoming"), side, computing)
        self.downloader = Downloader(self.store, jobs, paths, 0, side)
        self.tables = Tables(self.store, DataViews(db), self.spark.files)

    def _run(self, kind: str, request: dict[str, Any], log_path: str) -> dict[str, Any]:
        self.runs.append(kind)
        return spark_jobs()[kind](self.spark, request)

    def csv(self, name: str, text: str | bytes) -> str:
        path = self.files / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return name

    def upload(self, file: str, table: str, backend: int | None = None, drop: int | None = None,
               partition: int = 3) -> Any:
        return self.uploader.upload(UploadRequest(NS, table, 0, 1, partition, drop, file, backend=backend))

    def download(self, table: str, file: str) -> bytes:
        self.downloader.download(DownloadRequest(NS, table, file, 0))
        return (self.files / file).read_bytes()

    def stored(self, table: str) -> dict[Any, Any]:
        """The rows of a Spark table, read from its files here (no Spark job)."""
        return dict(SparkTableFiles(self.spark.files, self.spark.files.meta(NS, table)).collect())

    def partitions(self, table: str) -> list[list[tuple[bytes, bytes]]]:
        """Each partition's (key, value) codec bytes in stored order, of the Spark table or else the LMDB one."""
        if self.spark.files.exists(NS, table):
            directory = self.spark.files.table_dir(NS, table)
            count = self.spark.files.meta(NS, table).partitions
            return [list(read_partition(directory, index)) for index in range(count)]
        lmdb = self.store.table(NS, table)
        return [list(chain.from_iterable(lmdb.encoded_batches(index))) for index in range(lmdb.partitions)]

    def staging_left(self) -> list[str]:
        return sorted(p.name for p in (self.spark_dir / STAGING).iterdir())


@pytest.fixture
def node(tmp_path: Path, spark_store: Any) -> Iterator[SparkNode]:
    yield SparkNode(tmp_path, "lmdb", spark_store)
    executor.shutdown()


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte ranges of a few hundred bytes (cut here, in the driver), so lines cross ranges' ends (few ranges: each
    is a Spark task)."""
    monkeypatch.setattr(csv_loader, "_MIN_CHUNK", 0)
    monkeypatch.setattr(csv_loader, "_MAX_CHUNK", 301)


def _rows(count: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    return "id,a,b,c\n" + "".join(f"{i},{rng.uniform(-9, 9):.{rng.randint(0, 6)}f},{i % 3},x{i}\n"
                                  for i in range(count))


def test_backend_1_puts_the_table_on_spark_parsed_by_the_executors(node: SparkNode, tiny_chunks: None) -> None:
    result = node.upload(node.csv("rows.csv", _rows(120) + "0,dup,1,2\n"), "t", backend=1)
    assert node.runs == ["import_csv"]
    assert (result.count, result.table_count, result.duplicates, result.partition) == (120, 120, 1, 3)
    assert not node.store.exists(NS, "t") and node.spark.files.exists(NS, "t")
    meta = node.spark.files.meta(NS, "t")
    assert meta.written_by == result.job_id
    assert meta.schema == {"header": "a,b,c", "sid": "id", "delimiter": ","}
    assert node.stored("t")["7"] == _rows(120).split("\n")[8].split(",", 1)[1]
    info = node.tables.info(NS, "t")
    assert (info.count, info.partition) == (120, 3)
    [history] = node.tables.upload_history()
    assert (history.job_id, history.count, history.table_count) == (result.job_id, 120, 120)
    assert node.staging_left() == []


def test_a_spark_table_is_laid_out_and_downloaded_as_the_lmdb_one(node: SparkNode, tiny_chunks: None) -> None:
    """Same partitions, same keys in each in the same order: the download files are the same bytes."""
    text = _rows(120, seed=9).replace("\n1,", "\r\n1,")
    node.upload(node.csv("rows.csv", "\ufeff" + text), "on_lmdb", backend=0)
    node.upload(node.csv("rows.csv", "\ufeff" + text), "on_spark", backend=1)
    assert node.partitions("on_spark") == node.partitions("on_lmdb")
    from_spark = node.download("on_spark", "spark.csv")
    assert node.runs == ["import_csv", "export_csv"]
    assert from_spark == node.download("on_lmdb", "lmdb.csv")
    assert from_spark.decode().splitlines()[0] == "id,a,b,c" and len(from_spark.decode().splitlines()) == 121
    assert node.staging_left() == []


@pytest.mark.parametrize("content,words", [
    (b"id,x,y\n1,2,3\n\n\n4,5,6,7\n", "line 5 of file bad.csv has 4 columns, expected 3"),
    (b"id,x\n1,2\n,3\n", "line 3 of file bad.csv has an empty id"),
    (b"id,x\n1,2\n2,\xff\xfe\n", "line 3 of file bad.csv is not UTF-8 text"),
])
def test_a_bad_line_refuses_the_spark_upload_as_the_lmdb_one_and_leaves_nothing(
        node: SparkNode, tiny_chunks: None, content: bytes, words: str) -> None:
    for backend in (0, 1):
        with pytest.raises(BadRequest) as refused:
            node.upload(node.csv("bad.csv", content), "t", backend=backend)
        assert str(refused.value) == words
    assert not node.tables._tables.exists(NS, "t")
    assert node.staging_left() == [] and node.tables.upload_history() == []


def test_drop_0_adds_the_file_s_rows_to_the_spark_table_keeping_its_partitions(node: SparkNode) -> None:
    node.upload(node.csv("a.csv", "id,x\n1,a\n2,b\n3,c\n"), "t", backend=1, partition=5)
    added = node.upload(node.csv("b.csv", "id,x\n3,C\n4,D\n"), "t", backend=1, drop=0, partition=2)
    assert (added.count, added.table_count, added.partition) == (2, 4, 5)
    assert node.stored("t") == {"1": "a", "2": "b", "3": "C", "4": "D"}
    replaced = node.upload(node.csv("c.csv", "id,x\n9,z\n"), "t", backend=1, drop=1)
    assert (replaced.count, replaced.table_count) == (1, 1)
    with pytest.raises(BadRequest, match="columns do not match"):
        node.upload(node.csv("d.csv", "id,y\n5,e\n"), "t", backend=1, drop=0)


def test_a_node_computing_on_spark_uploads_there_when_the_conf_names_no_backend(tmp_path: Path,
                                                                               spark_store: Any) -> None:
    node = SparkNode(tmp_path, SPARK, spark_store)
    node.upload(node.csv("a.csv", "id,x\n1,a\n"), "t")
    assert node.spark.files.exists(NS, "t") and not node.store.exists(NS, "t")
    node.upload(node.csv("a.csv", "id,x\n1,a\n"), "on_lmdb", backend=0)
    assert node.store.exists(NS, "on_lmdb")


def test_a_table_stays_on_its_backend(node: SparkNode) -> None:
    node.upload(node.csv("a.csv", "id,x\n1,a\n"), "t", backend=0)
    with pytest.raises(BadRequest, match=r"^the data table ns.t is stored on the LMDB store, so it cannot be added to "
                                         r"or replaced on Spark; upload with backend 0 or delete the table first$"):
        node.upload("a.csv", "t", backend=1, drop=1)
    assert node.runs == [] and not node.spark.files.exists(NS, "t")


def test_a_streamed_file_is_spooled_where_the_executors_read_it(node: SparkNode) -> None:
    result = node.uploader.upload_stream(UploadRequest(NS, "t", 0, 1, 2, None, backend=1, received_name="x.csv"),
                                         [b"id,x\n1,", b"a\n2,b\n"])
    assert (result.count, node.stored("t")) == (2, {"1": "a", "2": "b"})
    assert node.staging_left() == []

