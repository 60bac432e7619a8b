"""The receiving side of federation: who may send what, storing it so it appears only when whole,
handing it to the node's tasks, and removing it when its job ends."""

from __future__ import annotations

import dataclasses
import hmac
import logging
import os
import shutil
import time
from typing import BinaryIO, Callable, Iterator

from federation.errors import FederationError, JobEnded, TransferRefused
from federation.landing import LMDB_TABLES, SPARK_TABLES, BackendOf, DirectoryLanding, Landing, StagedTable, StoreLanding
from federation.table_parts import Part, check_fits, checked_part, parts_namespace, received_parts
from federation.transfers import OBJECT, TABLE, PartKey, Received, TransferKey, TransferRecords
from federation.variables import Declarations
from federation.wire import chunk_pairs, object_pieces
from protos import federation_pb2 as pb
from storage import InvalidTableArgument, Store, check_partitions
from storage.spark.directory import SparkDirectory

log = logging.getLogger("fate_flow.federation")


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


def received_namespace(job_id: str) -> str:
    """The namespace of the tables a job has received."""
    return f"federation.{job_id}"


def table_location(key: TransferKey) -> tuple[str, str]:
    """The (namespace, name) a received table is stored as (a long name ends in a digest)."""
    name = f"{key.name}.{key.tag}.{key.src_role}.{key.src_party}.{key.dst_role}.{key.dst_party}"
    if len(name) > _MAX_NAME:
        name = f"{name[:100]}.{key.digest()}"
    return received_namespace(key.job_id), name


