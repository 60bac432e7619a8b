"""FATE's breast data (or any numbers) as instance tables - the rows DataIO makes - for the feature components' tests."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from fate_runtime.components.instances import Instance
from storage import Store, Table

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
