"""One filter's view of the columns (FATE's SelectionProperties): which are left before it, which it judges, which
of those it keeps, and the value it judged each by."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class FilterRound:
    """Columns as header positions. A filter judges only columns every earlier filter judged and kept; the others
    stay as they are."""

    header: list[str]
    before: list[int]
    judged: list[int]
    kept: list[int] = dataclasses.field(default_factory=list)
    values: dict[str, float] = dataclasses.field(default_factory=dict)

    @classmethod
    def first(cls, header: list[str], judged: list[int]) -> "FilterRound":
        """The first filter's round: every column is left, `judged` are judged."""
        return cls(list(header), list(range(len(header))), sorted(judged))

    def keep(self, position: int) -> None:
        if position not in self.kept:
            self.kept.append(position)

    def judged_names(self) -> list[str]:
        return [self.header[position] for position in self.judged]

    def after(self) -> list[int]:
        """The columns left after this filter: those it did not judge and those it kept, in header order."""
        return [position for position in self.before if position not in self.judged or position in self.kept]

    def names_after(self) -> list[str]:
        return [self.header[position] for position in self.after()]

    def names_before(self) -> list[str]:
        return [self.header[position] for position in self.before]

    def next(self) -> "FilterRound":
        """The next filter's round: it judges what this one kept."""
        return FilterRound(self.header, self.after(), [position for position in self.judged if position in self.kept])

    def keep_one(self) -> None:
        """As FATE, a filter that would keep none of the columns it judged keeps the one of highest value (the first
        judged where it has no values)."""
        if self.kept or not self.judged:
            return
        if self.values:
            best = max(self.values, key=lambda name: self.values[name])
            self.keep(self.header.index(best))
        else:
            self.keep(self.judged[0])
