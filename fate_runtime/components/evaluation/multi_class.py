"""Multi-class metrics as FATE 1.2's Evaluation computes them from predicted labels: accuracy, and precision and
recall per class (every class among the labels and the predictions, sorted) with their means."""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class MultiClassMetrics:
    accuracy: float
    classes: list[int | float]  # ints when the labels are
    precision: list[float]
    recall: list[float]


def _share(hits: np.ndarray, totals: np.ndarray) -> list[float]:
    """hits / totals per class, 0 for a class with no rows (as scikit-learn's precision and recall)."""
    return list(np.divide(hits, totals, out=np.zeros(len(totals)), where=totals > 0))


def multi_class_metrics(labels: np.ndarray, predicted: np.ndarray) -> MultiClassMetrics:
    classes = np.unique(np.concatenate((labels, predicted)))
    label_class, predicted_class = np.searchsorted(classes, labels), np.searchsorted(classes, predicted)
    correct = label_class == predicted_class
    hits = np.bincount(label_class[correct], minlength=len(classes))
    return MultiClassMetrics(float(np.mean(correct)), classes.tolist(),
                             _share(hits, np.bincount(predicted_class, minlength=len(classes))),
                             _share(hits, np.bincount(label_class, minlength=len(classes))))
