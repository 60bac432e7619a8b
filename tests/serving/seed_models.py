"""FATE's hetero LR example (DataIO -> binning -> selection -> HeteroLR, the seed conf's parameters) trained through
the component harness on breast uploads, its batch predict path run the same way, and each party's model version
as the PartyModel that load and bind hand to serving (guest 9999, host 10000, arbiter 10000)."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

from component_harness import JOB_ID, PartySetup, PartyStores, run_component
from fate_runtime.components import binning, dataio, hetero_lr, selection
from fate_runtime.components.context import Buffers
from fate_runtime.components.registry import BUILTIN
from fate_runtime.dsl import parse
from fate_runtime.jobs.predict import predict_dsl
from fate_runtime.models import PartyModel, Pipeline
from fate_runtime.state.models import ModelBuffer
from seed_examples import example
from storage import Store, Table
from uploaded_tables import DATA, uploaded

Party = tuple[str, str]
GUEST, HOST, ARBITER = ("guest", "9999"), ("host", "10000"), ("arbiter", "10000")
CHAIN = (("dataio_0", dataio.SPEC), ("hetero_feature_binning_0", binning.SPEC),
         ("hetero_feature_selection_0", selection.SPEC), ("hetero_lr_0", hetero_lr.SPEC))
BINNING, SELECTION = "hetero_feature_binning_0", "hetero_feature_selection_0"
PREDICT_JOB_ID = "20261203000000000002"


@dataclasses.dataclass
class SeedModels:
    guest: PartyModel
    host: PartyModel
    host_store: Store
    host_table: Table  # the host's upload of breast_a, the table it trained on
    batch_scores: dict[str, tuple[float, int]]  # the batch predict job's (predict_score, predict_result) by id
    guest_rows: dict[str, dict[str, float]]  # breast_b's features by id, as featureData


def seed_conf() -> dict[str, Any]:
    """The seed's runtime conf with three party ids, HeteroLR's initial weights seeded."""
    conf = example("test_hetero_lr_job_conf.json")
    conf["initiator"] = {"role": GUEST[0], "party_id": int(GUEST[1])}
    conf["role"] = {role: [int(party_id)] for role, party_id in (GUEST, HOST, ARBITER)}
    conf["algorithm_parameters"]["hetero_lr_0"]["init_param"]["random_seed"] = 1
    return conf


def _params(conf: dict[str, Any], role: str, component: str) -> dict[str, Any]:
    given = conf["role_parameters"].get(role, {}).get(component, {})
    return {**{key: values[0] for key, values in given.items()}, **conf["algorithm_parameters"].get(component, {})}


def _input_models(component: str, job_type: str, models: dict[str, Buffers]) -> dict[str, dict[str, Buffers]]:
    """A component's input models (as tasks/inputs.py gives them): its own trained model in a predict job, the
    binning model as selection's isometric_model in training."""
    if job_type == "predict":
        return {"model": {component: models[component]}} if component in models else {}
    return {"isometric_model": {BINNING: models[BINNING]}} if component == SELECTION else {}


def _run_chain(stores: PartyStores, conf: dict[str, Any], tables: dict[Party, Table], job_type: str,
               trained: dict[Party, dict[str, Buffers]]) -> dict[Party, dict[str, Buffers]]:
    """Every component of the chain for every party, each fed the previous one's output; the models saved."""
    saved: dict[Party, dict[str, Buffers]] = {GUEST: {}, HOST: {}, ARBITER: {}}
    for component, spec in CHAIN:
        roles = (GUEST, HOST, ARBITER) if spec is hetero_lr.SPEC else (GUEST, HOST)
        data_key = "train_data" if spec is hetero_lr.SPEC and job_type == "train" else "data"
        models = trained if job_type == "predict" else saved
        parties = {party: PartySetup(_params(conf, party[0], component),
                                     {data_key: [tables[party]]} if party in tables else {},
                                     _input_models(component, job_type, models[party])) for party in roles}
        run = run_component(spec, stores, parties, component=component, job_type=job_type, timeout=120,
                            job_id=PREDICT_JOB_ID if job_type == "predict" else JOB_ID)
        for party in roles:
            result = run.results[party]
            if "data" in result.tracker.outputs:
                tables[party] = result.tracker.outputs["data"]
            if "model" in result.models.saved:
                saved[party][component] = result.models.saved["model"]
    return saved


def _party_model(party: Party, conf: dict[str, Any], saved: dict[str, Buffers]) -> PartyModel:
    train_dsl = example("test_hetero_lr_job_dsl.json")
    plan = parse(train_dsl, conf)
    components = {name: {plan.components[name].output_model[0]: [ModelBuffer(buffer, "", data)
                                                                  for buffer, data in buffers.items()]}
                  for name, buffers in saved.items()}
    return PartyModel(plan.model_id(), JOB_ID, party[0], party[1],
                      Pipeline(train_dsl, predict_dsl(plan, BUILTIN), copy.deepcopy(conf)), components)


def train_and_predict(base: Path) -> SeedModels:
    conf, stores = seed_conf(), PartyStores(base)
    uploads = {GUEST: uploaded(stores[GUEST], DATA / "breast_b.csv", "breast_b", namespace="fate_flow_test_breast"),
               HOST: uploaded(stores[HOST], DATA / "breast_a.csv", "breast_a", namespace="fate_flow_test_breast")}
    trained = _run_chain(stores, conf, dict(uploads), "train", {})
    predicted = dict(uploads)
    _run_chain(stores, conf, predicted, "predict", trained)
    lines = (DATA / "breast_b.csv").read_text().splitlines()
    names = lines[0].split(",")[2:]
    guest_rows = {line.split(",")[0]: dict(zip(names, map(float, line.split(",")[2:]))) for line in lines[1:]}
    return SeedModels(_party_model(GUEST, conf, trained[GUEST]), _party_model(HOST, conf, trained[HOST]),
                      stores[HOST], uploads[HOST], {key: (float(row[2]), int(row[1])) for key, row in predicted[GUEST].collect()},
                      guest_rows)
