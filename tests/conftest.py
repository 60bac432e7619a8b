"""Options and fixtures for the whole suite: slow soak tests run only with --run-slow; costly modules first; the
session's one SparkStore."""

from __future__ import annotations

import shutil

import pytest

from system_packages import missing_package


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _longest_modules_first(items)
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _cost_rank(item: pytest.Item) -> int:
    """0 for the costliest kind of test (nodes computing on Spark) .. 3 for a plain unit test."""
    integration = "integration" in item.keywords or "board" in item.keywords
    spark = "spark" in item.keywords
    return 0 if integration and spark else 1 if integration else 2 if spark else 3


def _longest_modules_first(items: list[pytest.Item]) -> None:
    """Modules with the costliest tests first, each module's tests kept together and in order: the two test
    processes (pytest-xdist, a module to a process) then end with short modules, not one waiting on a long one."""
    ranks: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        ranks[module] = min(ranks.get(module, 3), _cost_rank(item))
    items.sort(key=lambda item: ranks[item.nodeid.split("::")[0]])


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
