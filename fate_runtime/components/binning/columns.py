"""Which columns of a header a component works on, from FATE's `*_indexes` (-1: all) and `*_names` parameters."""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from fate_runtime.components.binning.param_kinds import EVERY_COLUMN


def chosen_columns(header: Sequence[str], indexes: Any, names: Any, indexes_path: str, names_path: str) -> list[int]:
    """Header positions of the columns `indexes` (a list, -1 for all, or None) and `names` (a list or None) name,
    in that order, each once; ValueError naming a column the header does not have."""
    if indexes == EVERY_COLUMN:
        chosen = list(range(len(header)))
    else:
        chosen = []
        for index in indexes or []:
            if index >= len(header):
                raise ValueError(f"{indexes_path} names column {index}, but the input has {len(header)} columns")
            chosen.append(index)
    positions = {name: index for index, name in enumerate(header)}
    for name in names or []:
        if name not in positions:
            raise ValueError(f"{names_path} names column {name!r}, which is not in the input's header")
        chosen.append(positions[name])
    return list(dict.fromkeys(chosen))


@dataclasses.dataclass(frozen=True)
class BinningColumns:
    """The columns binning works on, as header positions: those it bins (categorical ones among them, binned by
    their values) and those whose values it replaces in its output."""

    header: tuple[str, ...]
    binned: tuple[int, ...]
    categorical: frozenset[int]
    transformed: tuple[int, ...]

    @property
    def binned_names(self) -> list[str]:
        return [self.header[index] for index in self.binned]


def binning_columns(header: Sequence[str], params: dict[str, Any]) -> BinningColumns:
    """The columns FATE's binning parameters choose (category columns are binned too); ValueError for a column the
    header does not have, or a transformed column that is not binned."""
    binned = chosen_columns(header, params["bin_indexes"], params["bin_names"], "bin_indexes", "bin_names")
    categorical = chosen_columns(header, params["category_indexes"], params["category_names"], "category_indexes",
                                 "category_names")
    binned = list(dict.fromkeys(binned + categorical))
    transform = params["transform_param"]
    if transform["transform_cols"] == EVERY_COLUMN:
        transformed = binned
    else:
        transformed = chosen_columns(header, transform["transform_cols"], transform["transform_names"],
                                     "transform_param.transform_cols", "transform_param.transform_names")
        for index in transformed:
            if index not in binned:
                raise ValueError(f"transform_param names column {header[index]!r}, which is not binned")
    return BinningColumns(tuple(header), tuple(binned), frozenset(categorical), tuple(transformed))


HOST_COLUMN_PREFIX = "host."  # FATE names a host's columns to the guest by position only: "host.<index>"


def anonymous_name(index: int) -> str:
    """How the guest knows the host column at header position `index`."""
    return f"{HOST_COLUMN_PREFIX}{index}"
