"""Job tests: each test module gets its own standalone node (`node`) unless it defines one."""

from __future__ import annotations

from typing import Iterator

import pytest

from integration_helpers import Node
from jobs_helpers import standalone_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with standalone_node(tmp_path_factory.mktemp("jobs")) as started:
        yield started
