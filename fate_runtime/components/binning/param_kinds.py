"""Parameter kinds FATE's feature components need beyond `Param`: column lists and open intervals."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.components.params import Param, ParameterError

EVERY_COLUMN = -1  # FATE's "-1": every column of the header


@dataclasses.dataclass(frozen=True)
class ListOf(Param):
    """A list whose items are all of kind `item` (numbers from `item_minimum`; strings among `item_choices` where
    given, in any case, spelled as declared), or -1 instead where `every` (FATE's "every column")."""

    item: type = int
    item_minimum: float | None = None
    item_choices: tuple[str, ...] = ()
    every: bool = False
    items_are: str = "column indexes (from 0)"

    def validate(self, path: str, value: Any) -> Any:
        if value is None and self.nullable:
            return None
        if self.every and type(value) is int and value == EVERY_COLUMN:
            return value
        if isinstance(value, list):
            items = [self._item(item) for item in value]
            if None not in items:
                return items
        raise ParameterError(path, f"must be {'-1 or ' if self.every else ''}a list of {self.items_are}"
                                   f"{' or None' if self.nullable else ''}, got {value!r}")

    def _item(self, given: Any) -> Any:
        """The item as declared, None when it is not one."""
        value: Any = float(given) if self.item is float and type(given) is int else given
        exact_kind = type(value) is self.item  # (bools are not ints here)
        if not exact_kind or (self.item_minimum is not None and value < self.item_minimum):
            return None
        if self.item_choices:
            return next((choice for choice in self.item_choices if choice.lower() == value.lower()), None)
        return value


def column_indexes(default: Any, every: bool = False, nullable: bool = True) -> ListOf:
    """A list of column indexes (-1 too where `every`)."""
    return ListOf(list, default, nullable=nullable, item_minimum=0, every=every)


def column_names(default: Any) -> ListOf:
    """A list of column names (None allowed)."""
    return ListOf(list, default, nullable=True, item=str, items_are="column names")


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
