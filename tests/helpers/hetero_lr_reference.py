"""Breast data as instance tables for guest and host, and HeteroLR's algorithm computed in the clear.

The reference does in numpy, on the joined data, exactly what the federated protocol computes
under encryption (Taylor-expanded loss and gradient, the same initial weights and optimizer), so a
federated run must end with the same weights up to fixed-point rounding.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from fate_runtime.components.hetero_lr.optimizers import optimizer_for
from fate_runtime.components.hetero_lr.training import initial_weights
from fate_runtime.components.instances import Instance
from storage import Store, Table

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


@dataclasses.dataclass
class PartyData:
    ids: list[str]
    header: list[str]
    features: np.ndarray
    labels: np.ndarray | None

    def table(self, store: Store, name: str, partitions: int = 4) -> Table:
        table = store.create_table("hetero_lr_test", name, partitions)
        labels = [None] * len(self.ids) if self.labels is None else list(self.labels)
        table.put_all((key, Instance(row.copy(), None if label is None else float(label)))
                      for key, row, label in zip(self.ids, self.features, labels))
        table.set_schema({"header": self.header, "sid_name": "id", "label_name": "y" if self.labels is not None
                          else None})
        return table

    def columns(self, which: slice) -> "PartyData":
        return PartyData(self.ids, self.header[which], self.features[:, which], self.labels)

    def rows(self, keep: np.ndarray) -> "PartyData":
        return PartyData([self.ids[i] for i in np.flatnonzero(keep)], self.header, self.features[keep],
                         None if self.labels is None else self.labels[keep])


def breast(name: str, labelled: bool) -> PartyData:
    """breast_b (guest: id, y, x0..x9) or breast_a (host: id, x0..x19)."""
    lines = (DATA / name).read_text().splitlines()
    columns = lines[0].split(",")
    values = [line.split(",") for line in lines[1:]]
    ids = [row[0] for row in values]
    numbers = np.array([[float(v) for v in row[1:]] for row in values])
    if labelled:
        return PartyData(ids, columns[2:], numbers[:, 1:], numbers[:, 0])
    return PartyData(ids, columns[1:], numbers, None)


def joined(guest: PartyData, host: PartyData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(guest features, host features in the guest's row order, labels)."""
    position = {key: i for i, key in enumerate(host.ids)}
    order = [position[key] for key in guest.ids]
    assert guest.labels is not None
    return guest.features, host.features[order], guest.labels


def plaintext_hetero_lr(params: dict[str, Any], guest_x: np.ndarray, host_x: np.ndarray, y: np.ndarray,
                        host_split: int | None = None) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """(guest weights with the intercept last, host weights, loss per iteration) of full-batch training; with
    `host_split`, the host columns belong to two hosts (split there), each starting from its own weights."""
    fit = params["init_param"]["fit_intercept"]
    w_g = initial_weights(params["init_param"], guest_x.shape[1] + (1 if fit else 0))
    splits = [host_x.shape[1]] if host_split is None else [host_split, host_x.shape[1] - host_split]
    w_h = np.concatenate([initial_weights(params["init_param"], size) for size in splits])
    opt_g, opt_h = optimizer_for(params, fit), optimizer_for(params, False)
    signed = np.where(y == 1, 1.0, -1.0)
    guest_design = np.hstack([guest_x, np.ones((len(y), 1))]) if fit else guest_x
    losses = []
    for iteration in range(params["max_iter"]):
        opt_g.iteration = opt_h.iteration = iteration
        wx = guest_design @ w_g + host_x @ w_h
        loss = np.mean(np.log(2.0) - 0.5 * signed * wx + 0.125 * wx * wx)
        losses.append(float(loss + opt_g.penalty_loss(w_g) + opt_h.penalty_loss(w_h)))
        d = 0.25 * wx - 0.5 * signed
        w_g = opt_g.update(w_g, guest_design.T @ d / len(y))
        w_h = opt_h.update(w_h, host_x.T @ d / len(y))
    return w_g, w_h, losses
