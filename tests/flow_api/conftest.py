"""Fixtures for the REST layer tests: a fake node on loopback, the app in front of it, a live HTTP server."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from flask import Flask

from flow_api.app import create_app
from flow_api_fakes import FakeFlow, HttpServer, start_grpc


@pytest.fixture(scope="module")
def grpc_node() -> Iterator[tuple[FakeFlow, str]]:
    fake = FakeFlow()
    server, target = start_grpc(fake)
    try:
        yield fake, target
    finally:
        server.stop(0).wait(5)


@pytest.fixture(scope="module")
def flow_app(grpc_node: tuple[FakeFlow, str]) -> Iterator[Flask]:
    app = create_app(grpc_node[1])
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
    server = HttpServer(flow_app)
    try:
        yield server
    finally:
        server.stop()
