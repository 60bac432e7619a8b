"""Helpers for the federation tests: clusters of nodes (integration_helpers.NodeProcess), jobs, clients,
certificates, pushes and waits as a peer or a task sends them.

Every node started here is reaped here (`reap_all`): stopped, then whatever is left of the process
groups it was started in (its forkserver and worker processes) is killed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import itertools
import json
import os
import socket
import sqlite3
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from zlib import crc32

import grpc
import numpy as np

from federation import (JOB_TOKEN, Declarations, FederationClient, FederationServicer, JobView, Receiver, RetryPolicy,
                        RouteTable, TlsConfig, TransferVariable, open_channel, server_options)
from federation.table_parts import part_partitions
from federation.wire import object_chunks
from integration_helpers import NodeProcess, free_port, reap_all
from protos import federation_pb2 as fpb
from protos import federation_pb2_grpc
from protos import scheduler_pb2 as spb
from protos import scheduler_pb2_grpc
from storage import Store, Table

RPC_TIMEOUT = 60.0

# Every job id of a test run is unique (nodes are shared between tests and modules); ids are in FATE's
# format (digits), as nodes require.
_counter = 0
_counter_lock = threading.Lock()


def job_id(label: str) -> str:
    """A new job id (`label` says what for, in the test's own words; ids themselves are digits only)."""
    global _counter
    with _counter_lock:
        _counter += 1
        return datetime.datetime.now().strftime("%Y%m%d%H%M%S%f") + f"{_counter:04d}"


def job_token(job: str) -> str:
    """The token the tests give a job (nodes only require that every call about a job carries the same one)."""
    return hashlib.sha256(f"token of {job}".encode()).hexdigest()[:32]


class TokenStub:
    """A Federation stub whose pushes carry their job's test token (taken from the push's header)."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._stub = federation_pb2_grpc.FederationStub(channel)

    def Push(self, chunks: Iterable[fpb.TransferChunk], **kwargs: Any) -> fpb.PushAck:  # noqa: N802 - gRPC's name
        stream = iter(chunks)
        first = next(stream, None)
        head = [] if first is None else [first]
        kwargs.setdefault("metadata", ((JOB_TOKEN, job_token(first.header.job_id if first else "")),))
        return self._stub.Push(itertools.chain(head, stream), **kwargs)


def vm_hwm_kb(pid: int) -> int:
    """The peak resident set size of a process so far (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmHWM in /proc/{pid}/status")


# ---- clusters, jobs and clients -----------------------------------------------------


@dataclasses.dataclass
class Cluster:
    """Nodes by party id (cluster mode), all routed to each other."""

    nodes: dict[str, NodeProcess]
    tls: dict[str, TlsConfig] = dataclasses.field(default_factory=dict)

    def node(self, party: str) -> NodeProcess:
        return self.nodes[party]

    def routes_for(self, party: str) -> RouteTable:
        node = self.nodes[party]
        others = {p: n.address for p, n in self.nodes.items() if p != party}
        return RouteTable([party], node.address, others)

    def store(self, party: str) -> Store:
        return Store(str(self.nodes[party].storage_dir), workers=1)

    def register(self, job: str, roles: dict[str, Sequence[str]], variables: Sequence[TransferVariable],
                 parties: Iterable[str] | None = None) -> None:
        for party in (parties if parties is not None else self.nodes):
            register_job(self.nodes[party].local_target, job, roles, variables)

    def client(self, job: str, role: str, party: str, variables: Sequence[TransferVariable],
               retry: RetryPolicy | None = None, tls: TlsConfig | None = None, **kwargs: Any) -> FederationClient:
        kwargs.setdefault("token", job_token(job))
        return FederationClient(job, role, party, self.routes_for(party), Declarations(variables), self.store(party),
                                self.nodes[party].local_target, tls=tls if tls is not None else self.tls.get(party),
                                retry=retry or RetryPolicy(3, 0.05), **kwargs)


def start_cluster(base: Path, parties: Sequence[str], tls: dict[str, TlsConfig] | None = None) -> Cluster:
    """Start one node per party, each with routes to all the others; stopped again if any fails."""
    ports = {party: free_port() for party in parties}
    nodes = {}
    try:
        for party in parties:
            routes = {p: f"127.0.0.1:{port}" for p, port in ports.items() if p != party}
            nodes[party] = NodeProcess(base / f"node_{party}", party, ports[party], routes, (tls or {}).get(party))
            nodes[party].start()
    except BaseException:
        reap_all(nodes.values())
        raise
    return Cluster(nodes, dict(tls or {}))


def register_job(local_target: str, job: str, roles: dict[str, Sequence[str]],
                 variables: Sequence[TransferVariable]) -> list[str]:
    """Make a job known to a node for federation only, over its local socket, with the job's test token."""
    registration = spb.JobRegistration(
        job_id=job, roles={role: spb.PartyIds(party_ids=list(parties)) for role, parties in roles.items()},
        variables=[spb.VariableDeclaration(name=v.name, src_role=v.src, dst_roles=list(v.dst)) for v in variables],
        token=job_token(job))
    channel = open_channel(local_target)
    try:
        reply = scheduler_pb2_grpc.LocalSchedulerStub(channel).RegisterJob(registration, timeout=RPC_TIMEOUT)
    finally:
        channel.close()
    return list(reply.local_parties)


TOY_VARIABLES = [TransferVariable("guest_share", "guest", ("host",)), TransferVariable("host_share", "host", ("guest",)),
                 TransferVariable("host_sum", "host", ("guest",))]  # those of the toy example (SecureAddExample)


def toy_job_on_host(cluster: Cluster, guest: str, host: str) -> str:
    """A toy-example job of `guest` (its initiator) and `host`, created on the host's node as its initiator would
    create it there (Scheduler.CreateJob with the job's test token) and registered for federation on the guest's
    node; it runs no task."""
    from jobs_helpers import toy_conf, toy_dsl

    job = job_id("toy")
    spec = spb.JobSpec(job_id=job, dsl_json=json.dumps(toy_dsl()), conf_json=json.dumps(toy_conf(guest, host, 1)),
                       token=job_token(job))
    with open_channel(cluster.node(host).address) as channel:
        scheduler_pb2_grpc.SchedulerStub(channel).CreateJob(spec, timeout=RPC_TIMEOUT)
    register_job(cluster.node(guest).local_target, job, {"guest": [guest], "host": [host]}, TOY_VARIABLES)
    return job


def stop_job_on(node: NodeProcess, job: str) -> None:
    """Scheduler.StopJob (canceled) of a job on a node, with the job's test token, as its initiator sends it."""
    with open_channel(node.address) as channel:
        scheduler_pb2_grpc.SchedulerStub(channel).StopJob(spb.StopRequest(job_id=job, status="canceled"),
                                                          timeout=RPC_TIMEOUT, metadata=((JOB_TOKEN, job_token(job)),))


def federation_stub(address: str, tls: TlsConfig | None = None,
                    server_party: str | None = None) -> tuple[grpc.Channel, TokenStub]:
    channel = open_channel(address, tls, server_party)
    return channel, TokenStub(channel)


def header(job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
           **fields: Any) -> fpb.TransferHeader:
    return fpb.TransferHeader(job_id=job, name=name, tag=tag, src=fpb.Party(role=src[0], party_id=src[1]),
                              dst=fpb.Party(role=dst[0], party_id=dst[1]), **fields)


def object_header(job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
                  data: bytes) -> fpb.TransferHeader:
    return header(job, name, tag, src, dst, kind=fpb.OBJECT, total_bytes=len(data))


def object_stream(job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
                  data: bytes) -> list[fpb.TransferChunk]:
    return list(object_chunks(object_header(job, name, tag, src, dst, data), data))


def table_chunk(partition: int, pairs: Sequence[tuple[bytes, bytes]]) -> fpb.TransferChunk:
    flat = [piece for pair in pairs for piece in pair]
    return fpb.TransferChunk(table_data=fpb.TableChunk(partition=partition, data=b"".join(flat),
                                                       sizes=[len(p) for p in flat]))


def partitioned(pairs: Iterable[tuple[bytes, bytes]], partitions: int) -> list[list[tuple[bytes, bytes]]]:
    """Encoded pairs grouped by partition (CRC-32 of the key) and sorted by key, as a push sends them."""
    buckets: list[list[tuple[bytes, bytes]]] = [[] for _ in range(partitions)]
    for key, value in pairs:
        buckets[crc32(key) % partitions].append((key, value))
    return [sorted(bucket) for bucket in buckets]


def table_stream(job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
                 pairs: Sequence[tuple[bytes, bytes]], partitions: int, total_rows: int | None = None,
                 rows_per_chunk: int = 100) -> list[fpb.TransferChunk]:
    """A hand-built table push: header, then each partition's sorted pairs in chunks."""
    head = header(job, name, tag, src, dst, kind=fpb.TABLE, partitions=partitions,
                  total_rows=len(pairs) if total_rows is None else total_rows)
    chunks = [fpb.TransferChunk(header=head)]
    for index, bucket in enumerate(partitioned(pairs, partitions)):
        for start in range(0, len(bucket), rows_per_chunk):
            chunks.append(table_chunk(index, bucket[start:start + rows_per_chunk]))
    return chunks


def part_stream(job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
                pairs: Sequence[tuple[bytes, bytes]], partitions: int, part: int, part_count: int,
                **overrides: Any) -> list[fpb.TransferChunk]:
    """A hand-built push of one part of a table sent in parts: header, then the sorted pairs of the partitions the
    part carries (`overrides` change the header's numbers)."""
    covered = part_partitions(part, part_count, partitions)
    buckets = partitioned(pairs, partitions)
    fields = dict(kind=fpb.TABLE, partitions=partitions, total_rows=len(pairs), part=part, part_count=part_count,
                  part_rows=sum(len(buckets[index]) for index in covered))
    fields.update(overrides)
    return [fpb.TransferChunk(header=header(job, name, tag, src, dst, **fields)),
            *(table_chunk(index, buckets[index]) for index in covered)]


@contextlib.contextmanager
def receiver_in_process(tmp_path: Path, roles: dict[str, Sequence[str]], variables: Sequence[TransferVariable],
                        job: str, spark_tables: Any = None, backend_of: Any = None) -> Iterator[Receiver]:
    """A Receiver of this test process for one registered job (its test token), with its node's transfer log in a
    fresh database; tables land in an LMDB store under tmp_path (or `spark_tables`, as `backend_of` says)."""
    from fate_runtime.state.db import Database
    from fate_runtime.state.transfer_log import TransferLog

    view = JobView({role: tuple(parties) for role, parties in roles.items()}, Declarations(variables),
                   job_token(job))
    yield Receiver(Store(str(tmp_path / "storage"), workers=1), TransferLog(Database(str(tmp_path / "db" / "f.db"))),
                   str(tmp_path / "objects"), lambda job_id: view if job_id == job else None, None, spark_tables,
                   backend_of)


@contextlib.contextmanager
def serving(receiver: Receiver, tls: TlsConfig | None = None) -> Iterator[str]:
    """The receiver's Federation and LocalFederation services on a free loopback port of this process (with `tls`,
    the node's certificate, under mutual TLS)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=server_options())
    servicer = FederationServicer(receiver)
    federation_pb2_grpc.add_FederationServicer_to_server(servicer, server)
    federation_pb2_grpc.add_LocalFederationServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0") if tls is None else server.add_secure_port(
        "127.0.0.1:0", tls.server_credentials())
    address = f"127.0.0.1:{port}"
    server.start()
    try:
        yield address
    finally:
        server.stop(0).wait()


def await_request(job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
                  timeout: float = 10.0) -> fpb.AwaitRequest:
    return fpb.AwaitRequest(job_id=job, name=name, tag=tag, src=fpb.Party(role=src[0], party_id=src[1]),
                            dst=fpb.Party(role=dst[0], party_id=dst[1]), timeout_seconds=timeout)


def await_reply(local_target: str, job: str, name: str, tag: str, src: tuple[str, str], dst: tuple[str, str],
                timeout: float = 10.0) -> fpb.AwaitReply:
    with open_channel(local_target) as channel:
        return federation_pb2_grpc.LocalFederationStub(channel).Await(
            await_request(job, name, tag, src, dst, timeout), timeout=timeout + 30)


def read_object_stream(local_target: str, job: str, name: str, tag: str, src: tuple[str, str],
                       dst: tuple[str, str]) -> Iterator[fpb.TransferChunk]:
    """The chunks of LocalFederation.ReadObject for one received object (read while they come)."""
    with open_channel(local_target) as channel:
        yield from federation_pb2_grpc.LocalFederationStub(channel).ReadObject(
            await_request(job, name, tag, src, dst), timeout=RPC_TIMEOUT)


# ---- what a node has stored ---------------------------------------------------------


def received_tables(node: NodeProcess, job: str) -> list[str]:
    return [meta.name for meta in Store(str(node.storage_dir)).list_tables(f"federation.{job}")]


def object_files(node: NodeProcess) -> set[str]:
    """The files of received objects (job dir/file name) a node holds."""
    directory = node.data_dir / "federation" / "objects"
    return {str(path.relative_to(directory)) for path in directory.glob("*/*")} if directory.exists() else set()


def node_db_rows(node: NodeProcess, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of the node's own database (read beside the running node, as an operator would)."""
    with sqlite3.connect(f"file:{node.data_dir / 'fate_flow.db'}?mode=ro", uri=True) as db:
        return db.execute(sql, params).fetchall()


def staging_entries(node: NodeProcess) -> list[str]:
    directory = node.storage_dir / "staging"
    return sorted(os.listdir(directory)) if directory.exists() else []


def wait_for(condition: Any, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll until `condition()` is true (bounded: a node finishing work after the client saw the error)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.05)


# ---- tables -------------------------------------------------------------------------


def make_table(store: Store, namespace: str, name: str, partitions: int, keys: Sequence[Any],
               values: Sequence[Any]) -> Table:
    table = store.create_table(namespace, name, partitions)
    if keys:
        table.put_batch(list(keys), list(values))
    return table


def table_digest(table: Table) -> tuple[int, str]:
    """(row count, sha256 over the encoded pairs in partition and key order)."""
    digest = hashlib.sha256()
    rows = 0
    for index in range(table.partitions):
        digest.update(f"|partition {index}|".encode())
        for batch in table.encoded_batches(index):
            for key, value in batch:
                digest.update(len(key).to_bytes(4, "big") + key + len(value).to_bytes(4, "big") + value)
                rows += 1
    return rows, digest.hexdigest()


# ---- certificates -------------------------------------------------------------------


class CertificateAuthority:
    """A CA that signs node certificates (CN = party id, DNS SAN party-<id>) into a directory."""

    def __init__(self, directory: Path, name: str) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._x509, self._hashes, self._serialization, self._ec, self._oid = x509, hashes, serialization, ec, NameOID
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} test CA")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self._cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                      .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
                      .not_valid_before(now - datetime.timedelta(days=1))
                      .not_valid_after(now + datetime.timedelta(days=7))
                      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                      .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                   key_encipherment=False, data_encipherment=False,
                                                   key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                   encipher_only=False, decipher_only=False), critical=True)
                      .sign(self._key, hashes.SHA256()))
        self.ca_path = self.directory / f"{name}_ca.pem"
        self.ca_path.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, party: str, label: str | None = None) -> TlsConfig:
        """A certificate for `party` signed by this CA, trusting this CA."""
        x509, serialization = self._x509, self._serialization
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(self._oid.COMMON_NAME, party)]))
                .issuer_name(self._cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=7))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"party-{party}")]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self._key, self._hashes.SHA256()))
        stem = self.directory / f"{self.name}_{label or party}"
        cert_path, key_path = Path(f"{stem}.crt"), Path(f"{stem}.key")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return TlsConfig(str(cert_path), str(key_path), str(self.ca_path))


