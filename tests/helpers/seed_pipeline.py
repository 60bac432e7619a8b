"""FATE's hetero LR example (DataIO -> binning -> selection -> HeteroLR -> Evaluation, the seed conf's parameters)
run component by component through the in-memory harness, each party on its own computing backend."""

from __future__ import annotations

from typing import Any

from component_harness import Party, PartySetup, PartyStores, Run, Transfer, run_component
from fate_runtime.components import binning, dataio, evaluation, hetero_lr, selection
from fate_runtime.components.spec import ComponentSpec
from hetero_lr_reference import DATA
from seed_examples import example
from storage.computing import ComputingBackend, ComputingTable

GUEST, HOST, ARBITER = ("guest", "10000"), ("host", "10001"), ("arbiter", "10002")


def uploaded(store: ComputingBackend, file_name: str) -> ComputingTable:
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


def run_seed_job(stores: PartyStores, random_seed: int | None = None) -> tuple[dict[str, Run], list[Transfer]]:
    """Every component's run by name, and every transfer; `random_seed` pins HeteroLR's init_param.random_seed."""
    conf = example("test_hetero_lr_job_conf.json")
    if random_seed is not None:
        conf["algorithm_parameters"]["hetero_lr_0"]["init_param"]["random_seed"] = random_seed
    tables: dict[Party, ComputingTable] = {GUEST: uploaded(stores[GUEST], "breast_b.csv"),
                                           HOST: uploaded(stores[HOST], "breast_a.csv")}
    runs: dict[str, Run] = {}
    transfers: list[Transfer] = []

    def step(spec: ComponentSpec, component: str, data_key: str, models: dict[Any, Any] | None = None,
             roles: tuple[Party, ...] = (GUEST, HOST)) -> Run:
        parties = {party: PartySetup({**_role_params(conf, party[0], component),
                                      **conf["algorithm_parameters"].get(component, {})},
                                     {data_key: [tables[party]]} if party in tables else {},
                                     (models or {}).get(party, {})) for party in roles}
        run = runs[component] = run_component(spec, stores, parties, component=component, timeout=120)
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
    return runs, transfers
