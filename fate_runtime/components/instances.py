"""The rows components pass one another: an id -> `Instance` table whose schema names the columns.

DataIO makes these tables; every later component reads and writes them. The schema carries
`header` (the feature names, in the order of `Instance.features`), `sid_name` and `label_name`.
Hot loops never walk rows one by one: `instance_block` turns a partition's pairs into numpy arrays.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable

import numpy as np

from storage.computing import ComputingTable
from storage.codec import register_data_class


@register_data_class("fate_runtime.Instance")
@dataclasses.dataclass
class Instance:
    """One sample: its features (float64, in header order) and its label (None where the party has none)."""

    features: np.ndarray
    label: float | None = None

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Instance) and self.label == other.label
                and np.array_equal(self.features, other.features))


@register_data_class("fate_runtime.InstanceBlock")
@dataclasses.dataclass
class InstanceBlock:
    """The instances of one partition (or any set of rows) as arrays: ids, features (rows x header), labels."""

    ids: list[Any]
    features: np.ndarray
    labels: np.ndarray | None

    def __len__(self) -> int:
        return len(self.ids)


def instance_block(pairs: Iterable[tuple[Any, Instance]], width: int | None = None) -> InstanceBlock:
    """The block of these (id, Instance) pairs; `width` gives the feature count of an empty block."""
    ids: list[Any] = []
    rows: list[np.ndarray] = []
    labels: list[Any] = []
    for key, instance in pairs:
        ids.append(key)
        rows.append(instance.features)
        labels.append(instance.label)
    features = np.vstack(rows) if rows else np.zeros((0, width or 0))
    labelled = bool(labels) and all(label is not None for label in labels)
    return InstanceBlock(ids, features, np.asarray(labels, dtype=float) if labelled else None)


def header(table: ComputingTable) -> list[str]:
    """The feature names of an instance table."""
    return list(table.schema.get("header", []))


def with_schema(table: ComputingTable, names: list[str], source: ComputingTable) -> ComputingTable:
    """`table` with `source`'s schema but `names` as header (after a component keeps or renames columns)."""
    table.set_schema({**source.schema, "header": list(names)})
    return table
