"""Fixtures for the integration tests (the helpers they use are in integration_helpers.py)."""

from __future__ import annotations

from typing import Iterator

import pytest

from integration_helpers import Node, running_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """One node per test module (tests use their own table names)."""
    with running_node(tmp_path_factory.mktemp("node")) as started:
        yield started
