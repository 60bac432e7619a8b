"""Job tests: the integration helpers and the test components are importable from here; each test
module gets its own standalone node (`node`) unless it defines one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from integration_helpers import Node  # noqa: E402 - importable once the paths are set
from jobs_helpers import standalone_node  # noqa: E402


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with standalone_node(tmp_path_factory.mktemp("jobs")) as started:
        yield started
