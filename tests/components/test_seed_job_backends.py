"""The seed job's pipeline gives the same results whichever backend each party computes on: guest on Spark with
host and arbiter on LMDB, and every party on Spark, against every party on LMDB (same data, same random seed)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from component_harness import Party, PartyStores, Run
from protos.lr_model_pb2 import LRModelParam
from seed_pipeline import ARBITER, GUEST, HOST, run_seed_job
from spark_available import require_spark

pytestmark = pytest.mark.spark
TOLERANCE = 1e-9
SEED = 20261203


def close(a: Any, b: Any) -> bool:
    """Equal, floats (and numpy arrays) within TOLERANCE, recursively."""
    if isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return (math.isnan(a) and math.isnan(b)) or abs(float(a) - float(b)) <= TOLERANCE
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=0, atol=TOLERANCE, equal_nan=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[key], b[key]) for key in a)
    if dataclasses.is_dataclass(a):
        return all(close(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return bool(a == b)


def _results(runs: dict[str, Run]) -> dict[tuple[str, Party], dict[str, Any]]:
    """What each party's run of each component left: its metrics, its models and its output tables' rows."""
    found = {}
    for component, run in runs.items():
        for party, result in run.results.items():
            models = {alias: {name: LRModelParam.FromString(data).weight if name.endswith("Param") and
                              component.startswith("hetero_lr") else data for name, data in buffers.items()}
                      for alias, buffers in result.models.saved.items()}
            found[(component, party)] = {
                "metrics": result.tracker.metrics,
                "models": {alias: {name: dict(value) if not isinstance(value, bytes) else value
                                   for name, value in buffers.items()} for alias, buffers in models.items()},
                "tables": {name: list(table.collect()) for name, table in result.tracker.outputs.items()}}
    return found


@pytest.fixture(scope="module")
def lmdb_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, Party], dict[str, Any]]:
    runs, _ = run_seed_job(PartyStores(tmp_path_factory.mktemp("lmdb")), random_seed=SEED)
    return _results(runs)


@pytest.mark.parametrize("on_spark", [(GUEST,), (GUEST, HOST, ARBITER)], ids=["guest-on-spark", "all-on-spark"])
def test_the_seed_job_gives_the_lmdb_runs_results_on_spark(lmdb_results: dict[tuple[str, Party], dict[str, Any]],
                                                          on_spark: tuple[Party, ...], tmp_path: Path) -> None:
    require_spark()
    runs, _ = run_seed_job(PartyStores(tmp_path, spark=on_spark), random_seed=SEED)
    results = _results(runs)
    assert results.keys() == lmdb_results.keys()
    auc = results[("evaluation_0", GUEST)]["metrics"]
    assert any(name == "auc" for _, values in auc.items() for name, _ in values) or auc  # the evaluation reported
    for key, expected in lmdb_results.items():
        for part in ("metrics", "models", "tables"):
            assert close(results[key][part], expected[part]), f"{part} of {key[0]} ({key[1][0]}) differ"
    for party in on_spark:
        table = runs["dataio_0"].results[party].tracker.outputs["data"] if party != ARBITER else None
        assert table is None or type(table).__name__ == "SparkTable"
