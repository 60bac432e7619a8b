"""Attacks through paths, replayed against a real standalone node laid out as the README's default
(the data dir inside the base dir).

Before: `POST /v1/job/log {"job_id": "/etc/ssl"}` returned a tar of /etc/ssl, "../../outside/secret"
that file, each archive built whole in a temporary file first (so "/" would fill the disk); download
could overwrite the node's database or a table's data.mdb with CSV, and upload could read
node_runtime.json into a table. Each is refused now and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from pathlib import Path
from typing import Iterator

import grpc
import pytest
import requests

from integration_helpers import (HTTP_TIMEOUT, Node, assert_readable, node_args, running_node, upload_conf,
                                 write_conf, write_csv)
from jobs_helpers import NODE_ENV, parties_conf, submitted, wait_dsl, wait_job
from protos import flow_pb2, flow_pb2_grpc

pytestmark = pytest.mark.integration

NS = "paths_ns"


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Path, Path]]:
    """A node whose data dir lies inside its base dir, with a private TMPDIR; yields (node, base, tmp)."""
    root = tmp_path_factory.mktemp("paths")
    base, tmp = root / "base", root / "tmp"
    base.mkdir()
    tmp.mkdir()
    (root / "outside").mkdir()
    (root / "outside" / "secret").write_text("the outside secret\n")
    args = [*node_args(base / "fate_flow_data", base), "--base-dir", str(base)]
    with running_node(root, args, env={**NODE_ENV, "TMPDIR": str(tmp)}) as node:
        write_csv(base / "rows.csv", "id,x", [f"{i},{i}" for i in range(10)])
        code, reply = node.cli("-f", "upload", "-c", str(write_conf(base / "up.json",
                                                                      upload_conf(base / "rows.csv", NS, "rows"))))
        assert code == 0, reply
        yield node, base, tmp


def _staged(tmp: Path) -> list[Path]:
    """Files the node put in its TMPDIR (multiprocessing's own pymp-* folders aside)."""
    return [path for path in tmp.rglob("*") if path.is_file() and not path.relative_to(tmp).parts[0].startswith("pymp-")]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("job_id", ["/etc/ssl", "../../outside/secret", "/", "..", "20261201000000000001/../.."])
def test_the_job_log_refuses_ids_that_are_paths(laid_out, job_id: str, tmp_path: Path) -> None:
    """Attack 1, through REST and the CLI: nothing is archived, nothing is extracted."""
    node, _, tmp = laid_out
    response = requests.post(node.url + "/v1/job/log", json={"job_id": job_id}, timeout=HTTP_TIMEOUT)
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    reply = response.json()
    assert reply["retcode"] == 100 and "is not a job id" in reply["retmsg"], reply
    assert_readable(reply["retmsg"])
    code, reply = node.cli("-f", "job_log", "-j", job_id, "-o", str(tmp_path / "out"))
    assert code == 1 and "is not a job id" in reply["retmsg"], reply
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))
    assert _staged(tmp) == []


@pytest.mark.parametrize("method", ["JobLog", "ComponentOutputDataDownload", "DataView", "CleanJob"])
def test_the_local_services_refuse_ids_that_are_paths_too(laid_out, method: str) -> None:
    node, _, _ = laid_out
    requests_by_method = {
        "JobLog": flow_pb2.JobRef(job_id="/etc/ssl"),
        "ComponentOutputDataDownload": flow_pb2.OutputDataRequest(component=flow_pb2.ComponentRef(
            job_id="20261201000000000001", component_name="../../x", role="guest", party_id="9999")),
        "DataView": flow_pb2.JobRef(job_id="20261201000000000001", role="guest", party_id="../9999"),
        "CleanJob": flow_pb2.ComponentRef(job_id="../x"),
    }
    with grpc.insecure_channel(node.local_target) as channel:
        call = getattr(flow_pb2_grpc.FlowStub(channel), method)
        with pytest.raises(grpc.RpcError) as caught:
            result = call(requests_by_method[method], timeout=30)
            if method in ("JobLog", "ComponentOutputDataDownload"):
                list(result)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert_readable(caught.value.details())


