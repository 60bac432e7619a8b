"""Fixtures for the federation tests (the helpers they use are in federation_helpers.py).

`cluster3` is one set of three cluster nodes (guest 9999, host 10000, arbiter 10001) for the
whole session: the tests that use it register their own jobs with unique ids, so they do not
interfere. `pair` is a guest and a host node of one test's own, which it may kill. Tests that
need other nodes of their own (memory, TLS, standalone) start them in their module.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from federation_helpers import Cluster, start_cluster
from integration_helpers import reap_all


@pytest.fixture(scope="session")
def cluster3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path_factory.mktemp("cluster3"), ["9999", "10000", "10001"])
    try:
        yield cluster
    finally:
        reap_all(cluster.nodes.values())


@pytest.fixture
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path_factory.mktemp("pair"), ["9999", "10000"])
    try:
        yield cluster
    finally:
        reap_all(cluster.nodes.values())
