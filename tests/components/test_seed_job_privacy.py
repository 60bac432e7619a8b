"""Every transfer of FATE's hetero LR example (DataIO -> binning -> selection -> HeteroLR -> Evaluation, the seed
conf's parameters) recorded as it crosses between parties: no raw feature leaves its owner, no label leaves the
guest in the clear, the arbiter gets only ciphertexts, masked values and public numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import numpy as np

from component_harness import PartySetup, PartyStores, Transfer, run_component
from fate_runtime.components import binning, dataio, evaluation, hetero_lr, selection
from fate_runtime.components.spec import ComponentSpec
from hetero_lr_reference import DATA
from seed_examples import example
from storage import Store, Table

GUEST, HOST, ARBITER = ("guest", "10000"), ("host", "10001"), ("arbiter", "10002")


def _uploaded(store: Store, file_name: str) -> Table:
    """The table an upload of the CSV makes: id -> the rest of the line, the header in the schema."""
    lines = (DATA / file_name).read_text().splitlines()
    table = store.create_table("upload", file_name, 4)
    table.put_all((line.split(",", 1)[0], line.split(",", 1)[1]) for line in lines[1:])
    header = lines[0].split(",")
    table.set_schema({"header": ",".join(header[1:]), "sid": header[0], "delimiter": ","})
    return table


def _role_params(conf: dict[str, Any], role: str, component: str) -> dict[str, Any]:
    given = conf["role_parameters"].get(role, {}).get(component, {})
    return {key: values[0] for key, values in given.items()}


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


def _run_seed_job(tmp_path: Path) -> list[Transfer]:
    conf, stores = example("test_hetero_lr_job_conf.json"), PartyStores(tmp_path)
    tables = {GUEST: _uploaded(stores[GUEST], "breast_b.csv"), HOST: _uploaded(stores[HOST], "breast_a.csv")}
    transfers: list[Transfer] = []

    def step(spec: ComponentSpec, component: str, data_key: str, models: dict[Any, Any] | None = None,
             roles: tuple[tuple[str, str], ...] = (GUEST, HOST)) -> Any:
        parties = {party: PartySetup({**_role_params(conf, party[0], component),
                                      **conf["algorithm_parameters"].get(component, {})},
                                     {data_key: [tables[party]]} if party in tables else {},
                                     (models or {}).get(party, {})) for party in roles}
        run = run_component(spec, stores, parties, component=component, timeout=120)
        transfers.extend(run.transfers)
        for party in tables:
            if "data" in run.results[party].tracker.outputs:
                tables[party] = run.results[party].tracker.outputs["data"]
        return run

    step(dataio.SPEC, "dataio_0", "data")
    binned = step(binning.SPEC, "hetero_feature_binning_0", "data")
    step(selection.SPEC, "hetero_feature_selection_0", "data", {
        party: {"isometric_model": {"hetero_feature_binning_0": binned.results[party].models.saved["model"]}}
        for party in (GUEST, HOST)})
    step(hetero_lr.SPEC, "hetero_lr_0", "train_data", roles=(GUEST, HOST, ARBITER))
    step(evaluation.SPEC, "evaluation_0", "data")
    return transfers


def test_no_raw_value_or_label_crosses_between_parties_in_the_seed_job(tmp_path: Path) -> None:
    transfers = _run_seed_job(tmp_path)
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