def test_a_job_log_is_streamed_not_staged(laid_out, tmp_path: Path) -> None:
    """A 40 MB log goes out while it is read: no temporary archive appears, and the archive is whole."""
    node, _, tmp = laid_out
    job = submitted(node, tmp_path, wait_dsl(("wait_0", [])), parties_conf("9999", "10000"))
    wait_job(node, job)
    big = node.data_dir / "logs" / job / "big.log"
    big.write_bytes(os.urandom(40 << 20))
    with requests.post(node.url + "/v1/job/log", json={"job_id": job}, stream=True, timeout=HTTP_TIMEOUT) as reply:
        assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/gzip"
        pieces = reply.iter_content(1 << 16)
        first = next(pieces)
        assert _staged(tmp) == []  # the old node had the whole archive in $TMPDIR by now
        archive = tmp_path / "log.tar.gz"
        archive.write_bytes(first + b"".join(pieces))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert "big.log" in names and "fate_flow_schedule.log" in names, names
        extracted = tar.extractfile("big.log")
        assert extracted is not None and hashlib.sha256(extracted.read()).hexdigest() == _digest(big)
    assert _staged(tmp) == []


def test_download_cannot_overwrite_the_node_s_database_or_tables(laid_out) -> None:
    """Attack 5: output_path into the data dir (database, a table's data.mdb) is refused and leaves them as they were."""
    node, base, _ = laid_out
    database = node.data_dir / "fate_flow.db"
    mdb = next(node.data_dir.glob("storage/tables/*/*/0/data.mdb"))
    before = {path: _digest(path) for path in (database, mdb)}
    for target in ("fate_flow_data/fate_flow.db", str(mdb), str(mdb.relative_to(base)), "fate_flow_data/new.csv"):
        reply = node.post("/v1/data/download", json={"namespace": NS, "table_name": "rows", "work_mode": 0,
                                                     "output_path": target}).json()
        assert reply["retcode"] == 100 and "one of the node's own files" in reply["retmsg"], (target, reply)
        assert_readable(reply["retmsg"])
    assert {path: _digest(path) for path in before} == before
    assert not (node.data_dir / "new.csv").exists()
    assert node.table_count(NS, "rows") == 10


@pytest.mark.parametrize("source", ["fate_flow_data/node_runtime.json", "fate_flow_data/fate_flow.db",
                                    "fate_flow_data/logs/fate_flow/fate_flow.log"])
def test_upload_cannot_read_the_node_s_own_files(laid_out, source: str) -> None:
    """Attack 5: upload could read node_runtime.json (the node's settings) into a table."""
    node, base, _ = laid_out
    reply = node.post("/v1/data/upload", json=upload_conf(source, NS, "stolen")).json()
    assert reply["retcode"] == 100 and "one of the node's own files" in reply["retmsg"], reply
    assert node.table_count(NS, "stolen") is None
    (base / "link.csv").unlink(missing_ok=True)
    (base / "link.csv").symlink_to(base / source)
    reply = node.post("/v1/data/upload", json=upload_conf("link.csv", NS, "stolen")).json()
    assert reply["retcode"] == 100 and "one of the node's own files" in reply["retmsg"], reply
    assert node.table_count(NS, "stolen") is None


def test_a_second_node_on_the_same_data_dir_refuses_to_start(laid_out, tmp_path: Path) -> None:
    """It used to wipe the first node's staging tables; it says who holds the data dir instead."""
    node, base, _ = laid_out
    from integration_helpers import ServerProcess
    second = ServerProcess([*node_args(node.data_dir, base), "--base-dir", str(base)])
    second.wait_ready_or_exit()
    code = second.proc.wait(30)
    output = second.output.strip()
    assert code == 2 and second.match is None, output
    assert output.splitlines() == [f"fate-flow: data dir {node.data_dir} is in use by another node "
                                   f"(pid {node.server.proc.pid}); stop it or choose another --data-dir"], output
    assert node.table_count(NS, "rows") == 10
    assert json.loads((node.data_dir / "node_runtime.json").read_text())["grpc_address"].endswith(
        node.grpc_address.rsplit(":", 1)[1])
