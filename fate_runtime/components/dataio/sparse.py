"""DataIO's sparse formats, densified over the header training learns.

- "sparse" (svm-light): `label index:value index:value ...`; the label comes first, as in FATE, and the header is
  the indices 0 .. the largest index seen in training.
- "tag": `[label] tag tag ...`, or `tag:value` cells with tag_with_value; the header is every tag seen in training
  (sorted), a tag's feature is 1 (or its value) where the row has it and 0 elsewhere. Tags training never saw are
  left out when replaying, as FATE does.

Neither format has missing-value or outlier handling (as in FATE).
"""

from __future__ import annotations

import dataclasses
from operator import add
from typing import Any

import numpy as np

from fate_runtime.components.dataio.cells import RowError, read_label, scan, split_row
from fate_runtime.components.dataio.params import INTEGER_TYPES, number
from fate_runtime.components.dataio.settings import Settings
from fate_runtime.components.instances import Instance
from storage.computing import ComputingTable

Features = tuple[float | None, dict[Any, float]]  # (label, value by index or tag)


def _value(text: str, data_type: str, subject: str) -> float:
    found = number(text)
    if found is None:
        raise RowError(subject, "holds text, not a number")
    if data_type in INTEGER_TYPES and not found.is_integer():
        raise RowError(subject, "holds a fraction where its data type wants an integer")
    return found


def _sid_name(table: ComputingTable) -> str:
    return str(table.schema.get("sid") or table.schema.get("sid_name") or "sid")


@dataclasses.dataclass(frozen=True)
class SvmLightLayout:
    """Reads `label index:value ...` rows into `width` features (0 where absent); width 0 while fitting."""

    delimiter: str
    data_type: str
    label_type: str
    width: int = 0

    def read(self, value: Any) -> Features:
        row = split_row(value, self.delimiter)
        if not row:
            raise RowError("the row", "is empty: the sparse format starts with a label")
        features: dict[Any, float] = {}
        for position, cell in enumerate(row[1:], start=2):
            index, colon, text = cell.partition(":")
            if not index.strip().isdecimal() or not colon:
                raise RowError(f"cell {position}", "is not an index:value pair")
            if self.width and int(index) >= self.width:
                raise RowError(f"feature index {int(index)}",
                               f"is beyond the {self.width} features the model was trained with")
            features[int(index)] = _value(text, self.data_type, f"feature {int(index)}")
        return read_label(row[0], self.label_type), features

    def instance(self, value: Any) -> Instance:
        label, found = self.read(value)
        features = np.zeros(self.width)
        features[list(found)] = list(found.values())
        return Instance(features, label)


@dataclasses.dataclass(frozen=True)
class TagLayout:
    """Reads `[label] tag ...` rows: one feature per tag of `tags` (all tags seen, while fitting)."""

    delimiter: str
    data_type: str
    with_label: bool
    label_type: str
    with_value: bool
    value_delimiter: str
    tags: dict[str, int] = dataclasses.field(default_factory=dict)

    def read(self, value: Any) -> Features:
        row = split_row(value, self.delimiter)
        label = None
        if self.with_label:
            if not row:
                raise RowError("the label", "is missing or not a number")
            label, row = read_label(row[0], self.label_type), row[1:]
        features: dict[Any, float] = {}
        for cell in filter(None, (cell.strip() for cell in row)):
            if not self.with_value:
                features[cell] = 1.0
                continue
            parts = cell.split(self.value_delimiter)
            if len(parts) != 2:
                raise RowError("a tag", f"is not tag{self.value_delimiter}value")
            features[parts[0]] = _value(parts[1], self.data_type, f"tag {parts[0]}")
        return label, features

    def instance(self, value: Any) -> Instance:
        label, found = self.read(value)
        features = np.zeros(len(self.tags))
        for tag, tag_value in found.items():
            if tag in self.tags:
                features[self.tags[tag]] = tag_value
        return Instance(features, label)


def _largest_index(rows: list[Features]) -> int:
    return max((max(found, default=-1) for _, found in rows), default=-1)


def _tags(rows: list[Features]) -> set[str]:
    return {tag for _, found in rows for tag in found}


def _union(left: set[str], right: set[str]) -> set[str]:
    return left | right


def _plain(settings: Settings, table: ComputingTable, header: list[str], label_name: str) -> Settings:
    """The fitted settings: the header, no missing/outlier handling."""
    return dataclasses.replace(settings, header=tuple(header), sid_name=_sid_name(table), label_name=label_name,
                               missing=None, outlier=None)


def fit_svmlight(table: ComputingTable, settings: Settings) -> tuple[Settings, SvmLightLayout]:
    layout = SvmLightLayout(settings.delimitor, settings.data_type, settings.label_type)
    largest = scan(table, layout.read, _largest_index, max)
    if largest is None or largest < 0:
        raise ValueError(f"table {table.namespace}.{table.name} has no feature in any row")
    fitted = _plain(settings, table, [str(index) for index in range(largest + 1)], settings.label_name)
    return fitted, dataclasses.replace(layout, width=largest + 1)


def replay_svmlight(table: ComputingTable, settings: Settings) -> SvmLightLayout:
    layout = SvmLightLayout(settings.delimitor, settings.data_type, settings.label_type, len(settings.header))
    scan(table, layout.read, len, add)  # (every row checked)
    return layout


def _tag_layout(settings: Settings, tags: list[str]) -> TagLayout:
    return TagLayout(settings.delimitor, settings.data_type, settings.with_label, settings.label_type,
                     settings.tag_with_value, settings.tag_value_delimitor,
                     {tag: index for index, tag in enumerate(tags)})


def fit_tags(table: ComputingTable, settings: Settings) -> tuple[Settings, TagLayout]:
    seen: set[str] | None = scan(table, _tag_layout(settings, []).read, _tags, _union)
    tags = sorted(seen or set())
    if not tags:
        raise ValueError(f"table {table.namespace}.{table.name} has no tag in any row")
    fitted = _plain(settings, table, tags, "label" if settings.with_label else settings.label_name)
    return fitted, _tag_layout(fitted, tags)


def replay_tags(table: ComputingTable, settings: Settings) -> TagLayout:
    layout = _tag_layout(settings, list(settings.header))
    scan(table, layout.read, len, add)  # (every row checked)
    return layout
