"""Reading the cells of one row: numbers, labels, and which cells count as missing values or outliers."""

from __future__ import annotations

import dataclasses
from functools import reduce
from typing import Any, Callable, Iterable, Sequence, TypeVar

import numpy as np

from fate_runtime.components.dataio.params import INTEGER_TYPES, number
from storage.computing import ComputingTable

# FATE's Imputer's missing values (its list and the NaN text), matched whatever their case
DEFAULT_MISSING = ("", "none", "null", "na", "nan")

Row = TypeVar("Row")
Summary = TypeVar("Summary")


class RowError(ValueError):
    """A row DataIO cannot read: `subject` ("column x3", "the label", "the row") and what is wrong with it."""

    def __init__(self, subject: str, problem: str) -> None:
        super().__init__(f"{subject} {problem}")
        self.subject = subject
        self.problem = problem

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return RowError, (self.subject, self.problem)  # (raised in the storage workers, re-raised here)

    def at(self, key: Any) -> str:
        """The sentence naming the row's id (never the value at fault)."""
        return f"{self.subject} of id {key} {self.problem}"


@dataclasses.dataclass(frozen=True)
class Tokens:
    """Cell values that count (as missing, or as outliers): by their text, whatever its case, or by their number."""

    texts: frozenset[str]
    numbers: np.ndarray

    @staticmethod
    def of(values: Iterable[Any]) -> "Tokens":
        values = list(values)
        numbers = [found for found in map(number, values) if found is not None]
        return Tokens(frozenset(str(value).strip().casefold() for value in values), np.asarray(numbers, dtype=float))

    def matches_text(self, cell: str) -> bool:
        return cell.strip().casefold() in self.texts

    def matches_numbers(self, values: np.ndarray) -> np.ndarray:
        matched = (values[:, None] == self.numbers).any(axis=1) if len(self.numbers) else np.zeros(len(values), bool)
        if "nan" in self.texts:  # the text "nan" reads as NaN
            matched |= np.isnan(values)
        return matched


@dataclasses.dataclass(frozen=True)
class CellReader:
    """Reads a row's feature cells as float64, telling which are missing and which are outliers.

    A cell is missing when it matches `missing`, an outlier when it matches `outlier` (None: no outlier
    replacement); when both match, the replacement that is on wins (missing first, as FATE fills before it
    replaces). Any other cell must hold a number; columns of an integer type must hold integers.
    """

    names: tuple[str, ...]
    missing: Tokens
    outlier: Tokens | None
    fill_missing: bool
    integer_columns: np.ndarray  # bool per column

    @property
    def _numbers_count(self) -> int:
        """How many numbers count as missing or outliers (cells are compared with them)."""
        return len(self.missing.numbers) + (len(self.outlier.numbers) if self.outlier is not None else 0)

    def read(self, cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values with NaN where missing or outlier, missing mask, outlier mask); RowError naming the column."""
        try:
            values = np.array(list(map(float, cells)), dtype=np.float64)
            missing_text, outlier_text = np.zeros(len(cells), dtype=bool), np.zeros(len(cells), dtype=bool)
            if not self._numbers_count and not np.isnan(values).any():  # (the common row: only numbers)
                self._check_integers(values, missing_text)
                return values, missing_text, outlier_text
        except ValueError:
            values, missing_text, outlier_text = self._read_texts(cells)
        missing = missing_text | self.missing.matches_numbers(values)
        outlier = outlier_text | self.outlier.matches_numbers(values) if self.outlier else outlier_text
        if self.fill_missing:
            outlier &= ~missing
        else:
            missing &= ~outlier
        self._check_integers(values, missing | outlier)
        values[missing | outlier] = np.nan
        return values, missing, outlier

    def _read_texts(self, cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = np.full(len(cells), np.nan)
        missing, outlier = np.zeros(len(cells), dtype=bool), np.zeros(len(cells), dtype=bool)
        for index, cell in enumerate(cells):
            if self.missing.matches_text(cell):
                missing[index] = True
            elif self.outlier is not None and self.outlier.matches_text(cell):
                outlier[index] = True
            else:
                found = number(cell)
                if found is None:
                    raise RowError(f"column {self.names[index]}", "holds text, not a number")
                values[index] = found
        return values, missing, outlier

    def _check_integers(self, values: np.ndarray, replaced: np.ndarray) -> None:
        if not self.integer_columns.any():
            return
        checked = self.integer_columns & ~replaced & np.isfinite(values)
        fractional = checked & (values != np.floor(values))
        if fractional.any():
            raise RowError(f"column {self.names[int(np.argmax(fractional))]}",
                           "holds a fraction where its data type wants an integer")


def read_label(cell: str, label_type: str) -> float:
    """A label as a float; RowError when it is no number (or no integer for an integer label type)."""
    found = number(cell)
    if found is None:
        raise RowError("the label", "is missing or not a number")
    if label_type in INTEGER_TYPES and not found.is_integer():
        raise RowError("the label", f"is not an integer (label_type {label_type})")
    return found


def split_row(value: Any, delimiter: str) -> list[str]:
    """The cells of a stored row (an empty value has none)."""
    return str(value).split(delimiter) if value not in (None, "") else []


def scan(table: ComputingTable, read: Callable[[Any], Row], fold: Callable[[list[Row]], Summary],
         merge: Callable[[Summary, Summary], Summary]) -> Summary | None:
    """Every value of `table` read by `read`, folded per partition (in the storage workers) and the partitions'
    results merged; a RowError becomes a ValueError naming its row's id. None for an empty table."""

    def per_partition(pairs: Iterable[tuple[Any, Any]]) -> Summary:
        rows = []
        for key, value in pairs:
            try:
                rows.append(read(value))
            except RowError as exc:
                raise ValueError(exc.at(key)) from None
        return fold(rows)

    partials = table.map_partitions(per_partition)
    try:
        results = [summary for _, summary in partials.collect()]
    finally:
        partials.destroy()
    return reduce(merge, results) if results else None
