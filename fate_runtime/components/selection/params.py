"""HeteroFeatureSelection's parameters: FATE 1.2's FeatureSelectionParam, names, nesting and defaults."""

from __future__ import annotations

from fate_runtime.components.binning.param_kinds import EVERY_COLUMN, ListOf, OpenBounded, column_indexes, \
    column_names
from fate_runtime.components.params import Param, Params
from fate_runtime.components.selection.local_filters import COEFFICIENT_OF_VARIATION, IV_PERCENTILE, IV_VALUE, \
    MANUALLY, OUTLIER, UNIQUE_VALUE

FILTER_METHODS = (UNIQUE_VALUE, IV_VALUE, IV_PERCENTILE, COEFFICIENT_OF_VARIATION, OUTLIER, MANUALLY)

PARAMS: dict[str, Param | Params] = {
    "select_col_indexes": column_indexes(EVERY_COLUMN, every=True, nullable=False),
    "select_names": column_names([]),
    "filter_methods": ListOf(list, [UNIQUE_VALUE], item=str, item_choices=FILTER_METHODS,
                             items_are=f"filter methods ({', '.join(FILTER_METHODS)})"),
    "unique_param": Params(eps=OpenBounded(float, 1e-5)),
    "iv_value_param": Params(value_threshold=Param(float, 0.0),
                             host_thresholds=ListOf(list, None, nullable=True, item=float, items_are="numbers"),
                             local_only=Param(bool, False)),
    "iv_percentile_param": Params(percentile_threshold=Param(float, 1.0, minimum=0.0, maximum=1.0),
                                  local_only=Param(bool, False)),
    "variance_coe_param": Params(value_threshold=OpenBounded(float, 1.0)),
    "outlier_param": Params(percentile=Param(float, 1.0, minimum=0.0, maximum=1.0), upper_threshold=Param(float, 1.0)),
    "manually_param": Params(filter_out_indexes=column_indexes([]), filter_out_names=column_names([])),
}
