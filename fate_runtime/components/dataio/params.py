"""DataIO's parameters: FATE 1.2's DataIOParam names and defaults, checked when the job is submitted."""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime.components.params import Param, ParameterError

# Instances hold float64 features and float labels: FATE's "str" type has no place in them.
NUMBER_TYPES = ("int", "int64", "long", "float", "float64")
INTEGER_TYPES = ("int", "int64", "long")
REPLACE_METHODS = ("min", "max", "mean", "designated")


def number(text: Any) -> float | None:
    """The number a cell or setting holds (None when it holds none)."""
    if isinstance(text, bool):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class FillValue(Param):
    """FATE's default_value / outlier_replace_value: one number for every column, or a list with one per column
    (numbers or their text); None stands for 0."""

    kind: type = object
    default: Any = 0
    nullable: bool = True

    def validate(self, path: str, value: Any) -> Any:
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        converted = [number(item) for item in values]
        if not values or any(item is None for item in converted):
            raise ParameterError(path, f"must be a number or a list of numbers, got {value!r}")
        return converted if isinstance(value, list) else converted[0]


@dataclasses.dataclass(frozen=True)
class ColumnTypes(Param):
    """FATE's exclusive_data_type: column name -> the data type of that column."""

    kind: type = dict
    default: Any = None
    nullable: bool = True

    def validate(self, path: str, value: Any) -> Any:
        checked = super().validate(path, value)
        column_type = Param(str, "float64", choices=NUMBER_TYPES)
        return None if checked is None else {str(column): column_type.validate(f"{path}.{column}", kind)
                                             for column, kind in checked.items()}


PARAMS: dict[str, Param] = {
    "input_format": Param(str, "dense", choices=("dense", "sparse", "tag")),
    "delimitor": Param(str, ","),
    "data_type": Param(str, "float64", choices=NUMBER_TYPES),
    "exclusive_data_type": ColumnTypes(),
    "tag_with_value": Param(bool, False),
    "tag_value_delimitor": Param(str, ":"),
    "missing_fill": Param(bool, True),
    "default_value": FillValue(),
    "missing_fill_method": Param(str, None, choices=REPLACE_METHODS, nullable=True),
    "missing_impute": Param(list, None, nullable=True),
    "outlier_replace": Param(bool, True),
    "outlier_replace_method": Param(str, None, choices=REPLACE_METHODS, nullable=True),
    "outlier_impute": Param(list, None, nullable=True),
    "outlier_replace_value": FillValue(),
    "with_label": Param(bool, False),
    "label_name": Param(str, "y"),
    "label_type": Param(str, "int", choices=NUMBER_TYPES),
    "output_format": Param(str, "dense", choices=("dense", "sparse")),
}