def sample_objects() -> list[Any]:
    """Values that must cross exactly: scalars, strings, None, arrays, big integers, nested containers."""
    import gmpy2

    big = (1 << 2047) + 12345678901234567890
    return [
        0, 1, -1, 2**63 - 1, -(2**63), 2**64, True, False, None, 3.5, -0.0, float("inf"), float("nan"),
        "", "text", "ünïcødé ✓", b"", b"\x00\xffbytes",
        np.arange(12, dtype=np.int64).reshape(3, 4),
        np.linspace(-1, 1, 7, dtype=np.float32),
        np.array([[1.5, np.nan], [np.inf, -0.0]], dtype=np.float64),
        np.zeros((0, 3), dtype=np.int16),
        np.array(True), np.array([1 + 2j, 3 - 4j], dtype=np.complex128),
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4)[:, ::2],  # not contiguous
        np.float32(1.25), np.int8(-5), np.uint64(2**64 - 1),
        [big, -big, big * big, 0, 1],
        [gmpy2.mpz(big), gmpy2.mpz(-big), gmpy2.mpz(0)],
        {"a": 1, "b": [1, 2, (3, 4)], "c": {"d": None, "e": (big, "x", (np.int32(7),))}, 5: "int key",
         (1, 2): "tuple key"},
        (1, "two", 3.0, None, (4, (5, [6, {"seven": 7}]))),
        {1, 2, 3}, [[], {}, ()],
    ]


