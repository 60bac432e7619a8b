"""The node's queries find Spark tables by name without Spark (no SparkContext: the partition files read here):
table_info, table_delete, a task's output data, cleaning a job, the Storage service, a streamed download, and an
upload the node died in; and an upload asking for Spark on a node without it."""

from __future__ import annotations

import copy
import io
import tarfile
import types
from pathlib import Path
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.data.download import Downloader, DownloadRequest
from fate_runtime.data.node_tables import NodeTables, SparkSide
from fate_runtime.data.paths import PathPolicy
from fate_runtime.data.tables import Tables
from fate_runtime.data.upload_recovery import settle_uploads
from fate_runtime.errors import NotFound
from fate_runtime.jobs.component_queries import ComponentQueries
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.node.storage_servicer import StorageServicer
from fate_runtime.state.data_views import DataViews
from fate_runtime.state.local_jobs import LocalJobs, TableRecord
from fate_runtime.state.model_versions import ModelVersions
from fate_runtime.state.models import ModelStore
from fate_runtime.state.tracking import TaskTracker, TrackingQueries
from protos import storage_pb2
from storage import Store, TableNotFound, decode, encode
from storage.meta import write_meta
from storage.partitioner import partition_of
from storage.spark.directory import SparkDirectory

JOB = "20261201000000000001"
TOY = "secure_add_example_0"
OUTPUT = (f"output.{JOB}", f"{TOY}.guest.10000.data")
ROWS = {f"id{i}": f"{i},{i % 2}" for i in range(20)}
SCHEMA = {"header": "x,y", "sid": "id", "delimiter": ","}


def _no_spark_job(kind: str, request: dict[str, Any], log_path: str) -> dict[str, Any]:
    raise AssertionError(f"a Spark job ({kind}) was started")


def spark_table(directory: SparkDirectory, namespace: str, name: str, rows: dict[str, str], written_by: str = "",
                partitions: int = 3) -> None:
    """A Spark table as the backend writes one (partition by storage.partitioner, keys in byte order), without
    Spark."""
    staged = directory.staging(partitions, SCHEMA)
    for key, value in sorted((encode(k), encode(v)) for k, v in rows.items()):
        staged.append_sorted(partition_of(key, partitions), [(key, value)])
    staged.publish(namespace, name)
    if written_by:
        meta = directory.meta(namespace, name)
        meta.written_by = written_by
        write_meta(directory.table_dir(namespace, name), meta)


@pytest.fixture
def spark(tmp_path: Path) -> SparkDirectory:
    return SparkDirectory(str(tmp_path / "spark"))


@pytest.fixture
def lmdb(tmp_path: Path) -> Store:
    return Store(str(tmp_path / "storage"), workers=1)


def test_table_info_and_delete_find_a_spark_table(spark: SparkDirectory, lmdb: Store, db: Any) -> None:
    spark_table(spark, "ns", "t", ROWS)
    tables = Tables(lmdb, DataViews(db), spark)
    info = tables.info("ns", "t")
    assert (info.count, info.partition, info.schema, info.created) == (20, 3, SCHEMA, False)
    assert tables.delete("ns", "t") == [("ns", "t")]
    assert not spark.exists("ns", "t")
    with pytest.raises(NotFound):
        tables.info("ns", "t")
    with pytest.raises(NotFound):
        Tables(lmdb, DataViews(db)).delete("ns", "gone")


