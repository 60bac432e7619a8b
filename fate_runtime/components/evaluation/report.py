"""Evaluation's results in FATE 1.2's tracking shapes: the namespaces, names, metric types and metas its clients
and FATE-Board read.

Metrics of data type `mode` ("train", "validate") of the output of component `source` go to namespace `mode`:
single values under the name `source` (metric_type EVALUATION_SUMMARY), curves under `<source>_<curve>`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fate_runtime.components.context import Tracker
from fate_runtime.components.evaluation.binary import BinaryMetrics, Curve
from fate_runtime.components.evaluation.multi_class import MultiClassMetrics

DECIMALS = 6
INFINITE = -9999999.0  # what FATE records for an infinite single value


def _rounded(value: float | np.floating[Any]) -> float:
    return float(np.round(value, DECIMALS))


def _abscissa(value: Any) -> Any:
    """A curve's x as FATE keys it: floats rounded, ints (class labels, its int cut) left as they are."""
    return _rounded(value) if isinstance(value, (float, np.floating)) else int(value)


class Report:
    """Where the metrics of one data type of one evaluated output go."""

    def __init__(self, tracker: Tracker, source: str, mode: str) -> None:
        self._tracker = tracker
        self.source = source
        self._mode = mode

    def summary(self, values: dict[str, float]) -> None:
        """Single values (sorted by name, as FATE-Flow lists them)."""
        points = [(name, INFINITE if math.isinf(value) else _rounded(value)) for name, value in sorted(values.items())]
        self._tracker.log_metric_data(self._mode, self.source, points)
        self._tracker.set_metric_meta(self._mode, self.source, {"name": self.source,
                                                                "metric_type": "EVALUATION_SUMMARY"})

    def curve(self, suffix: str, curve: Curve, metric_type: str, **extras: str) -> None:
        """Points sorted by x under `<source>_<suffix>`, and a meta with FATE's extras (thresholds, where there are
        any)."""
        name = f"{self.source}_{suffix}"
        points = sorted(((_abscissa(x), _rounded(y)) for x, y in zip(curve.x, curve.y)), key=lambda point: point[0])
        self._tracker.log_metric_data(self._mode, name, points)
        meta: dict[str, Any] = {**extras, "name": name, "metric_type": f"{metric_type}_EVALUATION"}
        if curve.thresholds:
            meta["thresholds"] = [_rounded(threshold) for threshold in curve.thresholds]
        self._tracker.set_metric_meta(self._mode, name, meta)


def report_binary(report: Report, metrics: BinaryMetrics) -> None:
    source = report.source
    report.summary({"auc": metrics.auc, "ks": metrics.ks})
    report.curve("ks_fpr", metrics.ks_fpr, "KS", curve_name=f"{source}_fpr", pair_type=source)
    report.curve("ks_tpr", metrics.ks_tpr, "KS", curve_name=f"{source}_tpr", pair_type=source)
    report.curve("lift", metrics.lift, "LIFT", curve_name=source)
    report.curve("gain", metrics.gain, "GAIN", curve_name=source)
    report.curve("accuracy", metrics.accuracy, "ACCURACY", curve_name=source)
    report.curve("precision", metrics.precision, "PRECISION_BINARY", ordinate_name="Precision", curve_name=source,
                 pair_type=source)
    report.curve("recall", metrics.recall, "RECALL_BINARY", ordinate_name="Recall", curve_name=source,
                 pair_type=source)
    report.curve("roc", metrics.roc, "ROC", unit_name="fpr", ordinate_name="tpr", curve_name=source)


def report_multi_class(report: Report, metrics: MultiClassMetrics) -> None:
    """Accuracy and the mean precision and recall as single values; precision and recall per class as curves."""
    source = report.source
    report.summary({"accuracy": metrics.accuracy, "precision": float(np.mean(metrics.precision)),
                    "recall": float(np.mean(metrics.recall))})
    for suffix, ordinate, values in (("precision", "Precision", metrics.precision),
                                     ("recall", "Recall", metrics.recall)):
        report.curve(suffix, Curve(list(metrics.classes), values, []), f"{suffix.upper()}_MULTI",
                     ordinate_name=ordinate, curve_name=f"{source}_{suffix}", pair_type=source)
