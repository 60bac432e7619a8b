"""DataIO's dense format: a header of column names, one delimited number per column (the label among them).

Training learns the header (the columns but the label, in the table's order) and, per column, the values
that replace missing cells and outliers; replaying reads an eval table's columns by name in that order.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np

from fate_runtime.components.dataio.cells import CellReader, RowError, Tokens, read_label, scan, split_row
from fate_runtime.components.dataio.params import INTEGER_TYPES
from fate_runtime.components.dataio.settings import Replacement, Settings
from fate_runtime.components.instances import Instance
from storage.computing import ComputingTable
from storage.codec import register_data_class


@register_data_class("fate_runtime.dataio.ColumnStats")
@dataclasses.dataclass
class ColumnStats:
    """What a scan learns of each column: rows, missing and outlier cells, and the other cells' count, sum,
    min and max."""

    rows: int
    missing: np.ndarray
    outliers: np.ndarray
    count: np.ndarray
    total: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @staticmethod
    def of(rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]], width: int) -> "ColumnStats":
        values = np.vstack([row[0] for row in rows]) if rows else np.zeros((0, width))
        valid = ~np.isnan(values)
        return ColumnStats(len(rows), sum((row[1] for row in rows), np.zeros(width, dtype=np.int64)),
                           sum((row[2] for row in rows), np.zeros(width, dtype=np.int64)), valid.sum(axis=0),
                           np.where(valid, values, 0.0).sum(axis=0), np.where(valid, values, np.inf).min(axis=0, initial=np.inf),
                           np.where(valid, values, -np.inf).max(axis=0, initial=-np.inf))

    def merged(self, other: "ColumnStats") -> "ColumnStats":
        return ColumnStats(self.rows + other.rows, self.missing + other.missing, self.outliers + other.outliers,
                           self.count + other.count, self.total + other.total, np.minimum(self.low, other.low),
                           np.maximum(self.high, other.high))

    def statistic(self, method: str, names: Sequence[str]) -> list[float]:
        """The column's min, max or mean over its cells that are neither missing nor outliers (rounded to 6
        decimals, as FATE)."""
        empty = np.flatnonzero(self.count == 0)
        if len(empty):
            raise ValueError(f"column {names[int(empty[0])]} has no value to take its {method} from")
        found = {"min": self.low, "max": self.high, "mean": self.total / np.maximum(self.count, 1)}[method]
        return [round(float(value), 6) for value in found]


@dataclasses.dataclass(frozen=True)
class DenseLayout:
    """Where a row's features and label are, how to read them, and (once fitted) what replaces what."""

    delimiter: str
    width: int  # cells per row
    positions: np.ndarray  # the cell of each feature, in header order
    label_position: int | None
    label_type: str
    cells: CellReader
    missing_values: np.ndarray | None = None
    outlier_values: np.ndarray | None = None

    def read(self, value: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(features with NaN where missing or outlier, missing mask, outlier mask); checks the label too."""
        row = split_row(value, self.delimiter)
        if len(row) != self.width:
            raise RowError("the row", f"has {len(row)} values where the header has {self.width} columns")
        if self.label_position is not None:
            read_label(row[self.label_position], self.label_type)
        return self.cells.read([row[position] for position in self.positions])

    def instance(self, value: Any) -> Instance:
        row = split_row(value, self.delimiter)
        features, missing, outlier = self.cells.read([row[position] for position in self.positions])
        if self.missing_values is not None:
            features[missing] = self.missing_values[missing]
        if self.outlier_values is not None:
            features[outlier] = self.outlier_values[outlier]
        label = None if self.label_position is None else read_label(row[self.label_position], self.label_type)
        return Instance(features, label)


def _columns(table: ComputingTable, settings: Settings) -> list[str]:
    header = table.schema.get("header")
    if isinstance(header, str) and header:
        return header.split(settings.delimitor)
    if isinstance(header, list) and header:
        return [str(column) for column in header]
    raise ValueError(f"table {table.namespace}.{table.name} has no header: DataIO's dense format needs its "
                     "column names")


def _layout(table: ComputingTable, settings: Settings, header: list[str], label_required: bool) -> DenseLayout:
    columns = _columns(table, settings)
    where = {column: index for index, column in enumerate(columns)}
    label_position = where.get(settings.label_name) if settings.with_label else None
    if label_required and settings.with_label and label_position is None:
        raise ValueError(f"the label column {settings.label_name} is not in the header of table "
                         f"{table.namespace}.{table.name}")
    absent = [column for column in header if column not in where]
    if absent:
        raise ValueError(f"table {table.namespace}.{table.name} has no column {absent[0]}, which DataIO's model "
                         "was trained with")
    unknown = [column for column in settings.exclusive_data_type if column not in header]
    if unknown:
        raise ValueError(f"exclusive_data_type names column {unknown[0]}, which table {table.namespace}."
                         f"{table.name} does not have")
    outlier = Tokens.of(settings.outlier.tokens) if settings.outlier is not None else None
    integers = np.array([settings.column_type(column) in INTEGER_TYPES for column in header], dtype=bool)
    cells = CellReader(tuple(header), Tokens.of(settings.missing_tokens), outlier, settings.missing is not None,
                       integers)
    return DenseLayout(settings.delimitor, len(columns), np.array([where[c] for c in header], dtype=np.int64),
                       label_position, settings.label_type, cells)


def _replacement(found: Replacement | None, header: list[str], stats: ColumnStats,
                 cells: np.ndarray, setting: str) -> Replacement | None:
    """`found` fitted: a value per column and the share of rows whose cell it replaced."""
    if found is None:
        return None
    if found.method in (None, "designated"):
        given = 0.0 if found.given is None else found.given
        values = list(given) if isinstance(given, list) else [given] * len(header)
        if len(values) != len(header):
            raise ValueError(f"{setting} has {len(values)} values for the {len(header)} feature columns")
    else:
        values = stats.statistic(found.method, header)
    ratios = cells / stats.rows if stats.rows else np.zeros(len(header))
    return dataclasses.replace(found, values=tuple(map(float, values)), ratios=tuple(map(float, ratios)))


def _stats(table: ComputingTable, layout: DenseLayout) -> ColumnStats:
    width = len(layout.positions)
    stats = scan(table, layout.read, lambda rows: ColumnStats.of(rows, width), ColumnStats.merged)
    return stats or ColumnStats.of([], width)


def _filling(layout: DenseLayout, settings: Settings) -> DenseLayout:
    return dataclasses.replace(
        layout, missing_values=np.array(settings.missing.values) if settings.missing is not None else None,
        outlier_values=np.array(settings.outlier.values) if settings.outlier is not None else None)


def fit(table: ComputingTable, settings: Settings) -> tuple[Settings, DenseLayout]:
    """The settings learnt from a training table (header, replacements) and the layout that reads it."""
    columns = _columns(table, settings)
    header = [column for column in columns if not (settings.with_label and column == settings.label_name)]
    layout = _layout(table, settings, header, label_required=True)
    stats = _stats(table, layout)
    fitted = dataclasses.replace(
        settings, header=tuple(header), sid_name=str(table.schema.get("sid") or table.schema.get("sid_name") or ""),
        missing=_replacement(settings.missing, header, stats, stats.missing, "default_value"),
        outlier=_replacement(settings.outlier, header, stats, stats.outliers, "outlier_replace_value"))
    return fitted, _filling(layout, fitted)


def replay(table: ComputingTable, settings: Settings) -> DenseLayout:
    """The layout that reads an eval table as training read its own (the label where the table has it); every
    row checked."""
    layout = _filling(_layout(table, settings, list(settings.header), label_required=False), settings)
    _stats(table, layout)
    return layout
