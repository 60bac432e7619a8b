"""The CLI's download: the node streams the table (/v1/data/download/stream) and the CLI writes output_path where
it runs; the REST form naming a server-side path (/v1/data/download) still hands that path to the node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest

from flow_api import cli
from flow_api.http_client import DOWNLOAD_HEADER
from flow_api_fakes import Answer, FakeFlow, HttpServer, abort, returns
from protos import flow_pb2

TEXT = b"id,y,x0\n" + b"".join(f"{i},{i % 2},{i / 10}\n".encode() for i in range(5000))
CONF = {"namespace": "ns", "table_name": "t", "work_mode": 0, "delimitor": ","}


def download_pieces(job_id: str, text: bytes, header_lines: int = 1, fail_after: int | None = None) -> Answer:
    """DownloadStream's answer: the job, then `text` in pieces (with `fail_after`: only that many bytes, then an
    error, as a node whose disk fails midway)."""
    def answer(request: Any, context: grpc.ServicerContext) -> Iterator[flow_pb2.DownloadPiece]:
        yield flow_pb2.DownloadPiece(started=flow_pb2.DownloadStarted(
            job_id=job_id, header_lines=header_lines, files=flow_pb2.JobFiles(logs_directory=f"/logs/{job_id}")))
        sent = text if fail_after is None else text[:fail_after]
        for start in range(0, len(sent), 16 << 10):
            yield flow_pb2.DownloadPiece(data=sent[start:start + (16 << 10)])
        if fail_after is not None:
            context.abort(grpc.StatusCode.INTERNAL, "the disk went away")
    return answer


@pytest.fixture
def run(http_server: HttpServer, fake: FakeFlow, capsys: pytest.CaptureFixture[str]) -> Any:
    def run_cli(*args: str) -> tuple[int, dict[str, Any]]:
        code = cli.main([*args, "--server", http_server.url])
        return code, json.loads(capsys.readouterr().out)
    return run_cli


def conf_file(tmp_path: Path, **fields: Any) -> str:
    path = tmp_path / "download.json"
    path.write_text(json.dumps({**CONF, **fields}))
    return str(path)


def test_a_relative_output_path_is_written_where_the_client_runs(run: Any, fake: FakeFlow, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """FATE's own client makes output_path absolute and sends it to the node; this one keeps it for itself."""
    fake.answers["DownloadStream"] = download_pieces("d1", TEXT)
    elsewhere = tmp_path / "client_cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, reply = run("-f", "download", "-c", conf_file(tmp_path, output_path="out/rows.csv"))
    target = elsewhere / "out" / "rows.csv"
    assert (code, reply) == (0, {"retcode": 0, "retmsg": "success", "jobId": "d1", "data": {
        "output_path": str(target), "count": 5000, "job_dsl_path": "", "job_runtime_conf_path": "",
        "logs_directory": "/logs/d1"}})
    assert target.read_bytes() == TEXT
    assert sorted(p.name for p in target.parent.iterdir()) == ["rows.csv"]  # nothing left aside
    sent = fake.last("DownloadStream")
    assert (sent.namespace, sent.table_name, sent.work_mode, sent.delimiter, sent.output_path) == (
        "ns", "t", 0, ",", "")  # the node never sees the client's path
    assert fake.requests("Download") == []


def test_the_o_flag_wins_and_a_table_without_header_counts_every_line(run: Any, fake: FakeFlow,
                                                                       tmp_path: Path) -> None:
    fake.answers["DownloadStream"] = download_pieces("d2", b"1,a\n2,b\n", header_lines=0)
    code, reply = run("-f", "download", "-c", conf_file(tmp_path, output_path="ignored.csv"),
                      "-o", str(tmp_path / "flag.csv"))
    assert code == 0 and reply["data"]["count"] == 2, reply
    assert (tmp_path / "flag.csv").read_bytes() == b"1,a\n2,b\n" and not (tmp_path / "ignored.csv").exists()


def test_a_refusal_writes_nothing(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["DownloadStream"] = abort(grpc.StatusCode.NOT_FOUND, "table ns.t does not exist")
    code, reply = run("-f", "download", "-c", conf_file(tmp_path, output_path=str(tmp_path / "out.csv")))
    assert (code, reply) == (1, {"retcode": 101, "retmsg": "table ns.t does not exist"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["download.json"]


def test_a_stream_cut_off_leaves_an_existing_file_as_it_was(run: Any, fake: FakeFlow, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"the previous download\n")
    fake.answers["DownloadStream"] = download_pieces("d3", TEXT, fail_after=len(TEXT) // 2)
    code, reply = run("-f", "download", "-c", conf_file(tmp_path, output_path=str(target)))
    assert code == 1 and reply["retcode"] == 100 and "cut off" in reply["retmsg"], reply
    assert target.read_bytes() == b"the previous download\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["download.json", "out.csv"]


@pytest.mark.parametrize("output_path, words", [(None, "output_path"), (".", "is a directory")],
                         ids=["missing", "a directory"])
def test_a_bad_output_path_is_refused_before_asking_the_node(run: Any, fake: FakeFlow, tmp_path: Path,
                                                             output_path: str | None, words: str) -> None:
    code, reply = run("-f", "download", "-c", conf_file(tmp_path, output_path=output_path))
    assert code == 1 and reply["retcode"] == 100 and words in reply["retmsg"], reply
    assert fake.calls == []


def test_the_stream_route_sends_the_text_with_its_job_in_a_header(client: Any, fake: FakeFlow) -> None:
    fake.answers["DownloadStream"] = download_pieces("d4", TEXT)
    response = client.post("/v1/data/download/stream", json={**CONF, "delimiter": ";"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data() == TEXT
    assert json.loads(response.headers[DOWNLOAD_HEADER]) == {
        "job_id": "d4", "header_lines": 1, "job_dsl_path": "", "job_runtime_conf_path": "",
        "logs_directory": "/logs/d4"}
    assert fake.last("DownloadStream").delimiter == ";"


def test_the_stream_route_answers_a_refusal_with_an_envelope(client: Any, fake: FakeFlow) -> None:
    fake.answers["DownloadStream"] = abort(grpc.StatusCode.INVALID_ARGUMENT, "work_mode 1 does not match this node")
    response = client.post("/v1/data/download/stream", json={**CONF, "work_mode": 1})
    assert response.status_code == 500 and response.mimetype == "application/json"
    assert response.get_json() == {"retcode": 100, "retmsg": "work_mode 1 does not match this node"}


def test_the_rest_form_with_a_server_side_path_goes_to_the_node(client: Any, fake: FakeFlow) -> None:
    fake.answers["Download"] = returns(flow_pb2.DownloadReply(job_id="d5", output_path="/srv/files/out.csv",
                                                              count=3))
    reply = client.post("/v1/data/download", json={**CONF, "output_path": "/srv/files/out.csv"}).get_json()
    assert reply["jobId"] == "d5" and reply["data"]["output_path"] == "/srv/files/out.csv"
    assert fake.last("Download").output_path == "/srv/files/out.csv"
    assert fake.requests("DownloadStream") == []
