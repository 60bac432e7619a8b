"""Jobs on a cluster where the guest's node computes on Spark (local[2]) and the host's and arbiter's on LMDB: a job
asking for Spark on every party is refused at submit naming the party whose node lacks it, and nothing is created;
the seed's hetero LR job (FATE's confs, HeteroLR's random start pinned as the demo pins it) reaches the same AUC with
the guest on Spark as with every party on LMDB (job_parameters.backend 0)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from flow_api.demo import DEMO_SEED, evaluation_summary, seed_job, with_random_seed
from flow_api.http_client import Server
from integration_helpers import NodeProcess, assert_refused, write_conf
from jobs_helpers import GUEST, HOST, cli_ok, running_cluster, toy_conf, toy_dsl
from seed_examples import DATA, example, job_succeeded
from spark_available import require_spark

pytestmark = [pytest.mark.integration, pytest.mark.spark]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProcess]]:
    require_spark()
    base = tmp_path_factory.mktemp("spark_cluster")
    spark = ["--computing", "spark", "--spark-master", "local[2]", "--spark-storage-dir", str(base / "spark")]
    with running_cluster(base, extra_args={GUEST: spark}) as nodes:
        yield nodes


def _job_ids(node: NodeProcess) -> list[str]:
    reply = node.post("/v1/job/query", json={}).json()
    assert reply["retcode"] in (0, 101), reply
    return sorted(row["f_job_id"] for row in reply.get("data") or [])


def test_a_job_asking_for_spark_where_a_node_lacks_it_is_refused_naming_the_party(
        cluster: dict[str, NodeProcess]) -> None:
    before = {party: _job_ids(node) for party, node in cluster.items()}
    conf = toy_conf(guest=GUEST, host=HOST, work_mode=1)
    conf["job_parameters"]["backend"] = 1
    reply = cluster[GUEST].post("/v1/job/submit", json={"job_runtime_conf": conf, "job_dsl": toy_dsl()}).json()
    assert_refused(reply, 100, "host 10000", "spark")
    assert not reply.get("jobId"), reply
    assert {party: _job_ids(node) for party, node in cluster.items()} == before
    assert not any((node.data_dir / "jobs").exists() and any((node.data_dir / "jobs").iterdir())
                   for node in cluster.values())


def _task_log(node: NodeProcess, job_id: str, role: str, party: str, component: str) -> str:
    return (node.data_dir / "logs" / job_id / role / party / component / "INFO.log").read_text()


def _seed_job_auc(cluster: dict[str, NodeProcess], tmp: Path, backend: int | None) -> tuple[str, float]:
    dsl, conf = seed_job(cluster=True)
    conf = with_random_seed(conf, DEMO_SEED)
    if backend is not None:
        conf["job_parameters"]["backend"] = backend
    tmp.mkdir()
    job_id = job_succeeded(cluster[GUEST].node, tmp, conf, dsl)
    return job_id, evaluation_summary(Server(cluster[GUEST].url), job_id, GUEST)["auc"]


def test_the_seed_job_with_the_guest_on_spark_reaches_the_auc_of_every_party_on_lmdb(
        cluster: dict[str, NodeProcess], tmp_path: Path) -> None:
    for party, entry in ((GUEST, "upload_guest.json"), (HOST, "upload_host.json")):
        conf = {**example(entry), "work_mode": 1}
        conf["file"] = shutil.copy(DATA / Path(conf["file"]).name, cluster[party].files)
        cli_ok(cluster[party].node, "-f", "upload", "-c", str(write_conf(tmp_path / entry, conf)))
    spark_job, on_spark = _seed_job_auc(cluster, tmp_path / "spark", None)  # the guest's node computes on Spark
    lmdb_job, on_lmdb = _seed_job_auc(cluster, tmp_path / "lmdb", 0)
    assert on_spark >= 0.98 and abs(on_spark - on_lmdb) <= 1e-9
    guest = cluster[GUEST]
    assert "computing backend: Spark" in _task_log(guest, spark_job, "guest", GUEST, "hetero_lr_0")
    assert "computing backend: the embedded LMDB store" in _task_log(guest, lmdb_job, "guest", GUEST, "hetero_lr_0")
    assert "computing backend: the embedded LMDB store" in _task_log(cluster[HOST], spark_job, "host", HOST,
                                                                     "hetero_lr_0")
