"""`fate-flow server`: settings from a conf file, refused settings, health, clean stop, node log."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from integration_helpers import (BREAST_ROWS, ROOT, UPLOAD_GUEST, Node, ServerProcess, assert_clean_exit,
                                 node_args, run_cli, upload_conf, write_conf, write_csv)

pytestmark = pytest.mark.integration

START_TIMEOUT = 60


def test_conf_file(tmp_path: Path) -> None:
    data_dir, files = tmp_path / "from_conf_data", tmp_path / "from_conf_files"
    files.mkdir()
    conf = write_conf(tmp_path / "node.json", {
        "data_dir": str(data_dir), "grpc_port": 0, "http_port": 0, "host": "127.0.0.1",
        "base_dir": str(ROOT), "allow_dirs": [str(files)]})
    server = ServerProcess(["--standalone", "--conf", str(conf)], cwd=tmp_path)
    try:
        server.wait_ready()
        node = Node(server, files, tmp_path)
        assert node.data_dir == data_dir
        # base_dir: FATE's conf with its relative file path works unchanged
        code, reply = node.cli("-f", "upload", "-c", str(UPLOAD_GUEST))
        assert code == 0 and reply["data"]["count"] == BREAST_ROWS, reply
        # allow_dirs: a file in the allowed directory may be uploaded
        csv = write_csv(files / "allowed.csv", "id,a", ["1,2", "2,3"])
        code, reply = node.cli("-f", "upload", "-c", str(write_conf(files / "up.json",
                                                                      upload_conf(csv, "conf", "allowed"))))
        assert code == 0 and reply["data"]["count"] == 2, reply
        assert (data_dir / "storage").is_dir()
    finally:
        code, killed = server.stop(signal.SIGINT)
    assert_clean_exit(server, code, killed)


def _refused_start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int | None, str]:
    """Start a server that must refuse to start: (exit code, its output)."""
    server = ServerProcess(args, cwd=cwd, env=env)
    try:
        server.wait_ready_or_exit(START_TIMEOUT)
        if server.match is not None:
            pytest.fail(f"fate-flow server started with bad settings {args}:\n{server.output}")
        code = server.proc.wait(START_TIMEOUT)
    finally:
        server.stop()
    return code, server.output


def _assert_one_line_refusal(code: int | None, output: str, *words: str) -> None:
    assert code not in (0, None), output
    assert "Traceback" not in output, output
    assert "node ready" not in output, output
    ours = [line for line in output.splitlines() if line.startswith("fate-flow:")]
    assert len(ours) == 1, output
    for word in words:
        assert word in ours[0], output


BAD_CONFS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unknown key": (json.dumps({"grpc_port": 0, "http_port": 0, "no_such_setting": 1}), ("no_such_setting",)),
    "bad JSON": ('{"grpc_port": 0, "http_port": ', ("not valid JSON",)),
    "not an object": ("[0, 0]", ("JSON object",)),
    "port out of range": (json.dumps({"grpc_port": 70000, "http_port": 0}), ("grpc_port",)),
    "port not a number": (json.dumps({"grpc_port": "x", "http_port": 0}), ("grpc_port",)),
    "data_dir not a string": (json.dumps({"data_dir": 5, "grpc_port": 0, "http_port": 0}), ("data_dir",)),
    "allow_dirs a string": (json.dumps({"allow_dirs": "/", "grpc_port": 0, "http_port": 0}), ("allow_dirs",)),
    "allowed dir missing": (json.dumps({"allow_dirs": ["/no/such/dir"], "grpc_port": 0, "http_port": 0}),
                            ("/no/such/dir",)),
    "workers not a number": (json.dumps({"workers": "many", "grpc_port": 0, "http_port": 0}), ("workers",)),
    "TLS without a party id": (json.dumps({"tls_cert": "n.pem", "tls_key": "n.key", "tls_ca": "ca.pem",
                                           "grpc_port": 0, "http_port": 0}), ("TLS needs --party-id",)),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFS))
def test_invalid_conf_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    text, words = BAD_CONFS[case]
    conf = tmp_path / "bad.json"
    conf.write_text(text)
    code, output = _refused_start(["--standalone", "--conf", str(conf)], cwd=tmp_path)
    _assert_one_line_refusal(code, output, *words)


def test_a_component_module_that_cannot_load_is_refused_in_one_line(tmp_path: Path) -> None:
    code, output = _refused_start(["--standalone", "--data-dir", str(tmp_path / "data"), "--grpc-port", "0",
                                   "--http-port", "0"], cwd=tmp_path,
                                  env={"FATE_RUNTIME_COMPONENTS": "no_such_component_module"})
    _assert_one_line_refusal(code, output, "no_such_component_module", "cannot be imported")


def test_missing_conf_file(tmp_path: Path) -> None:
    code, output = _refused_start(["--conf", str(tmp_path / "absent.json")], cwd=tmp_path)
    _assert_one_line_refusal(code, output, "absent.json")


@pytest.mark.parametrize("which", ["--grpc-port", "--http-port"])
def test_port_in_use_is_refused_in_one_line(tmp_path: Path, which: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = node_args(tmp_path / "data", tmp_path)
        args[args.index(which) + 1] = str(port)
        code, output = _refused_start(args, cwd=tmp_path)
    _assert_one_line_refusal(code, output, str(port))


@pytest.mark.parametrize("port, serving", [
    ("peer", ("fate_runtime.scheduler.Scheduler", "fate_runtime.federation.Federation")),
    ("local", ("fate_runtime.flow.Flow", "fate_runtime.storage.Storage", "fate_runtime.scheduler.LocalScheduler",
               "fate_runtime.federation.LocalFederation"))])
def test_health_service_answers_serving_for_the_services_of_each_port(node: Node, port: str,
                                                                      serving: tuple[str, ...]) -> None:
    with grpc.insecure_channel(node.grpc_address if port == "peer" else node.local_target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", *serving):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=30)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, service
        others = {"fate_runtime.flow.Flow", "fate_runtime.scheduler.Scheduler", "no.such.Service"} - set(serving)
        for service in others:
            with pytest.raises(grpc.RpcError) as unknown:
                health.Check(health_pb2.HealthCheckRequest(service=service), timeout=30)
            assert unknown.value.code() == grpc.StatusCode.NOT_FOUND, service


def test_sigterm_stops_cleanly_and_the_node_log_exists(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    server = ServerProcess(node_args(tmp_path / "data", files))
    try:
        server.wait_ready()
        node = Node(server, files, tmp_path)
        # work that starts the storage worker processes, so that stopping has something to stop
        rows = [f"{i},{i % 7},{i * 0.5}" for i in range(200_000)]
        csv = write_csv(files / "workers.csv", "id,a,b", rows)
        code, reply = node.cli("-f", "upload", "-c", str(write_conf(files / "workers.json",
                                                                      upload_conf(csv, "stop", "workers"))))
        assert code == 0 and reply["data"]["count"] == len(rows), reply
    finally:
        code, killed = server.stop(signal.SIGTERM)
    assert_clean_exit(server, code, killed)
    log = node.data_dir / "logs" / "fate_flow" / "fate_flow.log"
    assert log.is_file()
    text = log.read_text()
    assert "node serving gRPC" in text and "node stopped" in text
    # the stopped node's address answers no more
    assert run_cli(["-f", "upload_history"], server=node.url)[1]["retcode"] == 100
