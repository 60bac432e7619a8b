"""HeteroLR's parameters: FATE 1.2's HeteroLogisticParam names, nesting and defaults."""

from __future__ import annotations

from typing import Any

from fate_runtime.components.spec import Param, Params
from fate_runtime.crypto import KEY_LENGTHS

OPTIMIZERS = ("sgd", "rmsprop", "adam", "adagrad", "nesterov_momentum_sgd")
MIN_BATCH_SIZE = 10  # FATE's consts.MIN_BATCH_SIZE: smaller batches (other than -1, all rows) are refused

PARAMS: dict[str, Param | Params] = {
    "penalty": Param(str, "L2", choices=("L1", "L2", "NONE"), nullable=True),
    "tol": Param(float, 1e-5, minimum=0.0),
    "alpha": Param(float, 1.0, minimum=0.0),
    "optimizer": Param(str, "sgd", choices=OPTIMIZERS),
    "batch_size": Param(int, -1, minimum=-1),
    "learning_rate": Param(float, 0.01, minimum=0.0),
    "init_param": Params(init_method=Param(str, "random_uniform",
                                           choices=("random_uniform", "random_normal", "ones", "zeros", "const")),
                         init_const=Param(float, 1.0), fit_intercept=Param(bool, True),
                         random_seed=Param(int, None, nullable=True)),
    "max_iter": Param(int, 100, minimum=1),
    "early_stop": Param(str, "diff", choices=("diff", "abs", "weight_diff")),
    # FATE 1.2's hetero LR always encrypts with Paillier; `obfuscation` is ours (see the package's security note)
    "encrypt_param": Params(method=Param(str, "Paillier", choices=("Paillier",), nullable=True),
                            key_length=Param(int, 1024, choices=KEY_LENGTHS),
                            obfuscation=Param(str, "fixed_base", choices=("fixed_base", "fresh"))),
    "encrypted_mode_calculator_param": Params(mode=Param(str, "strict", choices=("strict", "fast", "balance",
                                                                                 "confusion_opt",
                                                                                 "confusion_opt_balance")),
                                              re_encrypted_rate=Param(float, 1.0, minimum=0.0, maximum=1.0)),
    "predict_param": Params(threshold=Param(float, 0.5, minimum=0.0, maximum=1.0)),
    "cv_param": Params(n_splits=Param(int, 5, minimum=2), mode=Param(str, "hetero"), role=Param(str, "guest"),
                       shuffle=Param(bool, True), random_seed=Param(int, 1, nullable=True),
                       need_cv=Param(bool, False)),
    "decay": Param(float, 1.0, minimum=0.0),
    "decay_sqrt": Param(bool, True),
    "sqn_param": Params(update_interval_L=Param(int, 3, minimum=1), memory_M=Param(int, 5, minimum=1),
                        sample_size=Param(int, 5000, minimum=1), random_seed=Param(int, None, nullable=True)),
    "multi_class": Param(str, "ovr", choices=("ovr",)),
    "validation_freqs": Param(int, None, nullable=True, minimum=1),
}


def check_supported(params: dict[str, Any]) -> None:
    """ValueError naming the first parameter whose value the checks of the tree cannot express or we do not run."""
    size = params["batch_size"]
    if size != -1 and size < MIN_BATCH_SIZE:
        raise ValueError(f"batch_size must be -1 (all rows) or at least {MIN_BATCH_SIZE}, got {size}")
    if params["cv_param"]["need_cv"]:
        raise ValueError("cv_param.need_cv true is not supported: HeteroLR has no cross validation here")
