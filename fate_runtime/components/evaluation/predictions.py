"""The prediction tables Evaluation reads, as numpy columns per data type ("train", "validate", ...).

A row, as FATE 1.2's classification and regression components write it:
id -> [label, predict_result, predict_score, predict_detail, type].
"""

from __future__ import annotations

import dataclasses
from numbers import Real
from typing import Any, Iterator

import numpy as np

from storage.computing import ComputingTable

ROW_FIELDS = ("label", "predict_result", "predict_score", "predict_detail", "type")
_NUMERIC_FIELDS = ROW_FIELDS[:3]


@dataclasses.dataclass
class Predictions:
    """The rows of one data type: labels, predicted results and scores, index for index."""

    labels: np.ndarray
    results: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def source_component(table: ComputingTable, job_id: str, role: str, party_id: str) -> str:
    """The DSL component whose output `table` is (the name FATE gives its metrics); "args" for a job's input."""
    head, found, _ = table.name.rpartition(f".{role}.{party_id}.")
    return head if found and table.namespace == f"output.{job_id}" else "args"


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _partition_columns(pairs: Iterator[tuple[Any, Any]], source: str) -> dict[str, Any]:
    """One partition's rows as columns; ValueError naming the first field that breaks the row format."""
    columns: dict[str, list[Any]] = {name: [] for name in (*_NUMERIC_FIELDS, "type")}
    for _, row in pairs:
        if not isinstance(row, (list, tuple)) or len(row) < len(ROW_FIELDS):
            raise ValueError(f"the output of {source} is not a prediction table: a row is not a list "
                             f"[{', '.join(ROW_FIELDS)}]")
        for name, value in zip(_NUMERIC_FIELDS, row):
            if not _is_number(value):
                raise ValueError(f"the output of {source} has a {name} that is not a number")
            columns[name].append(value)
        if not isinstance(row[4], str):
            raise ValueError(f"the output of {source} has a type that is not a string")
        columns["type"].append(row[4])
    return {name: values if name == "type" else np.asarray(values) for name, values in columns.items()}


def read_predictions(table: ComputingTable, source: str) -> dict[str, Predictions]:
    """The table's rows by data type, in the order the types first appear; ValueError for an empty table, a row
    that is no prediction, or a label or score that is not a finite number."""
    per_partition = table.map_partitions(lambda pairs: _partition_columns(pairs, source))
    parts = [columns for _, columns in per_partition.collect()]
    per_partition.destroy()
    if not parts:
        raise ValueError(f"the output of {source} has no rows to evaluate")
    types = np.asarray([kind for part in parts for kind in part["type"]])
    merged = {name: np.concatenate([part[name] for part in parts]) for name in _NUMERIC_FIELDS}
    for name, values in merged.items():
        if not np.all(np.isfinite(values)):
            raise ValueError(f"the output of {source} has a {name} that is not a finite number")
    _, first = np.unique(types, return_index=True)
    return {str(kind): Predictions(*(merged[name][types == kind] for name in _NUMERIC_FIELDS))
            for kind in types[np.sort(first)]}
