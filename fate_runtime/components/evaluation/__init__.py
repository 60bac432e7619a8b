"""Evaluation (FATE 1.2's module): metrics of a model's predictions, recorded for FATE-Flow's tracking queries.

Privacy: only the guest evaluates. It reads its own prediction tables (labels and scores), computes aggregate
metrics and curves - whose thresholds are predicted scores - and records them in its own node's tracking; it sends
nothing and receives nothing. A host takes part as FATE declares the module (guest and host) but holds no labels:
its task reads nothing, records nothing and ends. There are no transfer variables.

Each input table (`input.data.data`) is evaluated per data type of its rows ("train", "validate"), under the name
of the component that wrote it, as `eval_type` says: binary (from predict_score, the rows whose label equals
`pos_label` being the positives), multi (from predict_result) or regression (from predict_score).
"""

from __future__ import annotations

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.evaluation.binary import binary_metrics
from fate_runtime.components.evaluation.multi_class import multi_class_metrics
from fate_runtime.components.evaluation.predictions import Predictions, read_predictions, source_component
from fate_runtime.components.evaluation.regression import regression_metrics
from fate_runtime.components.evaluation.report import Report, report_binary, report_multi_class
from fate_runtime.components.spec import ComponentSpec, Param

GUEST, HOST = "guest", "host"
BINARY, MULTI, REGRESSION = "binary", "multi", "regression"


def _evaluate(ctx: ComponentContext, report: Report, predictions: Predictions, what: str) -> None:
    eval_type = ctx.params["eval_type"]
    if eval_type == BINARY:
        report_binary(report, binary_metrics(predictions.labels, predictions.scores, ctx.params["pos_label"], what))
    elif eval_type == MULTI:
        report_multi_class(report, multi_class_metrics(predictions.labels, predictions.results))
    else:
        report.summary(regression_metrics(predictions.labels, predictions.scores))


def run(ctx: ComponentContext) -> None:
    if not ctx.params["need_run"]:
        return
    if ctx.role != GUEST:
        ctx.log.info("%s: the %s holds no predictions to evaluate", ctx.component, ctx.role)
        return
    sources = {source_component(table, ctx.job_id, ctx.role, ctx.party_id): table
               for table in ctx.inputs.get("data", [])}  # (as FATE, one table per source component)
    for source, table in sources.items():
        for mode, predictions in read_predictions(table, source).items():
            ctx.log.info("%s: %s evaluation of %d %s rows of %s", ctx.component, ctx.params["eval_type"],
                         len(predictions), mode, source)
            _evaluate(ctx, Report(ctx.tracker, source, mode), predictions, f"the {mode} rows of {source}")


SPEC = ComponentSpec(
    module="Evaluation",
    roles=(GUEST, HOST),
    params={"eval_type": Param(str, BINARY, choices=(BINARY, MULTI, REGRESSION)),
            "pos_label": Param(float, 1)},  # (FATE also takes a string; labels in prediction tables are numbers)
    variables=(),
    run=run,
)
