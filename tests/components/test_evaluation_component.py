"""Evaluation as a component: what it records in the guest's tracking (FATE 1.2's namespaces, names, metric types
and metas), who evaluates, and the prediction tables it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from component_harness import JOB_ID, PartySetup, PartyStores, RecordingTracker, run_component
from sklearn.metrics import (explained_variance_score, mean_absolute_error, mean_squared_error,
                             mean_squared_log_error, median_absolute_error, precision_score, r2_score, recall_score,
                             roc_auc_score, roc_curve)

from fate_runtime.components import BUILTIN, ParameterError
from fate_runtime.components.evaluation import SPEC
from storage import Table

GUEST, HOST = ("guest", "10000"), ("host", "9999")
SOURCE = "hetero_lr_0"


def prediction_table(stores: PartyStores, rows: list[list[Any]], source: str = SOURCE,
                     data_name: str = "train") -> Table:
    """A prediction table as the output `data_name` of the guest's component `source`."""
    table = stores[GUEST].create_table(f"output.{JOB_ID}", f"{source}.{GUEST[0]}.{GUEST[1]}.{data_name}", 3)
    table.put_all(enumerate(rows))
    return table


def binary_rows(rows: int, seed: int = 3, kind: str = "train") -> tuple[np.ndarray, np.ndarray, list[list[Any]]]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    scores = np.clip(labels * 0.3 + rng.random(rows) * 0.7, 0, 1)
    return labels, scores, [[int(y), int(s > 0.5), float(s), {"0": 1 - float(s), "1": float(s)}, kind]
                            for y, s in zip(labels, scores)]


def evaluate(tmp_path: Path, *tables_or_rows: Any, **params: Any) -> RecordingTracker:
    stores = PartyStores(tmp_path)
    tables = [item if isinstance(item, Table) else prediction_table(stores, item) for item in tables_or_rows]
    run = run_component(SPEC, stores, {GUEST: PartySetup(params, {"data": tables}), HOST: PartySetup()},
                        component="evaluation_0")
    assert run.transfers == [] and run.results[HOST].tracker.metrics == {}
    return run.results[GUEST].tracker


def summary(tracker: RecordingTracker, mode: str = "train", source: str = SOURCE) -> dict[str, float]:
    return dict(tracker.metrics[(mode, source)])


def test_binary_records_fates_summary_curves_and_metas(tmp_path: Path) -> None:
    labels, scores, rows = binary_rows(90)
    tracker = evaluate(tmp_path, rows)
    fpr, tpr, _ = roc_curve(labels, scores)
    assert list(tracker.metrics[("train", SOURCE)]) == [
        ("auc", round(roc_auc_score(labels, scores), 6)), ("ks", round(float(np.max(tpr - fpr)), 6))]
    metas = {name: {k: v for k, v in meta.items() if k != "thresholds"} for (_, name), meta in tracker.metas.items()}
    s = SOURCE
    assert metas == {
        s: {"name": s, "metric_type": "EVALUATION_SUMMARY"},
        f"{s}_ks_fpr": {"name": f"{s}_ks_fpr", "metric_type": "KS_EVALUATION", "curve_name": f"{s}_fpr",
                        "pair_type": s},
        f"{s}_ks_tpr": {"name": f"{s}_ks_tpr", "metric_type": "KS_EVALUATION", "curve_name": f"{s}_tpr",
                        "pair_type": s},
        f"{s}_lift": {"name": f"{s}_lift", "metric_type": "LIFT_EVALUATION", "curve_name": s},
        f"{s}_gain": {"name": f"{s}_gain", "metric_type": "GAIN_EVALUATION", "curve_name": s},
        f"{s}_accuracy": {"name": f"{s}_accuracy", "metric_type": "ACCURACY_EVALUATION", "curve_name": s},
        f"{s}_precision": {"name": f"{s}_precision", "metric_type": "PRECISION_BINARY_EVALUATION",
                           "ordinate_name": "Precision", "curve_name": s, "pair_type": s},
        f"{s}_recall": {"name": f"{s}_recall", "metric_type": "RECALL_BINARY_EVALUATION", "ordinate_name": "Recall",
                        "curve_name": s, "pair_type": s},
        f"{s}_roc": {"name": f"{s}_roc", "metric_type": "ROC_EVALUATION", "unit_name": "fpr", "ordinate_name": "tpr",
                     "curve_name": s}}
    assert {namespace for namespace, _ in tracker.metrics} == {"train"}
    assert set(tracker.metrics) == set(tracker.metas)
    assert all(meta["thresholds"] for name, meta in tracker.metas.items() if name[1] != s)


