"""Parties and tables shared by the intersection tests: ids that say whose they are, so that a test can look for
them in everything that crossed the federation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable

from component_harness import PartySetup, PartyStores, Run, run_component
from fate_runtime.components import intersection
from storage import Table
from uploaded_tables import stored

GUEST = ("guest", "9999")
HOST, HOST_B = ("host", "10000"), ("host", "10001")
SHARED = [f"shared-id-{i:04d}" for i in range(30)]
GUEST_ONLY = [f"guest-only-{i:04d}" for i in range(10)]
HOST_ONLY = [f"host-only-{i:04d}" for i in range(15)]


def id_table(stores: PartyStores, party: tuple[str, str], ids: Iterable[str]) -> Table:
    """A table of these ids, each row saying whose it is."""
    return stored(stores[party], {sid: f"{party[1]},{index}" for index, sid in enumerate(ids)}, "owner,index")


def run_intersection(tmp_path: Path, tables: dict[tuple[str, str], list[str]], timeout: float = 30.0,
                     component: str = "intersect_0", **params: Any) -> Run:
    """Intersection over these parties' ids with the same parameters for all."""
    stores = PartyStores(tmp_path)
    setups = {party: PartySetup(params, {"data": [id_table(stores, party, ids)]}) for party, ids in tables.items()}
    return run_component(intersection.SPEC, stores, setups, component=component, timeout=timeout)


def run_expecting(tmp_path: Path, tables: dict[tuple[str, str], list[str]], **params: Any) -> tuple[str, float]:
    """(the error message of a run that fails, the seconds it took)."""
    started = time.monotonic()
    try:
        run_intersection(tmp_path, tables, timeout=10.0, **params)
    except ValueError as exc:
        return str(exc), time.monotonic() - started
    raise AssertionError("the intersection did not fail")


def output_ids(run: Run, party: tuple[str, str]) -> dict[str, Any]:
    return dict(run.outputs(party).collect())


def names_of_transfers(run: Run) -> list[tuple[str, str, str]]:
    return [(transfer.name, transfer.src[0], transfer.dst[0]) for transfer in run.transfers]


def metrics(run: Run, party: tuple[str, str]) -> dict[str, Any]:
    return dict(run.results[party].tracker.metrics[("train", "intersection")])
