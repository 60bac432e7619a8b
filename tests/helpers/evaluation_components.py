"""A component for the Evaluation tests (nodes load it with FATE_RUNTIME_COMPONENTS).

Predictions: the guest turns its input table of "label,score,type" lines (as uploaded) into FATE's prediction rows
[label, predict_result, predict_score, predict_detail, type] as its output "train"; like FATE's HeteroLR host, the
host writes no output.
"""

from __future__ import annotations

from typing import Any

from fate_runtime.components import ComponentContext, ComponentSpec


def _prediction(line: str) -> list[Any]:
    label, score, kind = line.split(",")
    probability = float(score)
    return [int(label), int(probability > 0.5), probability, {"0": 1 - probability, "1": probability}, kind]


def run(ctx: ComponentContext) -> None:
    if ctx.role != "guest":
        return
    (table,) = ctx.inputs["data"]
    namespace, name = ctx.output_name("train")
    ctx.tracker.save_output_data("train", table.map_values(_prediction, namespace=namespace, name=name))


SPEC = ComponentSpec(module="Predictions", roles=("guest", "host"), params={}, variables=(), run=run)