def test_curves_are_sorted_by_x_with_six_decimals(tmp_path: Path) -> None:
    tracker = evaluate(tmp_path, binary_rows(300)[2])
    for (_, name), points in tracker.metrics.items():
        values = [value for point in points for value in point if isinstance(value, float)]
        values += tracker.metas[("train", name)].get("thresholds", [])
        assert all(value == round(value, 6) for value in values), name
        if name != SOURCE:
            xs = [x for x, _ in points]
            assert xs == sorted(xs) and len(set(xs)) == len(xs), name
    assert tracker.metrics[("train", f"{SOURCE}_roc")][-1] == (1.0, 1.0)


def test_a_recall_reached_only_below_every_score_is_at_fates_int_cut_without_its_threshold(tmp_path: Path) -> None:
    rows = [[label, 0, score, {}, "train"] for label, score in ((1, 0.9), (0, 0.5), (0, 0.4), (1, 0.1))]
    tracker = evaluate(tmp_path, rows)
    assert tracker.metrics[("train", f"{SOURCE}_precision")] == [(0.0, 1.0), (0.25, 1.0), (1, 0.5)]
    assert tracker.metrics[("train", f"{SOURCE}_recall")] == [(0.0, 0.0), (0.25, 0.5), (1, 1.0)]
    assert tracker.metas[("train", f"{SOURCE}_precision")]["thresholds"] == [0.9, 0.5]
    assert type(tracker.metrics[("train", f"{SOURCE}_recall")][-1][0]) is int


def test_train_and_validate_rows_are_evaluated_apart_in_their_namespaces(tmp_path: Path) -> None:
    train_labels, train_scores, train = binary_rows(70, seed=1)
    validate_labels, validate_scores, validate = binary_rows(40, seed=2, kind="validate")
    tracker = evaluate(tmp_path, [row for pair in zip(train, validate) for row in pair] + train[40:])
    assert {namespace for namespace, _ in tracker.metrics} == {"train", "validate"}
    assert summary(tracker, "train")["auc"] == round(roc_auc_score(train_labels, train_scores), 6)
    assert summary(tracker, "validate")["auc"] == round(roc_auc_score(validate_labels, validate_scores), 6)
    assert len(tracker.metrics) == 2 * 9


