"""Mutual TLS between two nodes: certificates name parties; the receiver trusts the certificate, not the request.

Certificates (CN = party id, DNS SAN party-<id>) are made in a temporary directory by two
throw-away CAs: `ca` signed every node's and client's certificate, `rogue` is another CA.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import grpc
import numpy as np
import pytest

from federation import (Declarations, FederationClient, FederationError, PeerUnreachable, RetryPolicy, RouteTable,
                        TlsConfig, TransferRefused, TransferTimeout, TransferVariable, open_channel)
from federation_helpers import (CertificateAuthority, Cluster, federation_stub, job_id, job_token, make_table,
                                object_files, object_stream, received_tables, sample_objects, start_cluster,
                                table_digest)
from integration_helpers import reap_all
from strict_equality import same
from protos import federation_pb2 as fpb
from protos import federation_pb2_grpc
from protos import scheduler_pb2 as spb
from protos import scheduler_pb2_grpc
from storage import encode

pytestmark = pytest.mark.integration  # every test here starts real nodes

GUEST, HOST = "9999", "10000"
VARIABLES = [TransferVariable("g2h", "guest", ("host",)), TransferVariable("h2g", "host", ("guest",))]


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TlsConfig]:
    directory = tmp_path_factory.mktemp("certs")
    ca = CertificateAuthority(directory, "shared")
    rogue = CertificateAuthority(directory, "rogue")
    rogue_trusting_shared = rogue.issue(GUEST, "guest_rogue_trusting_shared")
    return {
        GUEST: ca.issue(GUEST), HOST: ca.issue(HOST), "8888": ca.issue("8888"),
        "rogue_guest": rogue.issue(GUEST),  # a guest certificate from another CA, trusting that CA
        # a guest certificate from another CA, trusting the shared CA (so it can verify the node)
        "rogue_cert_shared_ca": TlsConfig(rogue_trusting_shared.cert, rogue_trusting_shared.key, str(ca.ca_path)),
        "rogue_node_host": rogue.issue(HOST, "rogue_node_host"),
    }


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory: pytest.TempPathFactory, certs: dict[str, TlsConfig]) -> Iterator[tuple[Cluster, str]]:
    cluster = start_cluster(tmp_path_factory.mktemp("tls"), [GUEST, HOST], tls={GUEST: certs[GUEST],
                                                                                HOST: certs[HOST]})
    try:
        job = job_id("tls")
        cluster.register(job, {"guest": [GUEST], "host": [HOST]}, VARIABLES)
        yield cluster, job
    finally:
        reap_all(cluster.nodes.values())


# two attempts that cannot succeed, each waiting 1 s for its channel (5 s in production)
FAILING = RetryPolicy(2, 0.05, connect_timeout=1.0)


def _client(cluster: Cluster, job: str, role: str, party: str, tls: TlsConfig,
            retry: RetryPolicy | None = None) -> FederationClient:
    node_party = GUEST if role == "guest" else HOST
    routes = RouteTable([party], cluster.node(node_party).address,
                        {p: n.address for p, n in cluster.nodes.items() if p != node_party})
    return FederationClient(job, role, party, routes, Declarations(VARIABLES), cluster.store(node_party),
                            cluster.node(node_party).local_target, job_token(job), tls=tls,
                            retry=retry or RetryPolicy(2, 0.05))


def test_objects_and_tables_cross_over_tls(tls_pair: tuple[Cluster, str]) -> None:
    cluster, job = tls_pair
    guest = cluster.client(job, "guest", GUEST, VARIABLES)
    host = cluster.client(job, "host", HOST, VARIABLES)
    objects = sample_objects()
    guest.remote(objects, "g2h", "objects", [("host", HOST)])
    (received,) = host.get("g2h", "objects", [("guest", GUEST)], timeout=30)
    assert len(received) == len(objects) and all(same(a, b) for a, b in zip(objects, received))
    host.remote(np.arange(10), "h2g", "back", [("guest", GUEST)])
    assert same(guest.get("h2g", "back", [("host", HOST)], timeout=30)[0], np.arange(10))
    table = make_table(cluster.store(GUEST), "fedtest", f"tls_{job}", 4, list(range(50_000)),
                       [(i, str(i)) for i in range(50_000)])
    guest.remote(table, "g2h", "table", [("host", HOST)])
    (got,) = host.get("g2h", "table", [("guest", GUEST)], timeout=60)
    assert got.partitions == 4 and table_digest(got) == table_digest(table)


def test_certificate_of_another_party_is_refused(tls_pair: tuple[Cluster, str], certs: dict[str, TlsConfig]) -> None:
    cluster, job = tls_pair
    files = object_files(cluster.node(HOST))
    # a client holding party 8888's certificate (same CA) that claims to be guest 9999
    impostor = _client(cluster, job, "guest", GUEST, certs["8888"])
    with pytest.raises(TransferRefused) as caught:
        impostor.remote("stolen", "g2h", "impostor", [("host", HOST)])
    message = str(caught.value)
    assert "certificate" in message and "8888" in message and GUEST in message, message
    table = make_table(cluster.store(GUEST), "fedtest", f"tls_impostor_{job}", 2, [1, 2], [1, 2])
    with pytest.raises(TransferRefused, match="certificate"):
        impostor.remote(table, "g2h", "impostor_table", [("host", HOST)])
    assert object_files(cluster.node(HOST)) == files
    assert not [name for name in received_tables(cluster.node(HOST), job) if "impostor" in name]
    host = cluster.client(job, "host", HOST, VARIABLES)
    with pytest.raises(TransferTimeout):
        host.get("g2h", "impostor", [("guest", GUEST)], timeout=0.2)


def test_what_arrived_is_awaited_only_on_the_node_s_local_socket(tls_pair: tuple[Cluster, str],
                                                                  certs: dict[str, TlsConfig]) -> None:
    """Another party's certificate cannot read what was sent to the host: the peer port has no Await."""
    cluster, job = tls_pair
    guest = cluster.client(job, "guest", GUEST, VARIABLES)
    guest.remote("for host only", "g2h", "private", [("host", HOST)])
    request = fpb.AwaitRequest(job_id=job, name="g2h", tag="private", src=fpb.Party(role="guest", party_id=GUEST),
                               dst=fpb.Party(role="host", party_id=HOST), timeout_seconds=1)
    with open_channel(cluster.node(HOST).address, certs[GUEST], HOST) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            federation_pb2_grpc.LocalFederationStub(channel).Await(request, timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    host = cluster.client(job, "host", HOST, VARIABLES)
    assert host.get("g2h", "private", [("guest", GUEST)], timeout=30) == ["for host only"]


@pytest.mark.parametrize("which", ["rogue_guest", "rogue_cert_shared_ca"])
def test_certificate_of_another_ca_cannot_connect(tls_pair: tuple[Cluster, str], certs: dict[str, TlsConfig],
                                                  which: str) -> None:
    cluster, job = tls_pair
    files = object_files(cluster.node(HOST))
    rogue = _client(cluster, job, "guest", GUEST, certs[which], retry=FAILING)
    with pytest.raises(FederationError) as caught:
        rogue.remote("x", "g2h", f"rogue_{which}", [("host", HOST)])
    assert not isinstance(caught.value, TransferRefused)  # it never got as far as a refusal
    assert isinstance(caught.value, PeerUnreachable)
    message = str(caught.value)
    assert "host" in message and HOST in message and cluster.node(HOST).address in message, message
    assert object_files(cluster.node(HOST)) == files


def test_plaintext_client_cannot_reach_a_tls_node(tls_pair: tuple[Cluster, str]) -> None:
    cluster, job = tls_pair
    routes = RouteTable([GUEST], cluster.node(GUEST).address, {HOST: cluster.node(HOST).address})
    plain = FederationClient(job, "guest", GUEST, routes, Declarations(VARIABLES), cluster.store(GUEST),
                             cluster.node(GUEST).local_target, job_token(job), tls=None, retry=FAILING)
    with pytest.raises(PeerUnreachable, match=HOST):
        plain.remote("x", "g2h", "plaintext", [("host", HOST)])
    channel, stub = federation_stub(cluster.node(HOST).address)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            stub.Push(iter(object_stream(job, "g2h", "plaintext", ("guest", GUEST), ("host", HOST), encode(1))),
                      timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        channel.close()


def test_node_with_a_certificate_of_another_ca_is_not_trusted(tmp_path: Path, tls_pair: tuple[Cluster, str],
                                                               certs: dict[str, TlsConfig]) -> None:
    """A node serving host 10000 with a rogue certificate: the guest's client does not talk to it."""
    cluster, job = tls_pair
    rogue_cluster = start_cluster(tmp_path / "rogue", [HOST], tls={HOST: certs["rogue_node_host"]})
    try:
        routes = RouteTable([GUEST], cluster.node(GUEST).address, {HOST: rogue_cluster.node(HOST).address})
        guest = FederationClient(job, "guest", GUEST, routes, Declarations(VARIABLES), cluster.store(GUEST),
                                 cluster.node(GUEST).local_target, job_token(job), tls=certs[GUEST],
                                 retry=FAILING)
        with pytest.raises(PeerUnreachable) as caught:
            guest.remote("secret", "g2h", "to_rogue", [("host", HOST)])
        assert rogue_cluster.node(HOST).address in str(caught.value)
        assert received_tables(rogue_cluster.node(HOST), job) == []
        assert object_files(rogue_cluster.node(HOST)) == set()
    finally:
        reap_all(rogue_cluster.nodes.values())


def test_node_must_prove_the_party_it_serves(tls_pair: tuple[Cluster, str], certs: dict[str, TlsConfig]) -> None:
    """Routing host 10000 to the guest's node (certificate party-9999) fails: that node is not 10000."""
    cluster, job = tls_pair
    routes = RouteTable([GUEST], cluster.node(GUEST).address, {HOST: cluster.node(GUEST).address})
    guest = FederationClient(job, "guest", GUEST, routes, Declarations(VARIABLES), cluster.store(GUEST),
                             cluster.node(GUEST).local_target, job_token(job), tls=certs[GUEST],
                             retry=FAILING)
    with pytest.raises(PeerUnreachable):
        guest.remote("x", "g2h", "misrouted", [("host", HOST)])
    assert received_tables(cluster.node(GUEST), job) == []


def test_unknown_route_names_the_party(tls_pair: tuple[Cluster, str]) -> None:
    cluster, job = tls_pair
    guest = cluster.client(job, "guest", GUEST, VARIABLES)
    with pytest.raises(FederationError, match="7777"):
        guest.remote("x", "g2h", "nowhere", [("host", "7777")])


def test_the_peer_port_registers_no_jobs_even_for_a_trusted_certificate(tls_pair: tuple[Cluster, str],
                                                                        certs: dict[str, TlsConfig]) -> None:
    cluster, _ = tls_pair
    registration = spb.JobRegistration(job_id=job_id("rogue_register"), token="t",
                                       roles={"guest": spb.PartyIds(party_ids=[GUEST]),
                                              "host": spb.PartyIds(party_ids=[HOST])})
    with open_channel(cluster.node(HOST).address, certs[GUEST], HOST) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            scheduler_pb2_grpc.LocalSchedulerStub(channel).RegisterJob(registration, timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_job_state_is_told_only_to_a_party_of_the_job(tls_pair: tuple[Cluster, str],
                                                      certs: dict[str, TlsConfig]) -> None:
    """Under TLS the token is not enough: the certificate must name a party of the job."""
    cluster, job = tls_pair
    request = fpb.JobStateRequest(job_id=job)
    metadata = (("job-token", job_token(job)),)
    with open_channel(cluster.node(HOST).address, certs[GUEST], HOST) as channel:
        assert federation_pb2_grpc.FederationStub(channel).JobState(request, timeout=30, metadata=metadata).running
    with open_channel(cluster.node(HOST).address, certs["8888"], HOST) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            federation_pb2_grpc.FederationStub(channel).JobState(request, timeout=30, metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert caught.value.details() == f"party 8888 is not a party of job {job}"