def wait_reachable(address: str, tls: TlsConfig | None = None, server_party: str | None = None,
                   timeout: float = 60.0) -> None:
    """Until a channel to `address` built like the clients' (same options, so the same gRPC subchannel)
    is connected: after a node restarts, gRPC's reconnect backoff may still hold connections back."""
    channel = open_channel(address, tls, server_party)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    finally:
        channel.close()


class FlakyProxy:
    """A TCP proxy on a free loopback port to `target`: it drops the first `drop_first` connections
    at once (a peer that is down, or restarting) and forwards every later one; `cut` breaks the open
    connections and drops the next ones (a peer that restarts between two calls)."""

    def __init__(self, target: str, drop_first: int = 1) -> None:
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.drop_first = drop_first
        self.accepted = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="flaky-proxy", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            with self._lock:
                self.accepted += 1
                if self.accepted <= self.drop_first:
                    conn.close()
                    continue
                upstream = socket.create_connection(self.target)
                self._sockets += [conn, upstream]
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(1 << 16):
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _close_connections(self) -> None:
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
        self._sockets.clear()

    def cut(self, drop_next: int = 1) -> None:
        """Break every open connection and drop the next `drop_next` ones."""
        with self._lock:
            self.drop_first = self.accepted + drop_next
            self._close_connections()

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()
        with self._lock:
            self._close_connections()
