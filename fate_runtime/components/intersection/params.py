"""Intersection's parameters: FATE 1.2's IntersectParam names and defaults."""

from __future__ import annotations

from fate_runtime.components.params import Param, Params

ENCODE_METHODS = ("none", "md5", "sha1", "sha224", "sha256", "sha384", "sha512")

PARAMS: dict[str, Param | Params] = {
    "intersect_method": Param(str, "raw", choices=("rsa", "raw")),
    "random_bit": Param(int, 128, minimum=1, maximum=4096),
    "sync_intersect_ids": Param(bool, True),
    "join_role": Param(str, "guest", choices=("guest", "host")),
    "with_encode": Param(bool, False),
    "only_output_key": Param(bool, False),
    "encode_params": Params(encode_method=Param(str, "none", choices=ENCODE_METHODS), salt=Param(str, ""),
                            base64=Param(bool, False)),
    # FATE's cache of host signatures between jobs: this runtime computes them every time (FATE never checks
    # id_type and encrypt_type - its own example names "tag1" and "tag2" - so neither is checked here)
    "intersect_cache_param": Params(use_cache=Param(bool, False), id_type=Param(str, "phone"),
                                    encrypt_type=Param(str, "sha256")),
    # FATE 1.2 expands repeated guest ids by sending the host a map of them in the clear: not offered
    "repeated_id_process": Param(bool, False, choices=(False,)),
    "repeated_id_owner": Param(str, "guest", choices=("guest",)),
}