class Receiver:
    """Accepts pushes for the parties this node serves (every party when `local_parties` is None).

    Received objects are files under `objects_dir/<job id>/`, received tables live in the namespace
    `federation.<job id>` of the backend `backend_of(job id, destination role, destination party)` names: the
    LMDB `store` (also when `backend_of` is not given) or the Spark directory `spark_tables`. All of it goes
    when the job ends here (`forget_job`).
    """

    def __init__(self, store: Store, transfers: TransferRecords, objects_dir: str, jobs: JobLookup,
                 local_parties: frozenset[str] | None, spark_tables: SparkDirectory | None = None,
                 backend_of: BackendOf | None = None) -> None:
        self._landings: dict[str, Landing] = {LMDB_TABLES: StoreLanding(store)}
        if spark_tables is not None:
            self._landings[SPARK_TABLES] = DirectoryLanding(spark_tables)
        self._backend_of = backend_of
        self._transfers = transfers
        self._objects_dir = objects_dir
        self._jobs = jobs
        self._local_parties = local_parties
        os.makedirs(objects_dir, exist_ok=True)
        for directory, _, files in os.walk(objects_dir):
            # a push cut off when this node stopped; or an object stored before objects went in per-job folders
            legacy = directory == objects_dir
            for leftover in (f for f in files if f.endswith(".part") or legacy and f.endswith(".obj")):
                os.unlink(os.path.join(directory, leftover))
        for name in ("transfers.db", "transfers.db-wal", "transfers.db-shm"):  # the log before it moved (state)
            legacy_log = os.path.join(os.path.dirname(objects_dir), name)
            if os.path.exists(legacy_log):
                os.unlink(legacy_log)

    def _serves(self, party_id: str) -> bool:
        return self._local_parties is None or party_id in self._local_parties

    def _job(self, job_id: str, token: str, call: str) -> JobView:
        """The job, if it is known here and `call` (a push or a question) carries its token."""
        job = self._jobs(job_id)
        if job is None:
            raise TransferRefused(f"job {job_id} is not known to this node")
        if not hmac.compare_digest(token.encode(), job.token.encode()):
            raise TransferRefused(f"the {call} does not carry the token of job {job_id}")
        return job

    def _authorize(self, header: pb.TransferHeader, peer_party: str | None, token: str) -> None:
        for field in ("job_id", "name"):
            if not getattr(header, field):
                raise TransferRefused(f"a push header must name its {field}")
        job = self._job(header.job_id, token, "push")
        if self._transfers.ended(header.job_id):
            raise TransferRefused(_ended(header.job_id))
        src, dst = header.src, header.dst
        if src.party_id not in job.roles.get(src.role, ()):
            raise TransferRefused(f"party {src.party_id} is not a {src.role} of job {header.job_id}")
        if dst.party_id not in job.roles.get(dst.role, ()) or not self._serves(dst.party_id):
            raise TransferRefused(f"this node does not serve {dst.role} {dst.party_id} of job {header.job_id}")
        if peer_party is not None and peer_party != src.party_id:
            raise TransferRefused(f"the sender's certificate is for party {peer_party}, "
                                  f"not for the source party {src.party_id} it claims")
        job.declarations.check(header.name, src.role, dst.role)

    def running(self, job_id: str, peer_party: str | None, token: str) -> bool:
        """Whether the job still runs here, told only to a caller with the job's token (and under TLS, to a party
        of the job)."""
        job = self._job(job_id, token, "question")
        if peer_party is not None and not any(peer_party in parties for parties in job.roles.values()):
            raise TransferRefused(f"party {peer_party} is not a party of job {job_id}")
        return not self._transfers.ended(job_id)

    def receive(self, chunks: Iterator[pb.TransferChunk], peer_party: str | None, token: str) -> Ack:
        """Store one pushed transfer, or one part of a table sent in parts (or recognise it as received before),
        if it carries its job's token."""
        first = next(chunks, None)
        if first is None or first.WhichOneof("part") != "header":
            raise TransferRefused("a push must start with its header")
        header = first.header
        self._authorize(header, peer_party, token)
        key = transfer_key(header.job_id, header.name, header.tag, header.src, header.dst)
        if header.kind == pb.TABLE and header.part_count:
            return self._receive_part(key, checked_part(header), chunks)
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
            self._complete(key, received)
        log.info("received %s: %s, %d bytes, %d rows in %.3f s", key.describe(), received.kind,
                 received.bytes, received.rows, time.monotonic() - started)
        return Ack(received.bytes, received.rows, False)

    def _complete(self, key: TransferKey, received: Received) -> None:
        if not self._transfers.complete(key, received):  # the job ended while this push was received
            self._remove_data(key.job_id)
            raise TransferRefused(_ended(key.job_id))

    def _landing(self, key: TransferKey) -> Landing:
        """Where the tables `key`'s destination receives land."""
        backend = LMDB_TABLES if self._backend_of is None else self._backend_of(key.job_id, key.dst_role,
                                                                               key.dst_party)
        landing = self._landings.get(backend)
        if landing is None:
            raise TransferRefused(f"{key.dst_role} {key.dst_party} of job {key.job_id} computes on {backend}, "
                                  f"whose tables this node does not keep")
        return landing

    def _object_path(self, key: TransferKey) -> str:
        return os.path.join(self._objects_dir, key.job_id, f"{key.digest()}.obj")

    def _receive_object(self, key: TransferKey, header: pb.TransferHeader,
                        chunks: Iterator[pb.TransferChunk]) -> Received:
        path = self._object_path(key)
        partial = path + ".part"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(partial, "wb") as out:
                for piece in object_pieces(chunks, header.total_bytes, key.describe()):
                    out.write(piece)
            os.replace(partial, path)
        except BaseException:
            if os.path.exists(partial):
                os.unlink(partial)
            raise
        return Received(OBJECT, path, "", "", header.total_bytes, 0)

    def _receive_table(self, key: TransferKey, header: pb.TransferHeader,
                       chunks: Iterator[pb.TransferChunk]) -> Received:
        try:
            partitions = check_partitions(header.partitions)
        except InvalidTableArgument as exc:
            raise TransferRefused(f"a table push has {exc}") from None
        staged = self._landing(key).staging(partitions)
        try:
            rows, size = _fill(staged, chunks, partitions, range(partitions), header.total_rows,
                               "a table push")
            if rows != header.total_rows:
                raise TransferRefused(f"{key.describe()} ended after {rows} of {header.total_rows} rows")
            namespace, name = table_location(key)
            staged.publish(namespace, name, {})
        except BaseException:
            staged.discard()
            raise
        return Received(TABLE, "", namespace, name, size, rows)

    def _receive_part(self, key: TransferKey, part: Part, chunks: Iterator[pb.TransferChunk]) -> Ack:
        """Keep one part of a table sent in parts; the transfer is complete once every part has come."""
        landing = self._landing(key)
        what = f"part {part.index} of {key.describe()}"
        with self._transfers.receiving(PartKey(**dataclasses.asdict(key), part=part.index)):
            with self._transfers.receiving(key):
                complete = self._transfers.find(key)
                others = {} if complete else received_parts(landing, key)
                known = complete or others.get(part.index)
                if known is None:
                    check_fits(part, others, key)
            if known is not None:
                log.info("push of %s again: already received, nothing stored", what)
                return Ack(known.bytes, known.rows, True)
            staged = landing.staging(len(part.covers))
            try:
                rows, size = _fill(staged, chunks, part.partitions, part.covers, part.rows, "a table part")
                if rows != part.rows:
                    raise TransferRefused(f"{what} ended after {rows} of {part.rows} rows")
                part = dataclasses.replace(part, bytes=size)
                with self._transfers.receiving(key):
                    others = received_parts(landing, key)
                    check_fits(part, others, key)
                    staged.publish(parts_namespace(key.job_id), part.table_name(key), part.schema())
            except BaseException:
                staged.discard()
                raise
            if len(others) + 1 == part.count:
                self._assemble(landing, key, [*others.values(), part])
        log.info("received %s: %d bytes, %d rows", what, part.bytes, part.rows)
        return Ack(part.bytes, part.rows, False)

    def _assemble(self, landing: Landing, key: TransferKey, parts: list[Part]) -> None:
        """The table of every part of `key`, published and recorded complete; its parts go. If that fails, the
        last part goes too, so that pushing it again completes the transfer."""
        namespace = parts_namespace(key.job_id)
        try:
            staged = landing.gather(parts[0].partitions, [(namespace, p.table_name(key), p.covers) for p in parts])
            try:
                table_namespace, name = table_location(key)
                staged.publish(table_namespace, name, {})
                self._complete(key, Received(TABLE, "", table_namespace, name, sum(p.bytes for p in parts),
                                             parts[0].total_rows))
            except BaseException:
                staged.discard()
                raise
        except BaseException:
            landing.destroy(namespace, parts[-1].table_name(key))
            raise
        for part in parts:
            landing.destroy(namespace, part.table_name(key))
        log.info("received %s: a table in %d parts", key.describe(), len(parts))

    def wait(self, key: TransferKey, timeout: float) -> Received | None:
        """The complete transfer; None if it is not complete within `timeout` seconds; JobEnded if its job has
        ended here."""
        found = self._transfers.wait(key, timeout)
        if found is None and self._transfers.ended(key.job_id):
            raise JobEnded(_ended(key.job_id))
        return found

    def open_object(self, key: TransferKey) -> BinaryIO:
        """The file of a complete object transfer, open for reading; JobEnded if its job has ended here."""
        found = self._transfers.find(key)
        try:
            if found is not None and found.kind == OBJECT:
                return open(found.object_path, "rb")
        except FileNotFoundError:
            pass  # removed since: its job has just ended
        if self._transfers.ended(key.job_id):
            raise JobEnded(_ended(key.job_id))
        raise FederationError(f"{key.describe()} has not been received as an object")

    def forget_job(self, job_id: str) -> list[tuple[str, str]]:
        """The job has ended here: remove what it received (returns the tables removed) and take no more of it."""
        self._transfers.forget_job(job_id)
        return self._remove_data(job_id)

    def _remove_data(self, job_id: str) -> list[tuple[str, str]]:
        tables = []
        for landing in self._landings.values():
            for namespace in (received_namespace(job_id), parts_namespace(job_id)):
                tables += [(meta.namespace, meta.name) for meta in landing.tables(namespace)]
                landing.destroy_namespace(namespace)
        shutil.rmtree(os.path.join(self._objects_dir, job_id), ignore_errors=True)
        return [table for table in tables if table[0] == received_namespace(job_id)]


