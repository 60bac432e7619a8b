"""The CLI against a node that requires FATE's signature: --app-key/--secret-key or the environment, and https://."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flow_api import cli
from flow_api.auth import Keys
from flow_api_fakes import KEYS, FakeFlow, HttpServer, job_ids, job_rows, returns, stream, tar_gz
from protos import flow_pb2
from tls_files import TlsFiles

SIGN = ["--app-key", KEYS.app_key, "--secret-key", KEYS.secret_key]


@pytest.fixture
def run(fake: FakeFlow, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("FATE_FLOW_APP_KEY", "FATE_FLOW_SECRET_KEY", "FATE_FLOW_CA_FILE"):
        monkeypatch.delenv(name, raising=False)

    def run_cli(server: HttpServer, *args: str) -> tuple[int, dict[str, Any]]:
        code = cli.main([*args, "--server", server.url])
        return code, json.loads(capsys.readouterr().out)
    return run_cli


@pytest.fixture(scope="module")
def keys() -> Keys:
    """Every request in this module must be signed with KEYS."""
    return KEYS


def test_signed_json_requests(run: Any, http_server: HttpServer, fake: FakeFlow) -> None:
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    code, reply = run(http_server, "-f", "query_job", "-j", "j1", *SIGN)
    assert code == 0 and job_ids(reply["data"]) == ["j1"], reply
    fake.answers["StopJob"] = returns(flow_pb2.StopJobReply(status="canceled"))
    code, reply = run(http_server, "-f", "stop_job", "-j", "j1", *SIGN)
    assert code == 0 and reply["retmsg"] == "cancel job success"


def test_signed_archive_download(run: Any, http_server: HttpServer, fake: FakeFlow, tmp_path: Path) -> None:
    fake.answers["JobLog"] = stream(tar_gz({"fate_flow_schedule.log": b"scheduled\n"}))
    code, reply = run(http_server, "-f", "job_log", "-j", "j1", "-o", str(tmp_path), *SIGN)
    assert code == 0, reply
    assert (tmp_path / "job_j1_log" / "fate_flow_schedule.log").read_bytes() == b"scheduled\n"


def test_signed_multipart_import_carries_its_conf_in_the_signed_query(run: Any, http_server: HttpServer,
                                                                       fake: FakeFlow, tmp_path: Path) -> None:
    received: list[flow_pb2.ModelImportChunk] = []

    def imported(chunks: Any, context: Any) -> flow_pb2.ModelPartiesReply:
        received.extend(chunks)
        return flow_pb2.ModelPartiesReply(model_id="guest-9999#model", model_version="20260101000000000001")

    fake.answers["ImportModel"] = imported
    archive = tmp_path / "model.zip"
    archive.write_bytes(b"PK" * 1000)
    conf = tmp_path / "import.json"
    conf.write_text(json.dumps({"model_id": "guest-9999#model", "model_version": "20260101000000000001",
                                "file": str(archive)}))
    code, reply = run(http_server, "-f", "import", "-c", str(conf), *SIGN)
    assert code == 0, reply
    assert received[0].settings.version.model_version == "20260101000000000001"
    assert b"".join(chunk.data for chunk in received[1:]) == b"PK" * 1000
    code, reply = run(http_server, "-f", "import", "-c", str(conf))
    assert reply["retcode"] == 109 and len(fake.requests("ImportModel")) == 1


def test_keys_from_the_environment(run: Any, http_server: HttpServer, fake: FakeFlow,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    monkeypatch.setenv("FATE_FLOW_APP_KEY", KEYS.app_key)
    monkeypatch.setenv("FATE_FLOW_SECRET_KEY", KEYS.secret_key)
    code, reply = run(http_server, "-f", "query_job", "-j", "j1")
    assert code == 0 and job_ids(reply["data"]) == ["j1"], reply


def test_refusals_are_printed_like_any_reply(run: Any, http_server: HttpServer, fake: FakeFlow,
                                             tmp_path: Path) -> None:
    assert run(http_server, "-f", "stop_job", "-j", "j1") == (
        1, {"retcode": 109, "retmsg": "the request has no TIMESTAMP header"})
    assert run(http_server, "-f", "stop_job", "-j", "j1", "--app-key", KEYS.app_key, "--secret-key", "guess") == (
        1, {"retcode": 109, "retmsg": "the SIGNATURE does not match"})
    assert run(http_server, "-f", "job_log", "-j", "j1", "-o", str(tmp_path)) == (
        1, {"retcode": 109, "retmsg": "the request has no TIMESTAMP header"})
    assert not fake.calls and not list(tmp_path.iterdir())


@pytest.mark.parametrize("options, message", [
    (["--app-key", "k"], "signing needs both --app-key and --secret-key (or FATE_FLOW_APP_KEY and "
                         "FATE_FLOW_SECRET_KEY)"),
    (["--secret-key", "s"], "signing needs both --app-key and --secret-key (or FATE_FLOW_APP_KEY and "
                            "FATE_FLOW_SECRET_KEY)"),
    (["--app-key", "k", "--secret-key", "sé"], "--app-key and --secret-key must be printable ASCII"),
    (["--ca-file", "/no/such/ca.pem"], "CA file /no/such/ca.pem does not exist"),
])
def test_usage_errors(run: Any, http_server: HttpServer, fake: FakeFlow, options: list[str],
                      message: str) -> None:
    assert run(http_server, "-f", "stop_job", "-j", "j1", *options) == (1, {"retcode": 100, "retmsg": message})
    assert not fake.calls


def test_a_ca_file_that_is_not_a_certificate(run: Any, http_server: HttpServer, tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    code, reply = run(http_server, "-f", "stop_job", "-j", "j1", "--ca-file", str(tmp_path / "ca.pem"))
    assert (code, reply) == (1, {"retcode": 100, "retmsg": f"CA file {tmp_path / 'ca.pem'} is not a PEM certificate "
                                                           "this client can read"})


def test_https_with_the_nodes_ca(run: Any, https_server: HttpServer, tls: TlsFiles, fake: FakeFlow,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    assert https_server.url.startswith("https://")
    code, reply = run(https_server, "-f", "query_job", "-j", "j1", *SIGN, "--ca-file", str(tls.ca))
    assert code == 0 and job_ids(reply["data"]) == ["j1"], reply
    monkeypatch.setenv("FATE_FLOW_CA_FILE", str(tls.ca))
    assert run(https_server, "-f", "query_job", "-j", "j1", *SIGN)[0] == 0
    monkeypatch.delenv("FATE_FLOW_CA_FILE")
    code, reply = run(https_server, "-f", "query_job", "-j", "j1", *SIGN)  # the system's CAs do not know it
    assert code == 1 and reply["retcode"] == 100 and "CERTIFICATE_VERIFY_FAILED" in reply["retmsg"], reply
