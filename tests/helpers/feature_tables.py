"""FATE's breast data (or any numbers) as instance tables - the rows DataIO makes - for the feature components'
tests, and binning's numbers computed centrally in the clear."""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
from component_harness import PartySetup, PartyStores, Run, run_component

from fate_runtime.components import binning, selection
from fate_runtime.components.binning.model import PARAM as BINNING_PARAM
from fate_runtime.components.instances import Instance, header
from protos.binning_model_pb2 import FeatureBinningParam
from storage import Store, Table

GUEST, HOST = ("guest", "10000"), ("host", "9999")
DATA_DIR = Path(__file__).resolve().parents[2] / "examples" / "data"


@dataclasses.dataclass
class Rows:
    """Rows of one party: ids, feature names, features (rows x columns) and labels where it has them."""

    ids: list[str]
    header: list[str]
    features: np.ndarray
    labels: np.ndarray | None = None

    def head(self, count: int) -> "Rows":
        return Rows(self.ids[:count], self.header, self.features[:count],
                    None if self.labels is None else self.labels[:count])

    def table(self, store: Store, name: str, partitions: int = 3) -> Table:
        """The rows as an id -> Instance table with its header in the schema."""
        table = store.create_table("feature_tests", name, partitions)
        labels = [None] * len(self.ids) if self.labels is None else [float(label) for label in self.labels]
        table.put_all((key, Instance(np.array(row, dtype=np.float64), label))
                      for key, row, label in zip(self.ids, self.features, labels))
        table.set_schema({"header": list(self.header), "sid_name": "id",
                          "label_name": None if self.labels is None else "y"})
        return table


def breast_csv(file_name: str) -> Rows:
    """breast_b.csv (id, y, x0..x9: the guest's, labelled) or breast_a.csv (id, x0..x19: the host's)."""
    path = DATA_DIR / file_name
    names = path.read_text().split("\n", 1)[0].strip().split(",")
    cells = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    numbers = cells[:, 1:].astype(np.float64)
    if names[1] == "y":
        return Rows(list(cells[:, 0]), names[2:], numbers[:, 1:], numbers[:, 0])
    return Rows(list(cells[:, 0]), names[1:], numbers)


def breast_guest() -> Rows:
    return breast_csv("breast_b.csv")


def breast_host() -> Rows:
    return breast_csv("breast_a.csv")


def reference_split_points(values: np.ndarray, bin_num: int = 10) -> list[float]:
    """Exact quantile split points by numpy: the values of rank ceil(q N) at q = 1/bin_num .. 1, each once (q as FATE
    computes it, index x (1 / bin_num): 3 x 0.1 is a little above 0.3, so 0.3 of 150 rows is rank 46)."""
    ordered = np.sort(values)
    rates = [index * (1.0 / bin_num) for index in range(1, bin_num)]
    points = [float(ordered[math.ceil(rate * len(values)) - 1]) for rate in rates] + [float(ordered[-1])]
    return list(dict.fromkeys(points))


def reference_bins(values: np.ndarray, points: list[float]) -> np.ndarray:
    return np.minimum(np.searchsorted(points, values, side="left"), len(points) - 1)


def reference_woe_iv(values: np.ndarray, labels: np.ndarray, points: list[float],
                     adjustment: float = 0.5) -> tuple[np.ndarray, float]:
    """(WOE per bin, IV) of one column computed centrally in the clear."""
    bins = reference_bins(values, points)
    events = np.bincount(bins[labels == 1], minlength=len(points)).astype(float)
    non_events = np.bincount(bins[labels == 0], minlength=len(points)).astype(float)
    adjusted = np.where((events == 0) | (non_events == 0), adjustment, 0.0)
    event_rates = (events + adjusted) / events.sum()
    non_event_rates = (non_events + adjusted) / non_events.sum()
    woe = np.log(non_event_rates / event_rates)
    return woe, float(((non_event_rates - event_rates) * woe).sum())


class Selection:
    """Binning (rows unchanged) then selection, for one guest and one host, in the component harness."""

    def __init__(self, tmp_path: Path, guest: Rows, host: Rows) -> None:
        self.stores, self.guest, self.host = PartyStores(tmp_path), guest, host
        self.inputs = {GUEST: guest.table(self.stores[GUEST], "guest"), HOST: host.table(self.stores[HOST], "host")}

    @functools.cached_property
    def binning(self) -> Run:
        return run_component(binning.SPEC, self.stores, {
            party: PartySetup({"transform_param": {"transform_type": None}}, {"data": [table]})
            for party, table in self.inputs.items()}, component="binning_0")

    def ivs(self, party: tuple[str, str] = GUEST) -> dict[str, float]:
        param = FeatureBinningParam.FromString(self.binning.results[GUEST].models.saved["model"][BINNING_PARAM])
        result = param.binning_result if party == GUEST else param.host_results[0]
        return {name: column.iv for name, column in result.binning_result.items()}

    def run(self, isometric: bool = True, **params: Any) -> Run:
        return run_component(selection.SPEC, self.stores, {party: PartySetup(
            dict(params), {"data": [table]},
            {"isometric_model": {"binning_0": self.binning.results[party].models.saved["model"]}} if isometric else {})
            for party, table in self.inputs.items()}, component="selection_0")


def kept(run: Run, party: tuple[str, str]) -> list[str]:
    return header(run.outputs(party))
