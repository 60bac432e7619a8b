"""HeteroFeatureSelection (FATE 1.2): FATE's filters, in the order `filter_methods` gives, each judging the columns
every earlier one kept.

What each role sends and learns:
- unique_value, coefficient_of_variation_value_thres, outlier_cols and manually: each party on its own columns;
  nothing is sent.
- iv_value_thres and iv_percentile use the HeteroFeatureBinning model given as `isometric_model`. A host sends
  the guest the anonymous names ("host.<index>") of the columns the filter judges and learns which of them are
  kept - never an IV. The guest holds every IV (its binning model has the hosts' under those names) and learns,
  besides what binning told it, how many columns each host offers; never a host column's name or value.
  With `local_only` only the guest's own columns are judged and the hosts keep theirs.
- The arbiter takes no part (FATE runs selection on the guest and hosts only).
Output data: the input rows with the kept columns only, the header likewise. Model: FATE's FeatureSelectionMeta
and FeatureSelectionParam (each filter's values and kept columns; at the guest the hosts' too). Predict keeps the
trained model's columns. FATE's defaults (the seed job gives none): the unique_value filter alone, eps 1e-5.
"""

from __future__ import annotations

from fate_runtime.components.binning.steps import input_table
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.selection.hetero_feature_selection import MODULE, fit, predict
from fate_runtime.components.selection.params import PARAMS
from fate_runtime.components.spec import ComponentSpec
from federation import TransferVariable

GUEST, HOST = "guest", "host"

VARIABLES = (TransferVariable("host_select_cols", HOST, (GUEST,)),
             TransferVariable("result_left_cols", GUEST, (HOST,)))


def run(ctx: ComponentContext) -> None:
    table = input_table(ctx, MODULE)
    (predict if ctx.predicting else fit)(ctx, table)


# FATE's setting_conf names guest and host only; need_deploy is FATE's default, true
SPEC = ComponentSpec(MODULE, (GUEST, HOST), PARAMS, VARIABLES, run, required_roles=(GUEST,), deploy=True)
