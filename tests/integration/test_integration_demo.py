"""`fate-flow demo`, the README's first command: FATE's hetero LR example on fresh nodes, standalone and cluster."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from integration_helpers import ROOT

pytestmark = pytest.mark.integration

RESULT = re.compile(r"job (?P<job>\d+) succeeded in [\d.]+ s: AUC (?P<auc>[\d.]+), KS (?P<ks>[\d.]+)")


def _demo(*args: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "flow_api.server_main", "demo", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def test_the_demo_trains_the_seed_job_to_the_same_auc_of_at_least_098_on_one_node_and_on_three() -> None:
    found = []
    for mode in ([], ["--cluster"]):
        code, output = _demo(*mode)
        result = RESULT.search(output)
        assert code == 0 and result, output
        for component in ("dataio_0", "hetero_feature_binning_0", "hetero_feature_selection_0", "hetero_lr_0",
                          "evaluation_0"):
            assert re.search(rf"{component}\s+success", output)
        found.append(float(result["auc"]))
    assert found[0] >= 0.98 and found[0] == found[1]  # (the demo pins HeteroLR's random start)
