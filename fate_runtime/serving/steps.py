"""The components between DataIO and HeteroLR replayed on a matrix of cases (rows x features), as their batch
predict paths replay them on a table: binning's transform (bin indexes, or the guest's WOE) and selection's kept
columns. Components that change no row (Reader, Intersection) pass the matrix on."""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from fate_runtime.components.binning import model as binning_model
from fate_runtime.components.binning.split_points import SplitPoints
from fate_runtime.components.binning.transform import BIN_NUM, WOE
from fate_runtime.components.selection.model import trained_columns
from fate_runtime.serving.errors import MODEL_INIT_ERROR, ServingError
from fate_runtime.serving.model_chain import GUEST, ChainLink

Transform = Callable[[np.ndarray], np.ndarray]
PASSING_MODULES = ("Reader", "Intersection")  # (an online case is one id: intersecting it changes nothing)


@dataclasses.dataclass(frozen=True)
class Step:
    """A component replayed: the header it hands on and what it does to the matrix (None: nothing)."""

    header: tuple[str, ...]
    transform: Transform | None = None


def _trained_on(link: ChainLink, trained: list[str], header: tuple[str, ...]) -> None:
    if tuple(trained) != header:
        raise ServingError(MODEL_INIT_ERROR, f"{link.name} was trained on other columns than its input has")


def _binned(columns: np.ndarray, points: SplitPoints, woe: np.ndarray | None, features: np.ndarray) -> np.ndarray:
    replaced = features.copy()
    bins = points.bins(features[:, columns])
    replaced[:, columns] = bins if woe is None else woe[np.arange(len(columns)), bins]
    return replaced


def binning_step(link: ChainLink, header: tuple[str, ...], role: str) -> Step:
    """HeteroFeatureBinning's transform; the matrix unchanged without one (or for WOE where the party has none)."""
    try:
        trained = binning_model.trained(link.buffers, link.name)
    except ValueError as exc:
        raise ServingError(MODEL_INIT_ERROR, str(exc)) from None
    _trained_on(link, trained.header, header)
    with_woe = trained.transform_type == WOE and role == GUEST
    if not trained.transformed or not (trained.transform_type == BIN_NUM or with_woe):
        return Step(header)
    names = [header[column] for column in trained.transformed]
    unbinned = [name for name in names if name not in trained.columns]
    if unbinned:
        raise ServingError(MODEL_INIT_ERROR, f"the model of {link.name} has no split points of column "
                                             f"{unbinned[0]!r}")
    points = SplitPoints.of([list(trained.columns[name].split_points) for name in names])
    woe = None
    if with_woe:
        woe = np.zeros(points.matrix.shape)
        for row, name in enumerate(names):
            values = trained.columns[name].woe_array
            woe[row, :len(values)] = values
    columns = np.asarray(trained.transformed, dtype=np.int64)
    return Step(header, lambda features: _binned(columns, points, woe, features))


def selection_step(link: ChainLink, header: tuple[str, ...]) -> Step:
    """HeteroFeatureSelection's kept columns, in the header's order."""
    try:
        trained, kept = trained_columns(link.buffers, link.name)
    except ValueError as exc:
        raise ServingError(MODEL_INIT_ERROR, str(exc)) from None
    _trained_on(link, trained, header)
    positions = [position for position, name in enumerate(header) if name in kept]
    chosen = np.asarray(positions, dtype=np.int64)
    return Step(tuple(header[position] for position in positions), lambda features: features[:, chosen])


def step(link: ChainLink, header: tuple[str, ...], role: str) -> Step:
    """The replay of a component between DataIO and HeteroLR; ServingError for a module serving cannot replay."""
    if link.module == "HeteroFeatureBinning":
        return binning_step(link, header, role)
    if link.module == "HeteroFeatureSelection":
        return selection_step(link, header)
    if link.module in PASSING_MODULES:
        return Step(header)
    raise ServingError(MODEL_INIT_ERROR, f"serving cannot replay {link.name} (module {link.module}) online")