def test_a_task_s_output_on_spark_is_previewed_archived_and_cleaned(spark: SparkDirectory, lmdb: Store, db: Any,
                                                                    store: Any, toy: Any) -> None:
    store.create(JOB, dsl.parse(*copy.deepcopy(toy)), [("guest", "10000"), ("host", "10000")])
    TaskTracker(db, JOB, TOY, "guest", "10000").save_output_data(
        "data", types.SimpleNamespace(namespace=OUTPUT[0], name=OUTPUT[1], partitions=3, count=lambda: 20))
    spark_table(spark, *OUTPUT, ROWS)
    spark_table(spark, OUTPUT[0], "a_leftover", {"k": "v"})
    received = types.SimpleNamespace(forget_job=lambda _: [])
    queries = JobQueries(store, TrackingQueries(db), DataViews(db), lmdb, received, ModelVersions(db), spark)
    components = ComponentQueries(queries, TrackingQueries(db), ModelStore(db), lmdb, spark)
    rows, header, count = components.output_preview(JOB, TOY, "guest", "10000", 5)
    assert (header, count) == (["id", "x", "y"], 20)
    assert {row[0]: row[1:] for row in rows}.items() <= {k: v.split(",") for k, v in ROWS.items()}.items()
    with tarfile.open(fileobj=io.BytesIO(b"".join(components.output_archive(JOB, TOY, "guest", "10000", 0)))) as tar:
        csv_lines = tar.extractfile("output_data.csv").read().decode().splitlines()  # type: ignore[union-attr]
    assert csv_lines[0] == "id,x,y" and len(csv_lines) == 21
    assert sorted(queries.clean(JOB, "", "", "")) == sorted([OUTPUT, (OUTPUT[0], "a_leftover")])
    assert spark.list_tables(OUTPUT[0]) == []


def test_the_storage_service_describes_scans_and_destroys_a_spark_table(spark: SparkDirectory, lmdb: Store) -> None:
    spark_table(spark, "ns", "t", ROWS)
    servicer = StorageServicer(lmdb, spark)
    ref = storage_pb2.TableRef(namespace="ns", name="t")
    assert servicer.DescribeTable(ref, None).count == 20
    batches = list(servicer.Scan(storage_pb2.ScanRequest(table=ref), None))
    assert {decode(k): decode(v) for b in batches for k, v in zip(b.keys, b.values)} == ROWS
    assert servicer.DestroyTable(ref, None).existed and not spark.exists("ns", "t")


def test_a_streamed_download_of_a_spark_table_reads_its_files_here(spark: SparkDirectory, lmdb: Store, db: Any,
                                                                    tmp_path: Path) -> None:
    spark_table(spark, "ns", "t", ROWS)
    downloader = Downloader(lmdb, LocalJobs(db, str(tmp_path)), PathPolicy(str(tmp_path), ()), 0,
                            SparkSide(spark, _no_spark_job))
    sent = downloader.stream(DownloadRequest("ns", "t", "", 0))
    lines = b"".join(sent.pieces).decode().splitlines()
    assert lines[0] == "id,x,y" and sorted(lines[1:]) == sorted(f"{k},{v}" for k, v in ROWS.items())


def test_an_upload_that_published_on_spark_before_the_node_died_is_settled_a_success(
        spark: SparkDirectory, lmdb: Store, db: Any, tmp_path: Path) -> None:
    jobs = LocalJobs(db, str(tmp_path))
    published = jobs.start("Upload", {"namespace": "ns", "table_name": "t", "work_mode": 0})
    jobs.note_table(published, TableRecord("ns", "t", 3, 20, 20, SCHEMA))
    spark_table(spark, "ns", "t", ROWS, written_by=published.job_id)
    unpublished = jobs.start("Upload", {"namespace": "ns", "table_name": "u", "work_mode": 0})
    settle_uploads(jobs, NodeTables(lmdb, spark))
    statuses = {row["f_job_id"]: row["f_status"] for row in db.query("SELECT f_job_id, f_status FROM t_job")}
    assert statuses == {published.job_id: "success", unpublished.job_id: "failed"}
    [view] = db.query("SELECT f_table_name, f_table_count_upload FROM t_data_view")
    assert (view["f_table_name"], view["f_table_count_upload"]) == ("t", 20)


def test_the_lmdb_store_is_looked_in_first(spark: SparkDirectory, lmdb: Store) -> None:
    spark_table(spark, "ns", "t", ROWS)
    lmdb.create_table("ns", "t", 1).put_all([("only", "lmdb")])
    tables = NodeTables(lmdb, spark)
    assert tables.backend_of("ns", "t") == "lmdb" and dict(tables.table("ns", "t").collect()) == {"only": "lmdb"}
    assert tables.destroy("ns", "t") and not spark.exists("ns", "t")
    with pytest.raises(TableNotFound):
        NodeTables(lmdb).table("ns", "t")
