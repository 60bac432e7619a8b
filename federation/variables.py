"""Transfer-variable declarations: which role may send which variable to which roles."""

from __future__ import annotations

import dataclasses
from typing import Iterable

from federation.errors import TransferRefused


@dataclasses.dataclass(frozen=True)
class TransferVariable:
    """A variable `name` that `src` sends to any of `dst`."""

    name: str
    src: str
    dst: tuple[str, ...]


class Declarations:
    """The variables of one job (the union of its algorithms' declarations)."""

    def __init__(self, variables: Iterable[TransferVariable]) -> None:
        self._by_name: dict[str, list[TransferVariable]] = {}
        for variable in variables:
            self._by_name.setdefault(variable.name, []).append(variable)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (v for group in self._by_name.values() for v in group)

    def check(self, name: str, src_role: str, dst_role: str) -> None:
        """Refuse a transfer of `name` from `src_role` to `dst_role` that no declaration allows."""
        declared = self._by_name.get(name)
        if not declared:
            raise TransferRefused(f"variable {name!r} is not declared for this job")
        if not any(v.src == src_role and dst_role in v.dst for v in declared):
            raise TransferRefused(f"variable {name!r} may not be sent from {src_role} to {dst_role}")
