"""FATE's query filters: `column = value` for every field given, over the columns of a record type.

FATE-Flow compares each given field with the column of the same name (f_ prefix added) and ignores
fields that are no column; here such a field is refused, as is a value that cannot be one of its
column (text for a number). JSON columns (roles, DSL, conf, steps) compare as the values they hold.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from typing import Any, Mapping

from fate_runtime.errors import BadRequest

_INTEGER, _TEXT, _JSON = "integer", "text", "JSON"
_INTEGER_TEXT = re.compile(r"\s*[+-]?[0-9]{1,19}\s*", re.ASCII)


def _kind(annotation: Any) -> str:
    """The kind of a record field from its type (an optional type counts as the type)."""
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    base = typing.get_origin(annotation) or annotation
    if args and base not in (dict, list):
        base = typing.get_origin(args[0]) or args[0]
    if base in (dict, list):
        return _JSON
    return _INTEGER if base in (int, bool) else _TEXT


@dataclasses.dataclass(frozen=True)
class Filter:
    field: str  # the record's field (a column without its f_ prefix)
    value: Any  # the value as the field holds it
    sql: bool  # whether SQL can compare it (a JSON column's cannot: its text is one of many spellings)

    def matches(self, record: Any) -> bool:
        return bool(getattr(record, self.field) == self.value)


class Columns:
    """The filterable columns of one kind of record: its fields but the `hidden` ones, and `aliases` (a filter
    name answered by another field, which may be hidden)."""

    def __init__(self, what: str, record: type, hidden: tuple[str, ...] = (),
                 aliases: Mapping[str, str] | None = None) -> None:
        self._what = what
        hints = typing.get_type_hints(record)
        self._kinds = {field.name: _kind(hints[field.name]) for field in dataclasses.fields(record)}
        self._fields = {**{name: name for name in self._kinds if name not in hidden}, **(aliases or {})}

    def parse(self, given: Mapping[str, Any]) -> list[Filter]:
        """The given filters (an empty value is no filter) as typed filters; BadRequest naming a field that is no
        column or a value its column cannot hold."""
        parsed = []
        for name, value in given.items():
            if value is None or value == "":
                continue
            if name not in self._fields:
                raise BadRequest(f"{self._what} cannot be filtered by {name}: it is not one of their columns")
            field = self._fields[name]
            kind = self._kinds[field]
            parsed.append(Filter(field, _typed(name, value, kind), kind != _JSON))
        return parsed


def _typed(name: str, value: Any, kind: str) -> Any:
    if kind == _INTEGER:
        if isinstance(value, int):  # bool too
            return int(value)
        if not isinstance(value, str) or not _INTEGER_TEXT.fullmatch(value):
            raise BadRequest(f"the filter {name} must be an integer, got {value!r}")
        return int(value)
    if kind == _TEXT:
        return str(value)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def where(filters: list[Filter], stored: frozenset[str] | None = None) -> dict[str, Any]:
    """What SQL can apply of the filters: `f_` column -> value, for the plain (not JSON) fields the table stores
    (`stored`; None: all of them)."""
    return {f"f_{f.field}": f.value for f in filters if f.sql and (stored is None or f.field in stored)}


def matching(records: list[Any], filters: list[Filter]) -> list[Any]:
    """The records every filter matches."""
    return [record for record in records if all(f.matches(record) for f in filters)]
