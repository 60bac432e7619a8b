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


@pytest.mark.parametrize("mode", [[], ["--cluster"]], ids=["standalone", "cluster"])
def test_the_demo_trains_the_seed_job_to_an_auc_of_at_least_098(mode: list[str]) -> None:
    code, output = _demo(*mode)
    found = RESULT.search(output)
    assert code == 0 and found, output
    assert float(found["auc"]) >= 0.98
    for component in ("dataio_0", "hetero_feature_binning_0", "hetero_feature_selection_0", "hetero_lr_0",
                      "evaluation_0"):
        assert re.search(rf"{component}\s+success", output)


def test_the_demo_gives_the_same_auc_on_one_node_and_on_three() -> None:
    results = [RESULT.search(_demo("--random-seed", "3", *mode)[1]) for mode in ([], ["--cluster"])]
    assert all(results) and results[0]["auc"] == results[1]["auc"]  # type: ignore[index]


def test_the_demo_fails_when_the_auc_is_too_low() -> None:
    code, output = _demo("--random-seed", "4", "--min-auc", "0.999")
    assert code == 1 and "is below 0.999" in output
