"""What components use: `remote` and `get` of named variables, bound to one job and one local party."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Any, Iterable, Sequence, cast

import grpc

from federation.channels import open_channel
from federation.errors import FederationError, JobEnded, TransferTimeout
from federation.routes import RouteTable
from federation.job_token import token_metadata
from federation.sender import RetryPolicy, push, retried
from federation.spark_push import PartPush, is_spark_table, push_parts
from federation.tls import TlsConfig
from federation.transfers import TransferKey
from federation.variables import Declarations
from federation.wire import object_chunks, read_object, table_chunks
from protos import federation_pb2 as pb
from protos import federation_pb2_grpc
from storage import Table, decode, encode
from storage.computing import ComputingBackend

log = logging.getLogger("fate_flow.federation")

DEFAULT_CHECK_EVERY = 30.0  # seconds a get waits between two questions to the sender's node
_AWAIT_MARGIN = 10.0


@dataclasses.dataclass(frozen=True)
class Party:
    role: str
    party_id: str


def _parties(parties: Iterable[Party | tuple[str, Any]]) -> list[Party]:
    return [p if isinstance(p, Party) else Party(str(p[0]), str(p[1])) for p in parties]


class FederationClient:
    """Sends and receives the variables of one job for one (role, party) of this node.

    Pushes go to each party's node (this node's own peer port for its own parties) with the job's
    token; waiting for what arrived asks this node over its local socket, `local_target`. A `get`
    waits as long as the job runs: every `check_every` seconds of waiting it asks the sending party's
    node whether it still runs the job, and stops (FederationError naming that party) when the node
    does not answer or the job has ended there. `get_timeout`, if given, bounds every `get` besides.
    Received tables are opened in `store`, the backend the task computes on (the node lands them there).
    """

    def __init__(self, job_id: str, role: str, party_id: str, routes: RouteTable, declarations: Declarations,
                 store: ComputingBackend, local_target: str, token: str, tls: TlsConfig | None = None,
                 retry: RetryPolicy | None = None, get_timeout: float | None = None,
                 check_every: float = DEFAULT_CHECK_EVERY) -> None:
        if not check_every > 0:
            raise ValueError(f"check_every must be a positive number of seconds, not {check_every!r}")
        self.job_id = job_id
        self._local_target = local_target
        self._token = token
        self.local = Party(role, str(party_id))
        self._routes = routes
        self._declarations = declarations
        self._store = store
        self._tls = tls
        self._retry = retry or RetryPolicy()
        self._get_timeout = get_timeout
        self._check_every = check_every
        self._channels: dict[tuple[str, str], grpc.Channel] = {}
        self._lock = threading.Lock()

    def _channel(self, party_id: str) -> tuple[grpc.Channel, str]:
        address = self._routes.address_of(party_id)
        with self._lock:
            channel = self._channels.get((address, party_id))
            if channel is None:
                channel = open_channel(address, self._tls, party_id)
                self._channels[(address, party_id)] = channel
        return channel, address

    def _local_channel(self) -> grpc.Channel:
        with self._lock:
            channel = self._channels.get((self._local_target, ""))
            if channel is None:
                channel = self._channels[(self._local_target, "")] = open_channel(self._local_target)
        return channel

    def close(self) -> None:
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()

    def _header(self, name: str, tag: str, dst: Party) -> pb.TransferHeader:
        return pb.TransferHeader(job_id=self.job_id, name=name, tag=tag,
                                 src=pb.Party(role=self.local.role, party_id=self.local.party_id),
                                 dst=pb.Party(role=dst.role, party_id=dst.party_id))

    def remote(self, obj: Any, name: str, tag: Any, parties: Sequence[Party | tuple[str, Any]]) -> None:
        """Send `obj` (a value, or a table sent partition by partition: an LMDB Table from here, a SparkTable
        from the executors that hold its partitions) to each of `parties`."""
        targets = _parties(parties)
        for party in targets:
            self._declarations.check(name, self.local.role, party.role)
        if is_spark_table(obj):
            self._remote_spark_table(obj, name, str(tag), targets)
            return
        data = None if isinstance(obj, Table) else encode(obj)
        rows = obj.count() if isinstance(obj, Table) else 0
        for party in targets:
            header = self._header(name, str(tag), party)
            if isinstance(obj, Table):
                header.kind, header.partitions, header.total_rows = pb.TABLE, obj.partitions, rows
                chunks = (lambda h=header: table_chunks(h, obj))
            else:
                assert data is not None
                header.kind, header.total_bytes = pb.OBJECT, len(data)
                chunks = (lambda h=header: object_chunks(h, data))
            channel, address = self._channel(party.party_id)
            push(channel, chunks, f"variable {name!r} (tag {tag!r}) of job {self.job_id}",
                 f"{party.role} {party.party_id} at {address}", self._retry, self._token)

    def _remote_spark_table(self, table: Any, name: str, tag: str, targets: list[Party]) -> None:
        rows = tuple(table.partition_counts())
        for party in targets:
            header = self._header(name, tag, party)
            header.kind, header.partitions, header.total_rows = pb.TABLE, table.partitions, sum(rows)
            address = self._routes.address_of(party.party_id)
            what = f"variable {name!r} (tag {tag!r}) of job {self.job_id}"
            peer = f"{party.role} {party.party_id} at {address}"
            started = time.monotonic()
            acks = push_parts(table.rdd, PartPush(header.SerializeToString(), rows, address, party.party_id, self._tls,
                                                  self._retry, self._token, what, peer))
            log.info("sent %s to %s: %d rows in %d parts from the executors in %.3f s", what, peer, sum(rows),
                     len(acks), time.monotonic() - started)

    def get(self, name: str, tag: Any, parties: Sequence[Party | tuple[str, Any]],
            timeout: float | None = None) -> list[Any]:
        """What each of `parties` sent as `name`/`tag`, waiting for it (at most `timeout` seconds if given, else
        the client's `get_timeout`); tables come back as Tables."""
        limit = self._get_timeout if timeout is None else timeout
        sources = _parties(parties)
        for party in sources:
            self._declarations.check(name, party.role, self.local.role)
        stub = federation_pb2_grpc.LocalFederationStub(self._local_channel())
        return [self._fetch(stub, TransferKey(self.job_id, name, str(tag), party.role, party.party_id,
                                              self.local.role, self.local.party_id), limit) for party in sources]

    def _fetch(self, stub: federation_pb2_grpc.LocalFederationStub, key: TransferKey, limit: float | None) -> Any:
        request = pb.AwaitRequest(job_id=key.job_id, name=key.name, tag=key.tag,
                                  src=pb.Party(role=key.src_role, party_id=key.src_party),
                                  dst=pb.Party(role=key.dst_role, party_id=key.dst_party))
        deadline = None if limit is None else time.monotonic() + limit
        while True:
            left = self._check_every if deadline is None else deadline - time.monotonic()
            request.timeout_seconds = max(0.0, min(self._check_every, left))
            try:
                reply = stub.Await(request, timeout=request.timeout_seconds + _AWAIT_MARGIN, wait_for_ready=True)
            except grpc.RpcError as exc:
                raise _local_error(exc, key) from None
            if reply.complete:
                return self._value(stub, request, reply, key)
            if deadline is not None and time.monotonic() >= deadline:
                raise TransferTimeout(f"timed out after {limit:g} s waiting for {key.describe()}")
            self._check_sender(key)

    def _value(self, stub: federation_pb2_grpc.LocalFederationStub, request: pb.AwaitRequest, reply: pb.AwaitReply,
               key: TransferKey) -> Any:
        if reply.kind == pb.TABLE:
            return self._store.table(reply.namespace, reply.table_name)
        if len(reply.object_data) == reply.total_bytes:
            return decode(reply.object_data)
        try:  # too large to come in the reply: streamed in chunks
            data = read_object(stub.ReadObject(request, wait_for_ready=True), key.describe())
        except grpc.RpcError as exc:
            raise _local_error(exc, key) from None
        return decode(cast(bytes, data))  # (msgpack reads any buffer: a large object is not copied once more)

    def _check_sender(self, key: TransferKey) -> None:
        """FederationError naming the sending party unless its node answers and still runs the job."""
        channel, address = self._channel(key.src_party)
        peer = f"{key.src_role} {key.src_party} at {address}"
        stopped = f"stopped waiting for {key.describe()}"
        stub = federation_pb2_grpc.FederationStub(channel)
        request = pb.JobStateRequest(job_id=self.job_id)
        state = retried(channel, lambda: stub.JobState(request, timeout=self._retry.connect_timeout,
                                                       metadata=token_metadata(self._token)),
                        self._retry, f"asking {peer} about job {self.job_id}", f"{stopped}: {peer} stopped answering",
                        f"{stopped}: {peer} refused to say whether it still runs the job")
        if not state.running:
            raise JobEnded(f"{stopped}: the job is no longer running on {peer}")


def _local_error(exc: grpc.RpcError, key: TransferKey) -> FederationError:
    """A failed call to this node's own federation service as the error a component sees."""
    code = exc.code()
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return JobEnded(exc.details() or f"job {key.job_id} has ended on this node")
    if code == grpc.StatusCode.NOT_FOUND:
        return FederationError(exc.details() or f"{key.describe()} has not been received")
    return FederationError(f"this node could not be asked for {key.describe()}: {code.name.lower()}")
