"""Binary metrics of Evaluation against scikit-learn and direct numpy counts at FATE 1.2's thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score, roc_curve

from fate_runtime.components.evaluation.binary import (KS_QUANTILES, QUANTILES, BinaryMetrics, RankedScores,
                                                       binary_metrics, roc_points)

# (rows, scores rounded to one decimal: many ties); up to 100 rows FATE's percentiles reach every row
CASES = [(60, False), (60, True), (100, False), (400, False), (400, True), (1000, True)]


def predictions(rows: int, ties: bool, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + rows)
    labels = rng.integers(0, 2, rows)
    scores = np.clip(labels * 0.3 + rng.random(rows) * 0.7, 0, 1)
    return labels, np.round(scores, 1) if ties else scores


def metrics_of(rows: int, ties: bool) -> tuple[np.ndarray, np.ndarray, BinaryMetrics]:
    labels, scores = predictions(rows, ties)
    return labels, scores, binary_metrics(labels, scores, 1, "the test rows")


def distinct_at_percentiles(scores: np.ndarray) -> np.ndarray:
    distinct = sorted(set(scores.tolist()), reverse=True)
    return np.array([distinct[int(len(distinct) * float(q))] for q in QUANTILES])


@pytest.mark.parametrize("rows, ties", CASES)
def test_auc_is_scikit_learns(rows: int, ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    assert metrics.auc == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


@pytest.mark.parametrize("rows, ties", CASES)
def test_the_roc_curve_is_scikit_learns_starting_at_the_highest_score_plus_one(rows: int, ties: bool) -> None:
    labels, scores = predictions(rows, ties)
    fpr, tpr, thresholds = roc_points(RankedScores(labels == 1, scores))
    expected_fpr, expected_tpr, expected_thresholds = roc_curve(labels, scores, drop_intermediate=True)
    assert np.array_equal(fpr, expected_fpr) and np.array_equal(tpr, expected_tpr)
    assert np.array_equal(thresholds[1:], expected_thresholds[1:]) and thresholds[0] == scores.max() + 1


@pytest.mark.parametrize("rows, ties", CASES)
def test_the_recorded_roc_keeps_one_point_per_fpr_at_fates_percentiles(rows: int, ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    expected_fpr, expected_tpr, expected_thresholds = roc_curve(labels, scores, drop_intermediate=True)
    roc = metrics.roc
    assert list(roc.x) == sorted(set(roc.x)) and (roc.x[-1], roc.y[-1]) == (1.0, 1.0)
    points = set(zip(expected_fpr.tolist(), expected_tpr.tolist()))
    assert all((x, y) in points for x, y in zip(roc.x, roc.y))
    at = [int(len(expected_thresholds) * float(q)) for q in QUANTILES]
    for x, y in zip(roc.x, roc.y):  # the highest tpr of the points at this fpr among the percentile points
        assert y == max(expected_tpr[i] for i in at + [len(expected_tpr) - 1] if expected_fpr[i] == x)
    for x, y, threshold in zip(roc.x, roc.y, roc.thresholds):  # (no threshold for a closing (1, 1) of FATE's)
        assert (np.mean(scores[labels == 0] >= threshold), np.mean(scores[labels == 1] >= threshold)) == (x, y)
    assert len(roc.thresholds) in (len(roc.x), len(roc.x) - 1)


@pytest.mark.parametrize("rows, ties", [case for case in CASES if case[0] <= 100])
def test_ks_is_the_largest_tpr_minus_fpr_when_the_percentiles_reach_every_row(rows: int, ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    fpr, tpr, _ = roc_curve(labels, scores)
    assert metrics.ks == pytest.approx(float(np.max(tpr - fpr)), abs=1e-12)


@pytest.mark.parametrize("rows, ties", CASES)
def test_ks_and_its_curves_are_counted_at_the_scores_of_fates_percentile_rows(rows: int, ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    descending = np.sort(scores)[::-1]
    thresholds = [descending[int(rows * (c / 100))] for c in range(100)]
    fpr = [float(np.mean(scores[labels == 0] > t)) for t in thresholds]
    tpr = [float(np.mean(scores[labels == 1] > t)) for t in thresholds]
    assert metrics.ks == pytest.approx(max(np.subtract(tpr, fpr)), abs=1e-12)
    assert metrics.ks <= np.max(np.subtract(*roc_curve(labels, scores)[1::-1])) + 1e-12
    assert metrics.ks_fpr.thresholds == metrics.ks_tpr.thresholds == thresholds
    assert metrics.ks_fpr.x == metrics.ks_tpr.x == [*KS_QUANTILES, 1.0]
    assert metrics.ks_fpr.y == pytest.approx([*fpr, 1.0]) and metrics.ks_tpr.y == pytest.approx([*tpr, 1.0])


@pytest.mark.parametrize("rows, ties", CASES)
def test_lift_and_gain_at_fates_thresholds_one_point_per_share_then_one_one(rows: int, ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    for curve in (metrics.lift, metrics.gain):
        assert (curve.x[-1], curve.y[-1], curve.thresholds[-1]) == (1.0, 1.0, 0.0)
        assert curve.x[:-1] == sorted(set(curve.x[:-1])) and set(curve.thresholds[:-1]) <= set(scores.tolist())
    for curve, expected in ((metrics.gain, recall_score), (metrics.lift, precision_score)):
        for x, y, threshold in zip(curve.x[:-1], curve.y[:-1], curve.thresholds[:-1]):
            predicted = scores > threshold
            assert x == pytest.approx(np.mean(predicted))
            value = expected(labels, predicted, zero_division=1.0)
            assert y == pytest.approx(value / np.mean(labels) if curve is metrics.lift else value)


@pytest.mark.parametrize("rows, ties", CASES)
def test_accuracy_at_each_of_fates_percentile_thresholds(rows: int, ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    assert metrics.accuracy.x == list(QUANTILES)
    assert metrics.accuracy.thresholds == list(distinct_at_percentiles(scores))
    assert metrics.accuracy.y == pytest.approx([accuracy_score(labels, scores > t)
                                                for t in metrics.accuracy.thresholds])


@pytest.mark.parametrize("rows, ties", CASES)
def test_precision_and_recall_one_point_per_recall_down_to_a_threshold_below_every_score(rows: int,
                                                                                         ties: bool) -> None:
    labels, scores, metrics = metrics_of(rows, ties)
    precision, recall = metrics.precision, metrics.recall
    assert precision.x == recall.x and precision.thresholds == recall.thresholds
    assert recall.y == sorted(set(recall.y)) and recall.y[-1] == 1.0
    thresholds = [*distinct_at_percentiles(scores), float(scores.min()) - 0.001]
    cuts = [*QUANTILES, 1]
    for x, p, r in zip(precision.x, precision.y, recall.y):
        threshold = thresholds[cuts.index(x)]
        assert p == pytest.approx(precision_score(labels, scores > threshold, zero_division=1.0))
        assert r == pytest.approx(recall_score(labels, scores > threshold))
    recorded = [thresholds[cuts.index(x)] for x in precision.x]
    assert precision.thresholds in (recorded, recorded[:-1])  # FATE drops the one below every score


def test_all_scores_tied_give_auc_one_half_and_ks_zero() -> None:
    metrics = binary_metrics(np.array([0, 1, 0, 1, 1]), np.full(5, 0.4), 1, "the test rows")
    assert (metrics.auc, metrics.ks) == (0.5, 0.0)
    assert (metrics.roc.x, metrics.roc.y) == ([0.0, 1.0], [0.0, 1.0])


def test_pos_label_names_the_positive_class() -> None:
    labels, scores = predictions(80, False)
    metrics = binary_metrics(labels + 1, scores, 2, "the test rows")
    assert metrics.auc == pytest.approx(roc_auc_score(labels + 1 == 2, scores), abs=1e-12)
    flipped = binary_metrics(labels, scores, 0, "the test rows")  # the other class positive: the mirror curve
    assert flipped.auc == pytest.approx(1 - metrics.auc, abs=1e-12)


@pytest.mark.parametrize("labels, word", [([1, 1, 1], "every"), ([0, 0, 2], "no")])
def test_one_class_only_is_refused_naming_the_rows(labels: list[int], word: str) -> None:
    with pytest.raises(ValueError) as error:
        binary_metrics(np.array(labels), np.array([0.2, 0.5, 0.9]), 1, "the train rows of hetero_lr_0")
    assert str(error.value) == (f"binary evaluation of the train rows of hetero_lr_0 needs both classes, but {word} "
                                "label equals pos_label 1")
