"""DataIO's trained model replayed on cases as they arrive: cells by column name -> float64 features.

The batch predict path reads a stored row's cells in the model's header order with DataIO's cell reader and
replaces missing cells and outliers with the values training chose; this does the same for a guest's
`featureData` (a JSON object of feature name -> value) and for a host's stored row (one delimited string, as
uploaded). Only DataIO's dense format is served (its sparse formats have no feature names to look up).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from fate_runtime.components.dataio.cells import CellReader, RowError, Tokens, split_row
from fate_runtime.components.dataio.params import INTEGER_TYPES
from fate_runtime.components.dataio.settings import Settings
from fate_runtime.serving.errors import FEATURE_ERROR, MODEL_INIT_ERROR, ServingError


class FeatureRows(Protocol):
    """A host's feature table (a storage Table as uploaded: id -> the rest of the CSV line)."""

    @property
    def schema(self) -> dict[str, Any]: ...

    def get(self, key: Any) -> Any: ...


def _cell(value: Any) -> str:
    """A JSON value as the cell text a CSV would hold (null: an empty cell)."""
    return "" if value is None else str(value)


class FeatureReader:
    """Reads cases with a trained DataIO model: features in its header order, missing cells and outliers replaced."""

    def __init__(self, settings: Settings, source: str) -> None:
        if settings.input_format != "dense":
            raise ServingError(MODEL_INIT_ERROR, f"{source} reads DataIO's {settings.input_format} format; serving "
                                                 "reads the dense format only")
        self.header = settings.header
        self.delimitor = settings.delimitor
        outlier = Tokens.of(settings.outlier.tokens) if settings.outlier is not None else None
        integers = np.array([settings.column_type(column) in INTEGER_TYPES for column in settings.header], dtype=bool)
        self._cells = CellReader(settings.header, Tokens.of(settings.missing_tokens), outlier,
                                 settings.missing is not None, integers)
        self._missing = np.array(settings.missing.values) if settings.missing is not None else None
        self._outlier = np.array(settings.outlier.values) if settings.outlier is not None else None

    def read(self, cells: Sequence[str]) -> np.ndarray:
        """The features of one case's cells (in header order); RowError naming a column that holds no number."""
        features, missing, outlier = self._cells.read(cells)
        if self._missing is not None:
            features[missing] = self._missing[missing]
        if self._outlier is not None:
            features[outlier] = self._outlier[outlier]
        return features

    def feature_data(self, given: Mapping[str, Any]) -> np.ndarray:
        """The features of a guest's featureData; ServingError naming the first model feature it lacks."""
        absent = [name for name in self.header if name not in given]
        if absent:
            raise ServingError(FEATURE_ERROR, f"featureData has no feature {absent[0]}, which the model was "
                                              "trained with")
        try:
            return self.read([_cell(given[name]) for name in self.header])
        except RowError as exc:
            raise ServingError(FEATURE_ERROR, f"feature {exc.subject.removeprefix('column ')} {exc.problem}") \
                from None

    def table_layout(self, rows: FeatureRows, source: str) -> "TableLayout":
        """Where each header column is in a stored row of `rows`; ServingError when the table lacks one."""
        header = rows.schema.get("header")
        columns = header.split(self.delimitor) if isinstance(header, str) else [str(c) for c in header or []]
        where = {column: index for index, column in enumerate(columns)}
        absent = [column for column in self.header if column not in where]
        if absent:
            raise ServingError(MODEL_INIT_ERROR, f"{source} has no column {absent[0]}, which the model was trained "
                                                 "with")
        return TableLayout([where[column] for column in self.header], len(columns))

    def stored_row(self, value: Any, layout: "TableLayout", key: str) -> np.ndarray:
        """The features of a stored row; ServingError naming its id and the column at fault (never a value)."""
        row = split_row(value, self.delimitor)
        try:
            if len(row) != layout.width:
                raise RowError("the row", f"has {len(row)} values where the table's header has {layout.width} "
                                          "columns")
            return self.read([row[position] for position in layout.positions])
        except RowError as exc:
            raise ServingError(FEATURE_ERROR, exc.at(key)) from None


@dataclasses.dataclass(frozen=True)
class TableLayout:
    """The cell of each model feature in a stored row, and how many cells a row has."""

    positions: list[int]
    width: int
