"""Scoring rows with trained weights: the guest adds every host's clear partial score w_h x_h to its own.

Used after training (FATE's output of the train data, type "train"; an eval_data input, "validate")
and in predict jobs (type "predict"). Hosts send the guest only their partial scores, never features.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.hetero_lr.blocks import Layout, PartyRows, checked_layout, guest_layout
from fate_runtime.components.hetero_lr.cipher_blocks import forward
from fate_runtime.components.hetero_lr.model import Weights
from fate_runtime.components.instances import InstanceBlock
from storage.computing import ComputingTable

OUTPUT_HEADER = ["label", "predict_result", "predict_score", "predict_detail", "type"]
GUEST, HOST = "guest", "host"


def _summed(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return left + right


def _result_rows(block: InstanceBlock, scores: np.ndarray, threshold: float, kind: str) -> list[tuple[Any, list[Any]]]:
    probabilities = 1.0 / (1.0 + np.exp(-scores))
    labels = [None] * len(block) if block.labels is None else [int(label) for label in block.labels]
    return [(key, [label, int(p > threshold), float(p), {"0": float(1.0 - p), "1": float(p)}, kind])
            for key, label, p in zip(block.ids, labels, probabilities)]


def _pairs(key: Any, rows: list[tuple[Any, list[Any]]]) -> list[tuple[Any, list[Any]]]:
    return rows


def received_layout(ctx: ComponentContext, rows: PartyRows, tag: str) -> Layout:
    """A host's side: the guest's layout under `tag`, checked, after telling the guest how many of its ids this
    host has no row for (ValueError if any)."""
    layout = checked_layout(ctx.federation.get("batch_layout", tag, ctx.parties(GUEST))[0])
    missing = rows.missing(layout)
    ctx.federation.remote(missing, "host_missing_rows", tag, ctx.parties(GUEST))
    if missing:
        raise ValueError(f"host {ctx.party_id} has no row for {missing} of the guest's {layout.total()} ids")
    return layout


def host_scores(ctx: ComponentContext, rows: PartyRows, weights: Weights, tag: str) -> None:
    """A host's part: its partial score of every row the guest lays out under `tag`, sent to the guest."""
    layout = received_layout(ctx, rows, tag)
    blocks = rows.blocks(ctx.store, ctx.store.temp_namespace, f"score.{tag}", layout, 0)
    partial_scores = blocks.map_values(functools.partial(forward, weights=weights.coefficients, intercept=0.0))
    ctx.federation.remote(partial_scores, "host_prob", tag, ctx.parties(GUEST))


def guest_scores(ctx: ComponentContext, rows: PartyRows, weights: Weights, partitions: int, tag: str,
                 kind: str) -> ComputingTable:
    """The guest's part: every row scored with the hosts' partial scores, as FATE's prediction rows
    (label, predicted label, probability, detail, type) by id."""
    layout = guest_layout(rows.block.ids, -1, partitions, ctx.store.parallelism())
    hosts = ctx.parties(HOST)
    ctx.federation.remote(layout, "batch_layout", tag, hosts)
    check_hosts_have_rows(ctx, layout, tag)
    blocks = rows.blocks(ctx.store, ctx.store.temp_namespace, f"score.{tag}", layout, 0)
    scores = blocks.map_values(functools.partial(forward, weights=weights.coefficients, intercept=weights.intercept))
    for host_table in ctx.federation.get("host_prob", tag, hosts):
        scores = scores.join(host_table, _summed)
    threshold = ctx.params["predict_param"]["threshold"]
    results = blocks.join(scores, functools.partial(_result_rows, threshold=threshold, kind=kind))
    return results.flat_map(_pairs)


def check_hosts_have_rows(ctx: ComponentContext, layout: Layout, tag: str) -> None:
    """ValueError naming a host that lacks rows for some of the guest's ids (each host reports its count)."""
    for (_, party_id), missing in zip(ctx.parties(HOST), ctx.federation.get("host_missing_rows", tag,
                                                                             ctx.parties(HOST))):
        if isinstance(missing, bool) or not isinstance(missing, int) or not 0 <= missing <= layout.total():
            raise ValueError(f"host {party_id} answered the batch layout with {missing!r} missing rows")
        if missing and missing == layout.total():
            raise ValueError(f"host {party_id} has none of the guest's ids: no overlapping ids (run Intersection "
                             "first)")
        if missing:
            raise ValueError(f"host {party_id} has no row for {missing} of the guest's {layout.total()} ids "
                             "(run Intersection first)")
