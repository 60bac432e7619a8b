"""Fixtures for the compat tests: PyPI fate-client's `flow` command against a real node.

`flow init` writes the server address into settings.yaml inside the flow_client package, so
each test session runs `flow` with a private copy of that package (first on PYTHONPATH): the
cached virtualenv is never written to and concurrent sessions do not share settings.
"""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from compat_helpers import HERE, Flow, build_flow_venv
from integration_helpers import Node, node_args, running_node, write_conf


@pytest.fixture(scope="session")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Flow:
    venv = build_flow_venv()
    packages = sorted(venv.glob("lib/python*/site-packages/flow_client"))
    assert packages, f"no flow_client package in {venv}"
    home = tmp_path_factory.mktemp("flow-home")
    shutil.copytree(packages[0], home / "flow_client", ignore=shutil.ignore_patterns("__pycache__"))
    return Flow(venv, home)


@pytest.fixture(scope="session")
def compat_node(tmp_path_factory: pytest.TempPathFactory, flow: Flow) -> Iterator[Node]:
    """One standalone node for the session, running one job at a time (max_jobs 1, so a second job waits),
    with the CompatPause component; `flow init` points this session's flow at it."""
    base = tmp_path_factory.mktemp("compat-node")
    conf = write_conf(base / "node_conf.json", {"max_jobs": 1})
    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:  # only while the node starts; its task processes inherit it
            env.setenv("FATE_RUNTIME_COMPONENTS", "compat_components")
            env.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
            node = stack.enter_context(running_node(base, [*node_args(base / "data", base / "files"),
                                                           "--conf", str(conf)]))
        address = urlsplit(node.url)
        reply = flow.ok("init", "--ip", str(address.hostname), "--port", str(address.port))
        assert "initialized successfully" in reply["retmsg"], reply
        assert f"port: {address.port}" in flow.settings.read_text(), flow.settings.read_text()
        yield node
