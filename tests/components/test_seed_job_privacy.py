"""Every transfer of FATE's hetero LR example (DataIO -> binning -> selection -> HeteroLR -> Evaluation, the seed
conf's parameters) recorded as it crosses between parties: no raw feature leaves its owner, no label leaves the
guest in the clear, the arbiter gets only ciphertexts, masked values and public numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import numpy as np

from component_harness import PartyStores
from hetero_lr_reference import DATA
from seed_pipeline import run_seed_job


def _numbers(value: Any) -> Iterator[float]:
    """Every float inside a transferred value (numpy arrays included), however deeply nested."""
    if isinstance(value, float):
        yield value
    elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
        yield from value.ravel().tolist()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _numbers(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _numbers(getattr(value, name))


def test_no_raw_value_or_label_crosses_between_parties_in_the_seed_job(tmp_path: Path) -> None:
    _, transfers = run_seed_job(PartyStores(tmp_path))
    guest_lines = (DATA / "breast_b.csv").read_text().splitlines()[1:]
    guest_values = {float(v) for line in guest_lines for v in line.split(",")[2:]}
    host_values = {float(v) for line in (DATA / "breast_a.csv").read_text().splitlines()[1:] for v in
                   line.split(",")[1:]}
    labels = [int(line.split(",")[1]) for line in guest_lines]
    assert {t.name for t in transfers} >= {"encrypted_label", "host_forward", "fore_gradient", "loss"}
    for transfer in transfers:
        owned = guest_values if transfer.src[0] == "guest" else host_values if transfer.src[0] == "host" else set()
        for value in transfer.values():
            leaked = owned & set(_numbers(value)) - {0.0, 1.0, -1.0}
            assert not leaked, f"{transfer.src[0]}'s raw values in {transfer.name} to {transfer.dst[0]}"
            if transfer.src[0] == "guest":  # the labels, in order, are nowhere in the clear
                assert labels[:40] != list(value)[:40] if isinstance(value, (list, tuple)) else True
                assert str(labels[:40])[1:-1] not in repr(value)
        if transfer.dst[0] == "arbiter":
            assert transfer.name in ("guest_masked_gradient", "host_masked_gradient", "loss", "batch_info")
