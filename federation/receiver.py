"""The receiving side of a push: who may send what, and storing it so it appears only when whole."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import os
import time
from typing import Callable, Iterator

from federation.errors import TransferRefused, TransferTimeout
from federation.transfers import Received, TransferKey, TransferLog
from federation.variables import Declarations
from federation.wire import chunk_pairs
from protos import federation_pb2 as pb
from storage import InvalidTableArgument, Store, Table, check_partitions

log = logging.getLogger("fate_flow.federation")

OBJECT = "object"
TABLE = "table"


@dataclasses.dataclass(frozen=True)
class JobView:
    """What the receiver needs to know of a job: its parties by role and its variables."""

    roles: dict[str, tuple[str, ...]]
    declarations: Declarations
    token: str


JobLookup = Callable[[str], "JobView | None"]


@dataclasses.dataclass(frozen=True)
class Ack:
    bytes: int
    rows: int
    duplicate: bool


def transfer_key(job_id: str, name: str, tag: str, src: pb.Party, dst: pb.Party) -> TransferKey:
    return TransferKey(job_id, name, tag, src.role, src.party_id, dst.role, dst.party_id)


_MAX_NAME = 200


def table_location(key: TransferKey) -> tuple[str, str]:
    """The (namespace, name) a received table is stored as (long ones end in a digest)."""
    namespace = f"federation.{key.job_id}"
    name = f"{key.name}.{key.tag}.{key.src_role}.{key.src_party}.{key.dst_role}.{key.dst_party}"
    digest = hashlib.sha256(repr(dataclasses.astuple(key)).encode()).hexdigest()
    if len(namespace) > _MAX_NAME:
        namespace = f"federation.{digest}"
    if len(name) > _MAX_NAME:
        name = f"{name[:100]}.{digest}"
    return namespace, name


class Receiver:
    """Accepts pushes for the parties this node serves (every party when `local_parties` is None)."""

    def __init__(self, store: Store, transfers: TransferLog, objects_dir: str, jobs: JobLookup,
                 local_parties: frozenset[str] | None) -> None:
        self._store = store
        self._transfers = transfers
        self._objects_dir = objects_dir
        self._jobs = jobs
        self._local_parties = local_parties
        os.makedirs(objects_dir, exist_ok=True)
        for leftover in (f for f in os.listdir(objects_dir) if f.endswith(".part")):
            os.unlink(os.path.join(objects_dir, leftover))  # a push cut off when this node stopped

    def _serves(self, party_id: str) -> bool:
        return self._local_parties is None or party_id in self._local_parties

    def _authorize(self, header: pb.TransferHeader, peer_party: str | None, token: str) -> None:
        for field in ("job_id", "name"):
            if not getattr(header, field):
                raise TransferRefused(f"a push header must name its {field}")
        job = self._jobs(header.job_id)
        if job is None:
            raise TransferRefused(f"job {header.job_id} is not known to this node")
        if not hmac.compare_digest(token.encode(), job.token.encode()):
            raise TransferRefused(f"the push does not carry the token of job {header.job_id}")
        src, dst = header.src, header.dst
        if src.party_id not in job.roles.get(src.role, ()):
            raise TransferRefused(f"party {src.party_id} is not a {src.role} of job {header.job_id}")
        if dst.party_id not in job.roles.get(dst.role, ()) or not self._serves(dst.party_id):
            raise TransferRefused(f"this node does not serve {dst.role} {dst.party_id} of job {header.job_id}")
        if peer_party is not None and peer_party != src.party_id:
            raise TransferRefused(f"the sender's certificate is for party {peer_party}, "
                                  f"not for the source party {src.party_id} it claims")
        job.declarations.check(header.name, src.role, dst.role)

    def receive(self, chunks: Iterator[pb.TransferChunk], peer_party: str | None, token: str) -> Ack:
        """Store one pushed transfer (or recognise it as received before) if it carries its job's token."""
        first = next(chunks, None)
        if first is None or first.WhichOneof("part") != "header":
            raise TransferRefused("a push must start with its header")
        header = first.header
        self._authorize(header, peer_party, token)
        key = transfer_key(header.job_id, header.name, header.tag, header.src, header.dst)
        started = time.monotonic()
        with self._transfers.receiving(key):
            known = self._transfers.find(key)
            if known is not None:
                log.info("push of %s again: already received, nothing stored", key.describe())
                return Ack(known.bytes, known.rows, True)
            if header.kind == pb.OBJECT:
                received = self._receive_object(key, header, chunks)
            elif header.kind == pb.TABLE:
                received = self._receive_table(key, header, chunks)
            else:
                raise TransferRefused("a push header must say whether it carries an object or a table")
            self._transfers.complete(key, received)
        log.info("received %s: %s, %d bytes, %d rows in %.3f s", key.describe(), received.kind,
                 received.bytes, received.rows, time.monotonic() - started)
        return Ack(received.bytes, received.rows, False)

    def _object_path(self, key: TransferKey) -> str:
        digest = hashlib.sha256(repr(dataclasses.astuple(key)).encode()).hexdigest()
        return os.path.join(self._objects_dir, f"{digest}.obj")

    def _receive_object(self, key: TransferKey, header: pb.TransferHeader,
                        chunks: Iterator[pb.TransferChunk]) -> Received:
        path = self._object_path(key)
        partial = path + ".part"
        size = 0
        try:
            with open(partial, "wb") as out:
                for chunk in chunks:
                    if chunk.WhichOneof("part") != "object_data":
                        raise TransferRefused("an object push may carry only object data after its header")
                    size += len(chunk.object_data)
                    if size > header.total_bytes:
                        raise TransferRefused(f"{key.describe()} is larger than its header says")
                    out.write(chunk.object_data)
            if size != header.total_bytes:
                raise TransferRefused(f"{key.describe()} ended after {size} of {header.total_bytes} bytes")
            os.replace(partial, path)
        except BaseException:
            if os.path.exists(partial):
                os.unlink(partial)
            raise
        return Received(OBJECT, path, "", "", size, 0)

    def _receive_table(self, key: TransferKey, header: pb.TransferHeader,
                       chunks: Iterator[pb.TransferChunk]) -> Received:
        try:
            partitions = check_partitions(header.partitions)
        except InvalidTableArgument as exc:
            raise TransferRefused(f"a table push has {exc}") from None
        staged = self._store.staging(partitions)
        try:
            rows, size = self._fill(staged, header, chunks)
            if rows != header.total_rows:
                raise TransferRefused(f"{key.describe()} ended after {rows} of {header.total_rows} rows")
            namespace, name = table_location(key)
            self._store.publish(staged, namespace, name, replace=True)
        except BaseException:
            self._store.discard(staged)
            raise
        return Received(TABLE, "", namespace, name, size, rows)

    @staticmethod
    def _fill(staged: Table, header: pb.TransferHeader, chunks: Iterator[pb.TransferChunk]) -> tuple[int, int]:
        rows = size = 0
        last_keys: dict[int, bytes] = {}
        for chunk in chunks:
            if chunk.WhichOneof("part") != "table_data":
                raise TransferRefused("a table push may carry only table data after its header")
            table_chunk = chunk.table_data
            pairs = chunk_pairs(table_chunk, staged.partitions)
            if not pairs:
                continue
            previous = last_keys.get(table_chunk.partition)
            if previous is not None and pairs[0][0] <= previous:
                raise TransferRefused("a table push sent a partition's keys out of order")
            last_keys[table_chunk.partition] = pairs[-1][0]
            rows += staged.append_sorted(table_chunk.partition, pairs)
            size += len(table_chunk.data)
            if rows > header.total_rows:
                raise TransferRefused("a table push carries more rows than its header says")
        return rows, size

    def wait(self, key: TransferKey, timeout: float) -> Received:
        """The complete transfer; TransferTimeout naming it after `timeout` seconds."""
        found = self._transfers.wait(key, timeout)
        if found is None:
            raise TransferTimeout(f"timed out after {timeout:g} s waiting for {key.describe()}")
        return found
