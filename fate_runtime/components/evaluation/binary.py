"""Binary classification metrics as FATE 1.2's Evaluation computes them: AUC and KS, and the ROC, KS, lift, gain,
accuracy, precision and recall curves at its 100 quantile thresholds.

A row counts as predicted positive when its score is above a threshold (FATE's `>`). The thresholds are FATE's:
for KS the scores at each percentile of the rows sorted by score, for the other curves the distinct scores (highest
first) at each percentile, and for ROC the thresholds of the ROC curve at each percentile.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np

QUANTILES = np.arange(0, 1, 0.01)  # FATE's percentiles for thresholds (numpy's values for them, as FATE uses)
KS_QUANTILES = np.arange(100) / 100  # its percentiles for KS (computed as c / 100, which differs in a few bits)


@dataclasses.dataclass
class Curve:
    """Points (x[i], y[i]) and the score thresholds FATE records beside them (not always one per point)."""

    x: list[Any]
    y: list[float]
    thresholds: list[float]


@dataclasses.dataclass
class BinaryMetrics:
    auc: float
    ks: float
    ks_fpr: Curve
    ks_tpr: Curve
    roc: Curve
    lift: Curve
    gain: Curve
    accuracy: Curve
    precision: Curve
    recall: Curve


class RankedScores:
    """The scores sorted once: how many positives and negatives score above (or at least) any threshold."""

    def __init__(self, positive: np.ndarray, scores: np.ndarray) -> None:
        order = np.argsort(scores, kind="stable")
        self.scores = scores[order]
        self.positives_below = np.concatenate(([0], np.cumsum(positive[order])))
        self.rows = len(scores)
        self.positives = int(self.positives_below[-1])
        self.negatives = self.rows - self.positives

    def above(self, thresholds: np.ndarray, inclusive: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(true positives, false positives) when the scores above (or, `inclusive`, at least) each threshold are
        predicted positive."""
        below = np.searchsorted(self.scores, thresholds, side="left" if inclusive else "right")
        true_positives = self.positives - self.positives_below[below]
        return true_positives, (self.rows - below) - true_positives

    def quantile_thresholds(self) -> np.ndarray:
        """The distinct scores, highest first, at each of FATE's percentiles (repeated when there are fewer)."""
        distinct = np.unique(self.scores)[::-1]
        return distinct[(len(distinct) * QUANTILES).astype(int)]


def roc_points(ranked: RankedScores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) of the ROC curve without its collinear inner points, as scikit-learn's roc_curve gives
    them; it starts at (0, 0) with the highest score + 1 as threshold (scikit-learn's choice in FATE 1.2's days)."""
    thresholds = np.unique(ranked.scores)[::-1]
    true_positives, false_positives = ranked.above(thresholds, inclusive=True)
    if len(thresholds) > 2:
        turns = np.logical_or(np.diff(false_positives, 2), np.diff(true_positives, 2))
        kept = np.flatnonzero(np.concatenate(([True], turns, [True])))
        thresholds, true_positives, false_positives = thresholds[kept], true_positives[kept], false_positives[kept]
    thresholds = np.concatenate(([thresholds[0] + 1], thresholds))
    return (np.concatenate(([0], false_positives)) / ranked.negatives,
            np.concatenate(([0], true_positives)) / ranked.positives, thresholds)


def _highest_per_x(x: Sequence[Any], y: Sequence[float]) -> list[int]:
    """For each distinct x, in the order they first appear, the first index where y is highest (FATE keeps one
    point per abscissa)."""
    best: dict[Any, int] = {}
    for index, (abscissa, ordinate) in enumerate(zip(x, y)):
        if abscissa not in best or ordinate > y[best[abscissa]]:
            best[abscissa] = index
    return list(best.values())


def _ks(ranked: RankedScores) -> tuple[float, Curve, Curve]:
    thresholds = ranked.scores[::-1][(ranked.rows * KS_QUANTILES).astype(int)]
    true_positives, false_positives = ranked.above(thresholds)
    tpr, fpr = true_positives / ranked.positives, false_positives / ranked.negatives
    cuts, kept = [*KS_QUANTILES, 1.0], list(thresholds)
    return float(np.max(tpr - fpr)), Curve(cuts, [*fpr, 1.0], kept), Curve(cuts, [*tpr, 1.0], kept)


def _roc(fpr: np.ndarray, tpr: np.ndarray, thresholds: np.ndarray) -> Curve:
    at = (len(thresholds) * QUANTILES).astype(int)
    x, y, picked = [*fpr[at], 1.0], [*tpr[at], 1.0], thresholds[at]
    kept = _highest_per_x(x, y)
    return Curve([x[i] for i in kept], [y[i] for i in kept], [picked[i] for i in kept if i < len(picked)])


def _closed(x: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> Curve:
    """One point per x (the highest), then FATE's closing point (1, 1) at threshold 0."""
    kept = _highest_per_x(list(x), list(y))
    return Curve([*x[kept], 1.0], [*y[kept], 1.0], [*thresholds[kept], 0.0])


