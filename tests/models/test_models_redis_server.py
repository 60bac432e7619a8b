"""The tests' redis-server: it asks for its password, stops on exit, and its tests skip only without the binary."""

from __future__ import annotations

import shutil

import pytest
import redis

from redis_server import running_redis
from system_packages import CI_VARIABLE


def test_the_server_wants_its_password_and_stops_on_exit(tmp_path):
    with running_redis(tmp_path, "secret") as server:
        with server.client() as client:
            assert client.ping()
        with server.client(authenticated=False) as anonymous, pytest.raises(redis.AuthenticationError):
            anonymous.ping()
    with server.client() as client, pytest.raises(redis.ConnectionError):
        client.ping()
    assert not list(tmp_path.glob("*.rdb")) and not list(tmp_path.glob("appendonly*"))


def test_without_the_binary_the_tests_that_need_it_are_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv(CI_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        with running_redis(tmp_path, "secret"):
            pass


def test_in_ci_a_missing_binary_fails_the_tests_that_need_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv(CI_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match="redis-server is not installed"):
        with running_redis(tmp_path, "secret"):
            pass
