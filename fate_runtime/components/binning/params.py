"""HeteroFeatureBinning's parameters: FATE 1.2's FeatureBinningParam, names, nesting and defaults."""

from __future__ import annotations

from fate_runtime.components.binning.param_kinds import EVERY_COLUMN, OpenBounded, column_indexes, column_names
from fate_runtime.components.binning.split_points import BUCKET, QUANTILE
from fate_runtime.components.binning.transform import BIN_NUM, WOE
from fate_runtime.components.params import Param, Params

MAX_BINS = 10_000  # bins per column: beyond this the per-row bin matrices would not fit a worker's memory

PARAMS: dict[str, Param | Params] = {
    "method": Param(str, QUANTILE, choices=(QUANTILE, BUCKET)),
    # FATE's quantile-summary buffer sizes: kept in the model; here the summaries are bounded by `error` alone
    "compress_thres": Param(int, 10000, minimum=1),
    "head_size": Param(int, 10000, minimum=1),
    "error": Param(float, 0.001, minimum=0.0, maximum=1.0),
    "bin_num": Param(int, 10, minimum=1, maximum=MAX_BINS),
    "bin_indexes": column_indexes(EVERY_COLUMN, every=True),
    "bin_names": column_names(None),
    "adjustment_factor": OpenBounded(float, 0.5, above=0.0, below=1.0),
    "category_indexes": column_indexes(None),
    "category_names": column_names(None),
    "local_only": Param(bool, False),
    "transform_param": Params(transform_cols=column_indexes(EVERY_COLUMN, every=True),
                              transform_names=column_names(None),
                              # FATE 1.2 defaults to "bin_num", which makes its own hetero LR example train on bin
                              # indexes (AUC about 0.5); here the rows change only when a transform is asked for
                              transform_type=Param(str, None, choices=(BIN_NUM, WOE), nullable=True)),
}
