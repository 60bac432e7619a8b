"""Standalone: one `fate-flow server --standalone` node serves every party (guest = host = arbiter = 10000)."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest

from federation import (Declarations, FederationClient, RetryPolicy, RouteTable, TransferRefused, TransferTimeout,
                        TransferVariable)
from federation_helpers import job_id, job_token, make_table, sample_objects, table_digest
from integration_helpers import NodeProcess
from strict_equality import same
from storage import Store, Table

pytestmark = pytest.mark.integration  # every test here starts real nodes

PARTY = "10000"
VARIABLES = [
    TransferVariable("g2h", "guest", ("host",)),
    TransferVariable("h2a", "host", ("arbiter",)),
    TransferVariable("a2g", "arbiter", ("guest",)),
    TransferVariable("table", "guest", ("host", "arbiter")),
]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    started = NodeProcess(tmp_path_factory.mktemp("standalone"), None)
    try:
        started.start()
        yield started
    finally:
        started.reap()


@pytest.fixture(scope="module")
def job(node: NodeProcess) -> str:
    from federation_helpers import register_job

    job = job_id("standalone")
    local = register_job(node.local_target, job, {"guest": [PARTY], "host": [PARTY], "arbiter": [PARTY]}, VARIABLES)
    assert sorted(local) == ["arbiter:10000", "guest:10000", "host:10000"]
    return job


def _client(node: NodeProcess, job: str, role: str) -> FederationClient:
    return FederationClient(job, role, PARTY, RouteTable([PARTY], node.address, {}, standalone=True),
                            Declarations(VARIABLES), Store(str(node.storage_dir), workers=1), node.local_target,
                            job_token(job), retry=RetryPolicy(2, 0.05))


def test_objects_go_around_guest_host_arbiter(node: NodeProcess, job: str) -> None:
    guest, host, arbiter = (_client(node, job, role) for role in ("guest", "host", "arbiter"))
    objects = sample_objects()
    guest.remote(objects, "g2h", 0, [("host", PARTY)])
    (at_host,) = host.get("g2h", 0, [("guest", PARTY)], timeout=30)
    assert len(at_host) == len(objects) and all(same(a, b) for a, b in zip(objects, at_host))
    host.remote(np.arange(5) * 2, "h2a", 0, [("arbiter", PARTY)])
    assert same(arbiter.get("h2a", 0, [("host", PARTY)], timeout=30)[0], np.arange(5) * 2)
    arbiter.remote({"pubkey": 1 << 2047}, "a2g", 0, [("guest", PARTY)])
    assert guest.get("a2g", 0, [("arbiter", PARTY)], timeout=30) == [{"pubkey": 1 << 2047}]


def test_roles_of_one_party_stay_apart(node: NodeProcess, job: str) -> None:
    """guest -> host of party 10000 is not host -> arbiter of party 10000."""
    arbiter = _client(node, job, "arbiter")
    guest = _client(node, job, "guest")
    guest.remote("for host", "g2h", "apart", [("host", PARTY)])
    with pytest.raises(TransferTimeout):
        _client(node, job, "host").get("g2h", "other_tag", [("guest", PARTY)], timeout=0.2)
    with pytest.raises(TransferRefused):  # arbiter is no destination of g2h
        arbiter.get("g2h", "apart", [("guest", PARTY)], timeout=0.2)
    with pytest.raises(TransferRefused):
        guest.remote("x", "g2h", "apart2", [("arbiter", PARTY)])


def test_table_goes_to_host_and_arbiter(node: NodeProcess, job: str) -> None:
    guest, host, arbiter = (_client(node, job, role) for role in ("guest", "host", "arbiter"))
    table = make_table(Store(str(node.storage_dir), workers=1), "fedtest", f"standalone_{job}", 4,
                       list(range(30_000)), [[i, "x" * (i % 7)] for i in range(30_000)])
    guest.remote(table, "table", "t", [("host", PARTY), ("arbiter", PARTY)])
    received = [client.get("table", "t", [("guest", PARTY)], timeout=60)[0] for client in (host, arbiter)]
    for got in received:
        assert isinstance(got, Table)
        assert got.partitions == 4 and table_digest(got) == table_digest(table)
    assert received[0].name != received[1].name  # one copy per destination role
    assert received[0].name != table.name