def _fill(staged: StagedTable, chunks: Iterator[pb.TransferChunk], partitions: int, covers: range, expected: int,
          what: str) -> tuple[int, int]:
    """Write a table push's chunks into `staged` (its partition i being partition covers[i] of a table of
    `partitions`); TransferRefused if a chunk is malformed or out of place, or more than `expected` rows come.
    Returns the rows and bytes written."""
    rows = size = 0
    last_keys: dict[int, bytes] = {}
    for chunk in chunks:
        if chunk.WhichOneof("part") != "table_data":
            raise TransferRefused(f"{what} may carry only table data after its header")
        table_chunk = chunk.table_data
        pairs = chunk_pairs(table_chunk, partitions)
        if table_chunk.partition not in covers:
            raise TransferRefused(f"{what} carries partition {table_chunk.partition}, not one of its partitions "
                                  f"{covers.start} to {covers.stop - 1}")
        if not pairs:
            continue
        previous = last_keys.get(table_chunk.partition)
        if previous is not None and pairs[0][0] <= previous:
            raise TransferRefused(f"{what} sent a partition's keys out of order")
        last_keys[table_chunk.partition] = pairs[-1][0]
        rows += staged.append_sorted(table_chunk.partition - covers.start, pairs)
        size += len(table_chunk.data)
        if rows > expected:
            raise TransferRefused(f"{what} carries more rows than its header says")
    return rows, size


def _ended(job_id: str) -> str:
    return f"job {job_id} has ended on this node"
