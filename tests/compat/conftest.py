"""Fixtures for the compat tests: PyPI fate-client's `flow`, 1.6.0 and 1.11.3.post1, against a real node.

Every test runs with both releases (the `flow` fixture is parametrized: each release's virtualenv is built once
and cached); a test of what only 1.11 has takes `flow` through `@pytest.mark.parametrize("flow", ["1.11"],
indirect=True)`. Each release gets a node of its own, which `flow init` points it at.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from compat_helpers import HERE, RELEASES, TOY_CONF, TOY_DSL, Flow, ended, submit
from integration_helpers import Node, node_args, running_node, write_conf
from jobs_helpers import wait_job


@pytest.fixture(scope="session", params=sorted(RELEASES), ids=lambda version: f"flow-{version}")
def flow(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Flow:
    version = request.param
    return Flow(version, tmp_path_factory.mktemp(f"flow-{version}-home"), tmp_path_factory.mktemp(f"flow-{version}"))


@pytest.fixture(scope="session")
def compat_node(tmp_path_factory: pytest.TempPathFactory, flow: Flow) -> Iterator[Node]:
    """A standalone node for `flow`'s release, running one job at a time (max_jobs 1, so a second job waits),
    with the CompatPause component; `flow init` points `flow` at it."""
    base = tmp_path_factory.mktemp(f"compat-node-{flow.version}")
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


@pytest.fixture(scope="session")
def toy_job(flow: Flow, compat_node: Node) -> str:
    """FATE's toy example (DSL v1) submitted with `flow job submit`, run to its end."""
    job_id = submit(flow, TOY_CONF, TOY_DSL)
    assert ended(wait_job(compat_node, job_id)) == {"guest": "success", "host": "success"}
    return job_id
