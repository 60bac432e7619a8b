"""Sending a Spark table: the executors push its partitions to the peer themselves, one part per partition.

The driver only counts the rows of each partition (one Spark job) and gathers the parts' acknowledgements;
no row passes through it. Each Spark task opens its own channel to the peer with what `PartPush` carries
(nothing in it came from a peer). A task that Spark runs again pushes its part again: the receiver
acknowledges it as a duplicate and stores nothing twice.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from typing import Any, Iterator

from federation.channels import open_channel
from federation.errors import FederationError, PeerUnreachable, TransferRefused
from federation.sender import RetryPolicy, push
from federation.tls import TlsConfig
from federation.wire import partition_chunks
from protos import federation_pb2 as pb

_ERRORS: dict[str, type[FederationError]] = {
    error.__name__: error for error in (FederationError, TransferRefused, PeerUnreachable)}


def is_spark_table(obj: Any) -> bool:
    """Whether `obj` is a storage.spark SparkTable (pyspark is not imported here for the question)."""
    module = sys.modules.get("storage.spark.table")
    return module is not None and isinstance(obj, module.SparkTable)


@dataclasses.dataclass(frozen=True)
class PartPush:
    """What each executor needs to push its part: the transfer's header (kind, partitions and total rows set), the
    rows of every partition, the peer's address and party, this node's TLS files, the retry policy, the job's
    token, and the words that name the transfer and the peer in messages."""

    header: bytes
    rows: tuple[int, ...]
    address: str
    server_party: str
    tls: TlsConfig | None
    retry: RetryPolicy
    token: str
    what: str
    peer: str


@dataclasses.dataclass(frozen=True)
class PartAck:
    part: int
    rows: int
    duplicate: bool
    pid: int  # the process that pushed the part


def push_parts(rdd: Any, plan: PartPush) -> list[PartAck]:
    """Push every partition of `rdd` (a SparkTable's: partition i holds its keys of partition i, in key order) as
    one part from the executor that holds it; the first failure as the FederationError the executor met."""
    results = rdd.mapPartitionsWithIndex(functools.partial(_push_part, plan)).collect()
    for _, _, _, _, error, message in sorted(results):
        if error:
            raise _ERRORS.get(error, FederationError)(message)
    return [PartAck(part, rows, duplicate, pid) for part, rows, duplicate, pid, _, _ in sorted(results)]


def _push_part(plan: PartPush, index: int,
               pairs: Iterator[tuple[bytes, bytes]]) -> Iterator[tuple[int, int, bool, int, str, str]]:
    """(Runs in an executor.) Push partition `index` as part `index`; one result row, its error if it failed."""
    header = pb.TransferHeader.FromString(plan.header)
    header.part, header.part_count, header.part_rows = index, len(plan.rows), plan.rows[index]
    rows = list(pairs)  # held while the part is pushed: a retry sends it again
    channel = open_channel(plan.address, plan.tls, plan.server_party)
    try:
        ack = push(channel, lambda: partition_chunks(header, index, rows),
                   f"part {index} of {len(plan.rows)} of {plan.what}", plan.peer, plan.retry, plan.token)
    except FederationError as exc:
        yield index, 0, False, os.getpid(), type(exc).__name__, str(exc)
        return
    finally:
        channel.close()
    yield index, ack.rows, ack.duplicate, os.getpid(), "", ""