def _lift_and_gain(ranked: RankedScores, thresholds: np.ndarray) -> tuple[Curve, Curve]:
    """x: the share of rows predicted positive; lift: precision over the share of positives; gain: recall."""
    true_positives, false_positives = ranked.above(thresholds)
    predicted = true_positives + false_positives
    precision = np.divide(true_positives, predicted, out=np.ones(len(predicted)), where=predicted > 0)
    share = predicted / ranked.rows
    return (_closed(share, precision / (ranked.positives / ranked.rows), thresholds),
            _closed(share, true_positives / ranked.positives, thresholds))


def _accuracy(ranked: RankedScores, thresholds: np.ndarray) -> Curve:
    true_positives, false_positives = ranked.above(thresholds)
    correct = true_positives + ranked.negatives - false_positives
    return Curve(list(QUANTILES), list(correct / ranked.rows), list(thresholds))


def _precision_and_recall(ranked: RankedScores, thresholds: np.ndarray) -> tuple[Curve, Curve]:
    """Both against FATE's percentiles, one point per distinct recall; a last threshold below every score (whose
    point FATE records without its threshold)."""
    thresholds = np.concatenate((thresholds, [thresholds.min() - 0.001]))
    cuts = [*QUANTILES, 1]  # (FATE closes these cuts with an int)
    true_positives, false_positives = ranked.above(thresholds)
    predicted = true_positives + false_positives
    precision = np.divide(true_positives, predicted, out=np.ones(len(predicted)), where=predicted > 0)
    recall = true_positives / ranked.positives
    kept = _highest_per_x(list(recall), list(precision))
    recorded = list(thresholds[kept[:-1] if kept[-1] == len(thresholds) - 1 else kept])
    x = [cuts[i] for i in kept]
    return Curve(x, list(precision[kept]), recorded), Curve(x, list(recall[kept]), recorded)


def binary_metrics(labels: np.ndarray, scores: np.ndarray, pos_label: float, what: str) -> BinaryMetrics:
    """Every binary metric of these predictions; ValueError (naming `what`) when they hold only one class."""
    positive = labels == pos_label
    if positive.all() or not positive.any():
        raise ValueError(f"binary evaluation of {what} needs both classes, but {'every' if positive.all() else 'no'} "
                         f"label equals pos_label {pos_label:g}")
    ranked = RankedScores(positive, scores.astype(float))
    fpr, tpr, roc_thresholds = roc_points(ranked)
    ks, ks_fpr, ks_tpr = _ks(ranked)
    thresholds = ranked.quantile_thresholds()
    lift, gain = _lift_and_gain(ranked, thresholds)
    precision, recall = _precision_and_recall(ranked, thresholds)
    return BinaryMetrics(float(np.trapezoid(tpr, fpr)), ks, ks_fpr, ks_tpr, _roc(fpr, tpr, roc_thresholds), lift,
                         gain, _accuracy(ranked, thresholds), precision, recall)
