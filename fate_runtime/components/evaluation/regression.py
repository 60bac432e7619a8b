"""Regression metrics of predicted scores against labels, by their FATE names."""

from __future__ import annotations

import numpy as np


def _explained(residual_spread: float, label_spread: float) -> float:
    """1 - residual_spread / label_spread; for constant labels 1 when the fit is exact, else 0 (as scikit-learn)."""
    if label_spread == 0:
        return 1.0 if residual_spread == 0 else 0.0
    return 1 - residual_spread / label_spread


def regression_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """FATE 1.2's regression metrics, and mean_squared_log_error where it is defined (no negative value)."""
    labels, scores = labels.astype(float), scores.astype(float)
    errors = labels - scores
    with np.errstate(over="ignore"):  # an error too large for a float: infinite, recorded as FATE records it
        squared = float(np.mean(errors ** 2))
        metrics = {"explained_variance": _explained(float(np.var(errors)), float(np.var(labels))),
                   "mean_absolute_error": float(np.mean(np.abs(errors))),
                   "mean_squared_error": squared,
                   "median_absolute_error": float(np.median(np.abs(errors))),
                   "r2_score": _explained(float(np.sum(errors ** 2)), float(np.sum((labels - labels.mean()) ** 2))),
                   "root_mean_squared_error": float(np.sqrt(squared))}
    if labels.min() >= 0 and scores.min() >= 0:
        metrics["mean_squared_log_error"] = float(np.mean((np.log1p(labels) - np.log1p(scores)) ** 2))
    return metrics
