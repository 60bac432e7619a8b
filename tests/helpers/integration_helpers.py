"""Helpers for the integration tests: real `fate-flow server` nodes as subprocesses on loopback.

A node is started as `python -m flow_api.server_main server --standalone ...` with ports 0, a
data dir in a temporary directory and one allowed directory (`files`) beside it; the tests
drive it through `python fate_flow_client.py ...` (the CLI, as FATE users run it), raw HTTP
(for bodies the CLI cannot produce) and gRPC. Every process started here is stopped here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pytest
import requests

from federation import TlsConfig

ROOT = Path(__file__).resolve().parents[2]
CLIENT_SCRIPT = ROOT / "fate_flow_client.py"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
CLI_TIMEOUT = 300.0
HTTP_TIMEOUT = 300.0
READY = re.compile(r"fate-flow node ready: REST (?P<rest>https?://\S+) gRPC (?P<grpc>\S+) local (?P<local>\S+) "
                   r"data (?P<data>.+)$")


def fate_examples_dir() -> Path:
    """FATE's own example confs: the shared copy (CI: ../shared next to the repo) if present."""
    shared = ROOT.parent / "shared" / "fate_examples" / "v1.2.0" / "fate_flow_examples"
    if (shared / "upload_guest.json").is_file():
        return shared
    return ROOT / "examples" / "fate_flow_examples"


FATE_EXAMPLES = fate_examples_dir()
UPLOAD_GUEST = FATE_EXAMPLES / "upload_guest.json"
DOWNLOAD_GUEST = FATE_EXAMPLES / "download_guest.json"
BREAST_B = ROOT / "examples" / "data" / "breast_b.csv"  # what upload_guest.json's "file" names
BREAST_NAMESPACE = "fate_flow_test_breast"
BREAST_TABLE = "breast_b"
BREAST_ROWS = 569
BREAST_HEADER = "y," + ",".join(f"x{i}" for i in range(10))


# ---- processes ----------------------------------------------------------------------


