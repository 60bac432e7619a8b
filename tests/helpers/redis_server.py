"""A real `redis-server` on a free loopback port, with a password, for the model repository's tests.

The server keeps nothing on disk (`--save "" --appendonly no`) and runs in a temporary directory; tests that use
it are skipped only when the redis-server binary is missing (CI installs Debian's package). Use the
`redis_server` fixture (import it into a conftest.py) or `running_redis` directly.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
import redis
from system_packages import missing_package
from redis.backoff import NoBackoff
from redis.retry import Retry

from integration_helpers import free_port

START_TIMEOUT_S = 10.0


@dataclasses.dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    password: str

    def store_address(self, **changes: Any) -> dict[str, Any]:
        """FATE's store_address for this server (as store_model.json has it), with `changes` applied."""
        return {"storage": "redis", "host": self.host, "port": self.port, "password": self.password, "db": 0,
                **changes}

    def client(self, db: int = 0, authenticated: bool = True) -> redis.Redis:
        """A client that reports failures at once (redis-py otherwise retries with backoffs of seconds)."""
        return redis.Redis(host=self.host, port=self.port, password=self.password if authenticated else None, db=db,
                           retry=Retry(NoBackoff(), 0))


@contextmanager
def running_redis(directory: Path, password: str) -> Iterator[RedisServer]:
    """A redis-server started in `directory`, stopped on exit."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing_package("redis-server is not installed (Debian: apt-get install redis-server)")
    server = RedisServer("127.0.0.1", free_port(), password)
    log = directory / "redis.log"
    process = subprocess.Popen(
        [binary, "--bind", server.host, "--port", str(server.port), "--requirepass", password, "--dir", str(directory),
         "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_serving(server, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(server: RedisServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with server.client() as client:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = log.read_text() if log.exists() else ""
                    raise RuntimeError(f"redis-server did not start on port {server.port}:\n{output}") from None
                time.sleep(0.05)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the whole session; tests keep apart by flushing or by their own keys."""
    with running_redis(tmp_path_factory.mktemp("redis"), secrets.token_hex(16)) as server:
        yield server
