"""What components use: `remote` and `get` of named variables, bound to one job and one local party."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, Iterable, Sequence

import grpc

from federation.channels import open_channel
from federation.errors import FederationError, TransferRefused, TransferTimeout
from federation.routes import RouteTable
from federation.sender import RetryPolicy, push
from federation.tls import TlsConfig
from federation.variables import Declarations
from federation.wire import object_chunks, table_chunks
from protos import federation_pb2 as pb
from protos import federation_pb2_grpc
from storage import Store, Table, decode, encode

DEFAULT_GET_TIMEOUT = 600.0
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
    token; waiting for what arrived asks this node over its local socket, `local_target`.
    """

    def __init__(self, job_id: str, role: str, party_id: str, routes: RouteTable, declarations: Declarations,
                 store: Store, local_target: str, token: str, tls: TlsConfig | None = None,
                 retry: RetryPolicy | None = None, get_timeout: float = DEFAULT_GET_TIMEOUT) -> None:
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
        """Send `obj` (a value, or a storage Table sent partition by partition) to each of `parties`."""
        targets = _parties(parties)
        for party in targets:
            self._declarations.check(name, self.local.role, party.role)
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

    def get(self, name: str, tag: Any, parties: Sequence[Party | tuple[str, Any]],
            timeout: float | None = None) -> list[Any]:
        """What each of `parties` sent as `name`/`tag`, waiting for it; tables come back as Tables."""
        wait = self._get_timeout if timeout is None else timeout
        sources = _parties(parties)
        for party in sources:
            self._declarations.check(name, party.role, self.local.role)
        stub = federation_pb2_grpc.LocalFederationStub(self._local_channel())
        return [self._fetch(stub, name, str(tag), party, wait) for party in sources]

    def _fetch(self, stub: federation_pb2_grpc.LocalFederationStub, name: str, tag: str, src: Party,
               wait: float) -> Any:
        request = pb.AwaitRequest(job_id=self.job_id, name=name, tag=tag,
                                  src=pb.Party(role=src.role, party_id=src.party_id),
                                  dst=pb.Party(role=self.local.role, party_id=self.local.party_id),
                                  timeout_seconds=wait)
        try:
            reply = stub.Await(request, timeout=wait + _AWAIT_MARGIN, wait_for_ready=True)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise TransferTimeout(exc.details() or f"timed out waiting for variable {name!r}") from None
            if exc.code() == grpc.StatusCode.PERMISSION_DENIED:
                raise TransferRefused(exc.details()) from None
            raise FederationError(f"the local node could not be asked for variable {name!r}: "
                                  f"{exc.code().name.lower()}") from None
        if reply.kind == pb.TABLE:
            return self._store.table(reply.namespace, reply.table_name)
        with open(reply.object_path, "rb") as src_file:
            return decode(src_file.read())
