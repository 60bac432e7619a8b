"""Helpers of the job-planning tests: FATE's example DSLs and confs, stand-ins for FATE modules we do not ship."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fate_runtime.components import ComponentSpec, Param

ROOT = Path(__file__).resolve().parents[2]
TOY_EXAMPLE = ROOT / "examples" / "toy_example"
FLOW_EXAMPLES = ROOT / "examples" / "fate_flow_examples"
FEDERATEDML_EXAMPLES = ROOT.parent / "shared" / "fate_examples" / "v1.2.0" / "federatedml-1.x-examples"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def federatedml_example(relative: str) -> Any:
    """One of FATE 1.2's federatedml-1.x-examples (kept next to the repo, in ../shared); skip if absent."""
    path = FEDERATEDML_EXAMPLES / relative
    if not path.is_file():
        pytest.skip(f"FATE's example {relative} is not available (../shared is missing)")
    return load_json(path)


def _never_run(ctx: Any) -> None:
    raise AssertionError("planning tests never run components")


def _spec(module: str, roles: tuple[str, ...], **params: Param) -> ComponentSpec:
    return ComponentSpec(module=module, roles=roles, params=params, variables=(), run=_never_run)


# Stand-ins for FATE modules this runtime does not implement, so FATE's own example jobs can be planned.
FAKE_MODULES = (
    _spec("DataIO", ("guest", "host"), with_label=Param(bool, False), label_name=Param(str, "y"),
          label_type=Param(str, "int", choices=("int", "float")),
          output_format=Param(str, "dense", choices=("dense", "sparse"))),
    _spec("HeteroFeatureBinning", ("guest", "host")),
    _spec("HeteroFeatureSelection", ("guest", "host")),
    _spec("Intersection", ("guest", "host")),
    _spec("HeteroLR", ("guest", "host", "arbiter"), penalty=Param(str, "L2", choices=("L1", "L2")),
          max_iter=Param(int, 100, minimum=1), learning_rate=Param(float, 0.01, minimum=0.0)),
    _spec("HeteroSecureBoost", ("guest", "host")),
    _spec("Evaluation", ("guest",)),
)
