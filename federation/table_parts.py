"""Tables sent in parts: what a part's header must say, and the parts a receiver keeps until all have come.

Part `index` of `count` carries the partitions from index * partitions // count up to (index + 1) *
partitions // count. A received part is kept as a table of its own (one partition per partition it
carries) in the namespace `federation.<job id>.parts`, named after its transfer and index, its
header's numbers in the table's schema: so a part pushed again is recognised, also after a restart.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from federation.errors import TransferRefused
from federation.landing import Landing
from federation.transfers import TransferKey
from protos import federation_pb2 as pb
from storage import InvalidTableArgument, check_partitions


def part_partitions(index: int, count: int, partitions: int) -> range:
    """The partitions part `index` of `count` carries."""
    return range(index * partitions // count, (index + 1) * partitions // count)


@dataclasses.dataclass(frozen=True)
class Part:
    """What one part says of itself and of its table."""

    index: int
    count: int
    partitions: int
    rows: int
    total_rows: int
    bytes: int = 0

    @property
    def covers(self) -> range:
        return part_partitions(self.index, self.count, self.partitions)

    def layout(self) -> str:
        """The table as this part describes it (every part of a transfer must describe it alike)."""
        return f"{self.partitions} partitions in {self.count} parts, {self.total_rows} rows"

    def table_name(self, key: TransferKey) -> str:
        return f"{key.digest()}.{self.index}"

    def schema(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parts_namespace(job_id: str) -> str:
    """The namespace of the parts a job has received of tables not yet complete."""
    return f"federation.{job_id}.parts"


def checked_part(header: pb.TransferHeader) -> Part:
    """The part a table push's header announces; TransferRefused (one sentence) if the numbers do not fit."""
    try:
        partitions = check_partitions(header.partitions)
    except InvalidTableArgument as exc:
        raise TransferRefused(f"a table push has {exc}") from None
    if not 1 <= header.part_count <= partitions:
        raise TransferRefused(f"a table in {header.part_count} parts must have between 1 and {partitions} "
                              f"parts, one for each partition at most")
    if not 0 <= header.part < header.part_count:
        raise TransferRefused(f"a table push names part {header.part} of a table in {header.part_count} parts")
    if not 0 <= header.part_rows <= header.total_rows:
        raise TransferRefused(f"a table part says it holds {header.part_rows} of its table's "
                              f"{header.total_rows} rows")
    return Part(header.part, header.part_count, partitions, header.part_rows, header.total_rows)


def received_parts(landing: Landing, key: TransferKey) -> dict[int, Part]:
    """The parts of `key` received so far, by index."""
    prefix = f"{key.digest()}."
    found = {}
    for meta in landing.tables(parts_namespace(key.job_id)):
        if meta.name.startswith(prefix):
            part = Part(**meta.schema)
            found[part.index] = part
    return found


def check_fits(part: Part, others: dict[int, Part], key: TransferKey) -> None:
    """TransferRefused unless `part` describes its table as the parts received before do, and the rows of all
    of them can still add up to the table's."""
    for other in others.values():
        if other.layout() != part.layout():
            raise TransferRefused(f"part {part.index} of {key.describe()} says the table has {part.layout()}, "
                                  f"but its part {other.index} said {other.layout()}")
    together = {**others, part.index: part}
    rows = sum(p.rows for p in together.values())
    if rows > part.total_rows or len(together) == part.count and rows != part.total_rows:
        raise TransferRefused(f"the parts of {key.describe()} hold {rows} rows, not the table's {part.total_rows}")