def test_each_input_is_named_after_the_component_that_wrote_it(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    first, second = binary_rows(50, seed=4)[2], binary_rows(50, seed=5)[2]
    job_input = stores[GUEST].create_table("experiment", "predictions", 2)
    job_input.put_all(enumerate(second))
    tables = [prediction_table(stores, first, "hetero_lr_0"), prediction_table(stores, second, "hetero_secureboost_0"),
              job_input]
    run = run_component(SPEC, stores, {GUEST: PartySetup({}, {"data": tables})})
    names = {name for _, name in run.results[GUEST].tracker.metrics}
    assert {"hetero_lr_0", "hetero_secureboost_0", "args"} <= names  # a job's own input table: FATE's "args"


def test_multi_class_accuracy_and_precision_recall_per_class(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    labels = rng.integers(0, 4, 120)
    predicted = np.where(rng.random(120) < 0.6, labels, rng.integers(0, 5, 120))  # class 4 is never a label
    rows = [[int(y), int(p), 0.5, {}, "train"] for y, p in zip(labels, predicted)]
    tracker = evaluate(tmp_path, rows, eval_type="multi")
    precision = precision_score(labels, predicted, average=None, zero_division=0.0)
    recall = recall_score(labels, predicted, average=None, zero_division=0.0)
    assert summary(tracker) == {"accuracy": round(float(np.mean(labels == predicted)), 6),
                                "precision": round(float(np.mean(precision)), 6),
                                "recall": round(float(np.mean(recall)), 6)}
    for name, values in (("precision", precision), ("recall", recall)):
        points = tracker.metrics[("train", f"{SOURCE}_{name}")]
        assert points == [(k, round(float(v), 6)) for k, v in zip(range(5), values)]
        assert all(type(k) is int for k, _ in points)
        assert tracker.metas[("train", f"{SOURCE}_{name}")] == {
            "name": f"{SOURCE}_{name}", "metric_type": f"{name.upper()}_MULTI_EVALUATION",
            "ordinate_name": name.capitalize(), "curve_name": f"{SOURCE}_{name}", "pair_type": SOURCE}


def regression_rows(labels: np.ndarray, predicted: np.ndarray) -> list[list[Any]]:
    return [[float(y), float(p), float(p), {}, "train"] for y, p in zip(labels, predicted)]


def test_regression_metrics_are_scikit_learns(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    labels = rng.gamma(2.0, 2.0, 200)
    predicted = np.abs(labels + rng.normal(0, 0.8, 200))
    tracker = evaluate(tmp_path, regression_rows(labels, predicted), eval_type="regression")
    expected = {"explained_variance": explained_variance_score(labels, predicted),
                "mean_absolute_error": mean_absolute_error(labels, predicted),
                "mean_squared_error": mean_squared_error(labels, predicted),
                "mean_squared_log_error": mean_squared_log_error(labels, predicted),
                "median_absolute_error": median_absolute_error(labels, predicted),
                "r2_score": r2_score(labels, predicted),
                "root_mean_squared_error": float(np.sqrt(mean_squared_error(labels, predicted)))}
    assert tracker.metrics[("train", SOURCE)] == [(name, round(value, 6)) for name, value in sorted(expected.items())]
    assert tracker.metas == {("train", SOURCE): {"name": SOURCE, "metric_type": "EVALUATION_SUMMARY"}}


def test_regression_leaves_out_the_log_error_of_negative_values(tmp_path: Path) -> None:
    labels = np.array([-1.0, 0.5, 2.0, 3.0])
    tracker = evaluate(tmp_path, regression_rows(labels, labels + 0.25), eval_type="regression")
    assert "mean_squared_log_error" not in summary(tracker)
    assert summary(tracker)["r2_score"] == round(r2_score(labels, labels + 0.25), 6)


def test_constant_labels_and_an_infinite_error_as_fate_records_them(tmp_path: Path) -> None:
    exact = evaluate(tmp_path / "exact", regression_rows(np.full(4, 2.0), np.full(4, 2.0)), eval_type="regression")
    assert summary(exact)["r2_score"] == 1.0 and summary(exact)["explained_variance"] == 1.0
    huge = evaluate(tmp_path / "huge", regression_rows(np.zeros(3), np.full(3, 1e200)), eval_type="regression")
    assert summary(huge)["mean_squared_error"] == -9999999.0  # FATE's stand-in for an infinite value


def test_the_host_and_a_switched_off_guest_record_nothing(tmp_path: Path) -> None:
    stores = PartyStores(tmp_path)
    table = prediction_table(stores, binary_rows(30)[2])
    host_table = stores[HOST].create_table(f"output.{JOB_ID}", f"{SOURCE}.host.9999.train", 1)
    run = run_component(SPEC, stores, {GUEST: PartySetup({"need_run": False}, {"data": [table]}),
                                       HOST: PartySetup({}, {"data": [host_table]})})
    assert all(result.tracker.metrics == {} and result.tracker.metas == {} for result in run.results.values())


def test_fates_roles_and_parameters() -> None:
    assert BUILTIN["Evaluation"] is SPEC and SPEC.roles == ("guest", "host") and not SPEC.deploy
    assert SPEC.parameters({"eval_type": "Multi"}) == ({"eval_type": "multi", "pos_label": 1, "need_run": True}, [])
    for bad, path in (({"eval_type": "ranking"}, "eval_type"), ({"pos_label": "yes"}, "pos_label")):
        with pytest.raises(ParameterError) as error:
            SPEC.parameters(bad)
        assert error.value.path == path


@pytest.mark.parametrize("rows, message", [
    ([], "the output of hetero_lr_0 has no rows to evaluate"),
    ([[1, 1, 0.9, {}, "train"], [0, 0, 0.1, {}]],
     "the output of hetero_lr_0 is not a prediction table: a row is not a list "
     "[label, predict_result, predict_score, predict_detail, type]"),
    ([[1, 1, 0.9, {}, "train"], ["yes", 0, 0.1, {}, "train"]],
     "the output of hetero_lr_0 has a label that is not a number"),
    ([[1, 1, 0.9, {}, "train"], [0, 0, "0.1", {}, "train"]],
     "the output of hetero_lr_0 has a predict_score that is not a number"),
    ([[1, 1, 0.9, {}, "train"], [0, 0, float("nan"), {}, "train"]],
     "the output of hetero_lr_0 has a predict_score that is not a finite number"),
    ([[1, 1, 0.9, {}, 0], [0, 0, 0.1, {}, "train"]], "the output of hetero_lr_0 has a type that is not a string"),
    ([[1, 1, 0.9, {}, "train"], [1, 0, 0.1, {}, "train"]],
     "binary evaluation of the train rows of hetero_lr_0 needs both classes, but every label equals pos_label 1"),
])
def test_bad_predictions_are_refused_naming_what_is_wrong(tmp_path: Path, rows: list[list[Any]],
                                                          message: str) -> None:
    with pytest.raises(ValueError) as error:
        evaluate(tmp_path, rows)
    assert str(error.value) == message
