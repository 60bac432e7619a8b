"""Fixtures for the storage tests: stores that run partition work inline or in the worker pool, and backends (the
session's `spark_store` is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from storage import executor
from storage_testlib import MODES, make_store


def _fresh_pool_after_test() -> None:
    # Each pool-mode test starts with fresh worker processes: nothing a test leaves in the
    # workers (open environments, a pool broken on purpose) reaches the next one.
    executor.shutdown()


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """"inline": partition work runs in the test process; "pool": in worker processes."""
    return request.param


@pytest.fixture
def store(tmp_path, mode):
    yield make_store(tmp_path / "data", mode)
    if mode == "pool":
        _fresh_pool_after_test()


@pytest.fixture
def inline_store(tmp_path):
    return make_store(tmp_path / "data", "inline")


@pytest.fixture
def pool_store(tmp_path):
    yield make_store(tmp_path / "data", "pool")
    _fresh_pool_after_test()


@pytest.fixture(params=["lmdb", pytest.param("spark", marks=pytest.mark.spark)])
def backend(request, tmp_path):
    """The computing backend a backend-independent table test runs on: the LMDB store or Spark."""
    if request.param == "lmdb":
        return make_store(tmp_path / "data", "inline")
    return request.getfixturevalue("spark_store")