class ServerProcess:
    """A `fate-flow server` subprocess whose combined output is collected by a thread."""

    def __init__(self, args: Sequence[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
        self.args = [sys.executable, "-m", "flow_api.server_main", "server", *args]
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.match: re.Match[str] | None = None
        self.proc = subprocess.Popen(self.args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True,
                                     env={**os.environ, **env} if env else None)
        self._reader = threading.Thread(target=self._read, name="server-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self._lines.append(line)
            found = READY.search(line.rstrip("\n"))
            if found and self.match is None:
                self.match = found
                self._ready.set()
        self._ready.set()  # output closed: the process is gone (or ready never came)

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def wait_ready_or_exit(self, timeout: float = READY_TIMEOUT) -> None:
        """Until the ready line, the end of the output, or the timeout."""
        self._ready.wait(timeout)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        self.wait_ready_or_exit(timeout)
        if self.match is None:
            self.kill()
            pytest.fail(f"fate-flow server did not print its ready line within {timeout:.0f} s "
                        f"(exit code {self.proc.poll()}); command {self.args}; output:\n{self.output}")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> tuple[int | None, bool]:
        """Signal the server and wait: (exit code, whether it had to be killed)."""
        if self.proc.poll() is not None:
            self._reader.join(5)
            return self.proc.returncode, False
        self.proc.send_signal(signum)
        killed = False
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            killed = True
            self.kill()
        self._reader.join(5)
        return self.proc.returncode, killed

    def kill(self) -> None:
        """SIGKILL the server process alone (its forkserver and workers are left as a crash leaves them)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def kill_session(self) -> None:
        """SIGKILL whatever is left of the process group the server was started in."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def assert_clean_exit(server: ServerProcess, code: int | None, killed: bool) -> None:
    output = server.output
    assert not killed, f"fate-flow server did not stop within {STOP_TIMEOUT:.0f} s of the signal:\n{output}"
    assert code == 0, f"fate-flow server exited with {code}:\n{output}"
    assert "fate-flow node stopped" in output, output
    assert "Traceback" not in output, output


def run_cli(args: Sequence[str], server: str | None = None, env: dict[str, str] | None = None,
            command: Sequence[str] | None = None) -> tuple[int, dict[str, Any]]:
    """Run the CLI (default: `python fate_flow_client.py`) from the repo root: (exit code, JSON reply)."""
    argv = [*(command or [sys.executable, str(CLIENT_SCRIPT)]), *args]
    if server is not None:
        argv += ["--server", server]
    full_env = dict(os.environ)
    full_env.pop("FATE_FLOW_SERVER", None)
    full_env.update(env or {})
    done = subprocess.run(argv, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=CLI_TIMEOUT)
    try:
        reply = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{argv} did not print a JSON reply (exit {done.returncode}):\n"
                    f"stdout: {done.stdout}\nstderr: {done.stderr}")
    assert isinstance(reply, dict) and "retcode" in reply, reply
    return done.returncode, reply


class Node:
    """A running node as the tests see it."""

    def __init__(self, server: ServerProcess, files: Path, outside: Path) -> None:
        assert server.match is not None
        self.server = server
        self.url = server.match.group("rest")
        self.grpc_address = server.match.group("grpc")  # the peer port
        self.local_target = server.match.group("local")  # the node's own services (Flow, Storage, ...)
        self.data_dir = Path(server.match.group("data"))
        self.files = files  # the allowed directory: uploads read here, downloads write here
        self.outside = outside  # a directory the node may not use

    def cli(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        return run_cli(args, server=self.url, env=env)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(self.url + path, timeout=HTTP_TIMEOUT, **kwargs)

    def table_count(self, namespace: str, name: str) -> int | None:
        """The table's row count, or None if it does not exist (FATE's answer: no rows, no partitions)."""
        reply = self.post("/v1/table/table_info", json={"namespace": namespace, "table_name": name}).json()
        assert reply["retcode"] == 0, reply
        return None if reply["data"]["partition"] is None else reply["data"]["count"]

    def history(self) -> list[dict[str, Any]]:
        reply = self.post("/v1/data/upload/history", json={}).json()
        assert reply["retcode"] == 0, reply
        return reply.get("data", [])

    def drop_table(self, namespace: str, name: str) -> None:
        reply = self.post("/v1/table/delete", json={"namespace": namespace, "table_name": name}).json()
        assert reply["retcode"] in (0, 101), reply

    def stored_tables(self) -> list[str]:
        root = self.data_dir / "storage" / "tables"
        return sorted(f"{ns.name}/{t.name}" for ns in root.iterdir() for t in ns.iterdir())

    def staging_entries(self) -> list[str]:
        return sorted(p.name for p in (self.data_dir / "storage" / "staging").iterdir())

    def incoming_entries(self) -> list[str]:
        incoming = self.data_dir / "incoming"
        return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []


def node_args(data_dir: Path, allowed: Path) -> list[str]:
    return ["--standalone", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--grpc-port", "0",
            "--http-port", "0", "--base-dir", str(ROOT), "--allow-dir", str(allowed)]


@contextmanager
def running_node(base: Path, args: Sequence[str] | None = None, env: dict[str, str] | None = None) -> Iterator[Node]:
    """Start a node under `base` (data/, files/, outside/), yield it, stop it and check it stopped cleanly."""
    files, outside = base / "files", base / "outside"
    files.mkdir(exist_ok=True)
    outside.mkdir(exist_ok=True)
    server = ServerProcess(args if args is not None else node_args(base / "data", files), env=env)
    try:
        server.wait_ready()
        node = Node(server, files, outside)
    except BaseException:
        server.kill()
        raise
    try:
        yield node
    finally:
        code, killed = server.stop()
    assert_clean_exit(server, code, killed)


class NodeProcess:
    """One node (a party's in cluster mode, or standalone when `party` is None) that a test may stop, kill and
    start again on the same ports and data dir (`base`/data; uploads allowed from `base`/files)."""

    def __init__(self, base: Path, party: str | None, grpc_port: int | None = None,
                 routes: dict[str, str] | None = None, tls: TlsConfig | None = None,
                 extra_args: Sequence[str] = (), env: dict[str, str] | None = None) -> None:
        self.party = party
        self.env = env
        self.base = base
        self.grpc_port = grpc_port if grpc_port is not None else free_port()
        self.http_port = free_port()
        self.data_dir = base / "data"
        self.files = base / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.args = ["--data-dir", str(self.data_dir), "--host", "127.0.0.1", "--grpc-port", str(self.grpc_port),
                     "--http-port", str(self.http_port), "--base-dir", str(ROOT), "--allow-dir", str(self.files),
                     "--workers", "1", *(["--standalone"] if party is None else ["--party-id", party])]
        for other, address in sorted((routes or {}).items()):
            self.args += ["--route", f"{other}={address}"]
        if tls is not None:
            self.args += ["--tls-cert", tls.cert, "--tls-key", tls.key, "--tls-ca", tls.ca]
        self.args += extra_args
        self._servers: list[ServerProcess] = []  # one per start: a killed node's workers stay in their session

    @property
    def server(self) -> ServerProcess:
        assert self._servers, "the node has not started"
        return self._servers[-1]

    @property
    def node(self) -> Node:
        return Node(self.server, self.files, self.base)

    def start(self) -> "NodeProcess":
        """Start (or restart) the node and wait for its ready line."""
        assert not self._servers or self.server.proc.poll() is not None, "the node is running"
        self._servers.append(ServerProcess(self.args, env=self.env))
        self.server.wait_ready()
        assert self.server.match is not None and self.server.match.group("grpc") == self.address
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def address(self) -> str:
        """The peer port."""
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def local_target(self) -> str:
        """The node's local socket (Flow, Storage, LocalScheduler, LocalFederation)."""
        assert self.server.match is not None
        return self.server.match.group("local")

    @property
    def pid(self) -> int:
        return self.server.proc.pid

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    def cli(self, *args: str) -> tuple[int, dict[str, Any]]:
        return run_cli(args, server=self.url)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(self.url + path, timeout=HTTP_TIMEOUT, **kwargs)

    def kill(self) -> None:
        """SIGKILL the node process alone, as a crash would."""
        self.server.kill()

    def stop(self) -> tuple[int | None, bool]:
        """SIGTERM and wait: (exit code, whether it had to be killed)."""
        return self.server.stop()

    def reap(self) -> None:
        """Stop the node and SIGKILL whatever is left in the process groups it was started in."""
        if self._servers:
            self.server.stop()
        for server in self._servers:
            server.kill_session()

    def log(self) -> str:
        path = self.data_dir / "logs" / "fate_flow" / "fate_flow.log"
        return path.read_text(errors="replace") if path.exists() else ""


def reap_all(nodes: Iterable[NodeProcess]) -> None:
    """Reap every node, then raise the first error any of them gave."""
    errors = []
    for node in nodes:
        try:
            node.reap()
        except Exception as exc:  # noqa: BLE001 - stop every node, then report
            errors.append(exc)
    if errors:
        raise errors[0]


# ---- helpers ----------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port with nothing listening on it (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_csv(path: Path, header: str | None, rows: Sequence[str]) -> Path:
    lines = ([header] if header is not None else []) + list(rows)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def write_conf(path: Path, conf: dict[str, Any]) -> Path:
    path.write_text(json.dumps(conf, indent=4))
    return path


def upload_conf(file: Path | str, namespace: str, table_name: str, **extra: Any) -> dict[str, Any]:
    conf = {"file": str(file), "head": 1, "partition": 4, "work_mode": 0, "namespace": namespace,
            "table_name": table_name}
    conf.update(extra)
    return {k: v for k, v in conf.items() if v is not None}


def breast_rows(ids: Sequence[int], seed: float = 0.0) -> list[str]:
    """Rows shaped like breast_b.csv (id, y, x0..x9)."""
    return [f"{i},{i % 2}," + ",".join(f"{seed + i / 100 + j / 10:.6f}" for j in range(10)) for i in ids]


def assert_refused(reply: dict[str, Any], retcode: int, *words: str) -> None:
    """A refusal: the retcode, and one short sentence naming the thing at fault."""
    assert reply.get("retcode") == retcode, reply
    message = reply.get("retmsg", "")
    assert message, reply
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in retmsg {message!r}"
    assert_readable(message)


def assert_readable(message: str) -> None:
    assert "\n" not in message and len(message) < 300, f"retmsg is not one short sentence: {message!r}"
    for leak in ("Traceback", "grpc", "StatusCode", "_InactiveRpcError", "debug_error_string"):
        assert leak.lower() not in message.lower(), f"retmsg leaks {leak!r}: {message!r}"
