"""Parameter kinds FATE's feature components need beyond `Param`: column lists and open intervals."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.components.params import Param, ParameterError

EVERY_COLUMN = -1  # FATE's "-1": every column of the header


@dataclasses.dataclass(frozen=True)
class ColumnList(Param):
    """Columns named by index (ints from 0) or, with `by_name`, by header name; -1 for all where `every`."""

    by_name: bool = False
    every: bool = False

    def validate(self, path: str, value: Any) -> Any:
        if value is None and self.nullable:
            return None
        if self.every and type(value) is int and value == EVERY_COLUMN:
            return value
        element = str if self.by_name else int
        if isinstance(value, list) and all(type(item) is element for item in value) \
                and (self.by_name or all(item >= 0 for item in value)):
            return list(value)
        allowed = f"a list of column {'names' if self.by_name else 'indexes (from 0)'}"
        raise ParameterError(path, f"must be {'-1 or ' if self.every else ''}{allowed}"
                                   f"{' or None' if self.nullable else ''}, got {value!r}")


def column_indexes(default: Any, every: bool = False) -> ColumnList:
    """A list of column indexes (None allowed; -1 too where `every`)."""
    return ColumnList(list, default, nullable=True, every=every)


def column_names(default: Any) -> ColumnList:
    """A list of column names (None allowed)."""
    return ColumnList(list, default, nullable=True, by_name=True)


@dataclasses.dataclass(frozen=True)
class OpenBounded(Param):
    """A number strictly above `above` and, when given, strictly below `below` (FATE's positive numbers and open
    unit intervals)."""

    above: float = 0.0
    below: float | None = None

    def validate(self, path: str, value: Any) -> Any:
        value = super().validate(path, value)
        if value is not None and (value <= self.above or (self.below is not None and value >= self.below)):
            upper = f" and less than {self.below:g}" if self.below is not None else ""
            raise ParameterError(path, f"must be more than {self.above:g}{upper}, got {value!r}")
        return value
