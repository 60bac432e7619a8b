"""What the receiver keeps of transfers, and what it needs from whoever keeps it (`TransferRecords`).

A transfer is identified by (job, variable name, tag, source role and party, destination role and
party). Its record appears only when the transfer is complete, so a half-received transfer is never
visible, and a second push of a complete one is recognised. When a job ends on a node its records
are forgotten and the job takes no more transfers there.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import ContextManager, Protocol

OBJECT = "object"
TABLE = "table"


@dataclasses.dataclass(frozen=True)
class TransferKey:
    job_id: str
    name: str
    tag: str
    src_role: str
    src_party: str
    dst_role: str
    dst_party: str

    def describe(self) -> str:
        return (f"variable {self.name!r} (tag {self.tag!r}) from {self.src_role} {self.src_party} "
                f"to {self.dst_role} {self.dst_party} in job {self.job_id}")

    def digest(self) -> str:
        """A name for the transfer made of hex digits only."""
        return hashlib.sha256(repr(dataclasses.astuple(self)).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class PartKey(TransferKey):
    """One part of a table transfer that comes in parts (for `TransferRecords.receiving`)."""

    part: int = 0


@dataclasses.dataclass(frozen=True)
class Received:
    """Where a complete transfer is: an object file (kind OBJECT), or a table (kind TABLE)."""

    kind: str
    object_path: str
    namespace: str
    table_name: str
    bytes: int
    rows: int


class TransferRecords(Protocol):
    """The records of complete transfers, kept across restarts; safe to use from many threads."""

    def find(self, key: TransferKey) -> Received | None:
        """The complete transfer, or None."""

    def complete(self, key: TransferKey, received: Received) -> bool:
        """Record a transfer as complete and wake its waiters; False (nothing recorded) if its job has ended."""

    def wait(self, key: TransferKey, timeout: float) -> Received | None:
        """The transfer once complete; None if it is not within `timeout` seconds or its job ends first."""

    def receiving(self, key: TransferKey) -> ContextManager[None]:
        """Held while one push of `key` is received: a second push of it waits for the first."""

    def ended(self, job_id: str) -> bool:
        """Whether the job has ended here (it takes no more transfers)."""

    def forget_job(self, job_id: str) -> None:
        """The job has ended here: forget its transfers, take no more, and wake its waiters."""
