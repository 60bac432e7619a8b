"""Options and fixtures for the whole suite: slow soak tests run only with --run-slow; the session's one SparkStore."""

from __future__ import annotations

import shutil

import pytest

from system_packages import missing_package


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def spark_store(tmp_path_factory):
    """One SparkStore (and SparkContext, local[2]) for the whole test session."""
    if shutil.which("java") is None:
        missing_package("java is not installed (Debian: openjdk-17-jre-headless)")
    pytest.importorskip("pyspark")
    from storage.spark.context import stop_spark_context
    from storage.spark.settings import SparkSettings
    from storage.spark.store import SparkStore

    yield SparkStore(SparkSettings(storage_dir=str(tmp_path_factory.mktemp("spark")), master="local[2]"))
    stop_spark_context()
