"""Fixtures for the REST layer tests: a fake node on loopback, the app in front of it (requiring FATE's
request signature where a module overrides `keys`), a live HTTP server, the same over HTTPS."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from flask import Flask

from fate_runtime import NodeConfig
from flow_api.app import create_app
from flow_api.auth import Keys
from flow_api.server_main import https_context
from flow_api_fakes import FakeFlow, HttpServer, start_grpc
from tls_files import TlsFiles, make_tls_files


@pytest.fixture(scope="module")
def grpc_node() -> Iterator[tuple[FakeFlow, str]]:
    fake = FakeFlow()
    server, target = start_grpc(fake)
    try:
        yield fake, target
    finally:
        server.stop(0).wait(5)


@pytest.fixture(scope="module")
def keys() -> Keys | None:
    """The keys whose signature the app requires: none, unless a test module overrides this fixture."""
    return None


@pytest.fixture(scope="module")
def flow_app(grpc_node: tuple[FakeFlow, str], keys: Keys | None) -> Iterator[Flask]:
    app = create_app(grpc_node[1], keys=keys)
    try:
        yield app
    finally:
        app.config["NODE"].close()


@pytest.fixture
def fake(grpc_node: tuple[FakeFlow, str]) -> Iterator[FakeFlow]:
    grpc_node[0].reset()
    yield grpc_node[0]
    grpc_node[0].reset()


@pytest.fixture
def client(flow_app: Flask, fake: FakeFlow) -> Any:
    return flow_app.test_client()


@pytest.fixture(scope="module")
def http_server(flow_app: Flask) -> Iterator[HttpServer]:
    with HttpServer(flow_app) as server:
        yield server


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"), "9999")


@pytest.fixture(scope="module")
def https_server(flow_app: Flask, tls: TlsFiles) -> Iterator[HttpServer]:
    """The app over HTTPS with the node's certificate, as `fate-flow server --rest-https` serves it."""
    node = NodeConfig(party_ids=("9999",), tls_cert=str(tls.cert), tls_key=str(tls.key), tls_ca=str(tls.ca),
                      rest_https=True)
    with HttpServer(flow_app, https_context(node)) as server:
        yield server
