"""Models as outputs and inputs: a training job saves them, a component of the same job receives one through its
DSL's `input.model` / `isometric_model`, and a predict job (FATE's job_type predict, model_id and model_version in
job_parameters, no DSL) runs the trained components' predict paths with them - on one standalone node and on a
guest node plus a host node."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from integration_helpers import Node, assert_refused, running_node, write_conf, write_csv
from jobs_helpers import GUEST, HOST, NODE_ENV, cli_ok, running_cluster, wait_job

pytestmark = pytest.mark.integration

MODEL_ENV = {**NODE_ENV, "FATE_RUNTIME_COMPONENTS": "jobs_components,model_components"}
NS = "models"
TRAIN = {GUEST: [float(i) for i in range(10)], HOST: [10.0 * i for i in range(5)]}  # means 4.5 and 20
EVAL = {GUEST: [100.0, 101.0, 102.0], HOST: [7.0, 8.0]}


def train_dsl(kind: str = "model") -> dict[str, Any]:
    return {"components": {
        "centre_0": {"module": "Centre", "input": {"data": {"data": ["args.train_data"]}},
                     "output": {"data": ["data"], "model": ["model"]}},
        "recentre_0": {"module": "Recentre", "input": {"data": {"data": ["centre_0.data"]}, kind: ["centre_0.model"]},
                       "output": {"data": ["data"]}}}}


def _conf(work_mode: int, data_name: str, tables: dict[str, str], **job_parameters: Any) -> dict[str, Any]:
    return {"initiator": {"role": "guest", "party_id": int(GUEST)},
            "job_parameters": {"work_mode": work_mode, **job_parameters},
            "role": {"guest": [int(GUEST)], "host": [int(HOST)]},
            "role_parameters": {role: {"args": {"data": {data_name: [{"namespace": NS, "name": tables[party]}]}}}
                                for role, party in (("guest", GUEST), ("host", HOST))}}


def _upload(node: Node, name: str, values: list[float]) -> None:
    path = write_csv(node.files / f"{name}.csv", "id,x", [f"{i},{v}" for i, v in enumerate(values)])
    conf = write_conf(node.files / f"{name}.json", {"file": str(path), "head": 1, "partition": 2,
                                                    "work_mode": 0 if "standalone" in name else 1,
                                                    "namespace": NS, "table_name": name})
    cli_ok(node, "-f", "upload", "-c", str(conf))


def _submit(node: Node, conf: dict[str, Any], dsl: dict[str, Any] | None = None) -> str:
    body = {"job_runtime_conf": conf, **({"job_dsl": dsl} if dsl is not None else {})}
    reply = node.post("/v1/job/submit", json=body).json()
    assert reply["retcode"] == 0, reply
    return reply["jobId"]


def _output(node: Node, job_id: str, component: str, role: str, party: str) -> list[float]:
    reply = cli_ok(node, "-f", "component_output_data", "-j", job_id, "-r", role, "-p", party, "-cpn", component,
                   "-o", str(node.files / f"out_{job_id}_{component}_{role}"))
    folder = Path(reply["directory"]) if "directory" in reply else node.files / f"out_{job_id}_{component}_{role}"
    lines = next(folder.rglob("output_data.csv")).read_text().splitlines()[1:]
    return [float(line.split(",")[1]) for line in sorted(lines, key=lambda line: int(line.split(",")[0]))]


def _mean_metric(node: Node, job_id: str, role: str, party: str) -> float:
    reply = cli_ok(node, "-f", "component_metric_all", "-j", job_id, "-r", role, "-p", party, "-cpn", "centre_0")
    return reply["data"]["centre"]["mean"]["data"][0][1]


def _check_train_and_predict(nodes: dict[str, Node], work_mode: int, kind: str) -> None:
    guest = nodes[GUEST]
    mode = "standalone" if work_mode == 0 else "cluster"
    for party, node in nodes.items():
        _upload(node, f"train_{mode}_{party}_{kind}", TRAIN[party])
        _upload(node, f"eval_{mode}_{party}_{kind}", EVAL[party])
    train = _submit(guest, _conf(work_mode, "train_data", {p: f"train_{mode}_{p}_{kind}" for p in nodes}),
                    train_dsl(kind))
    for party, node in nodes.items():
        assert {row["f_status"] for row in wait_job(node, train, timeout=120)} == {"success"}
    model_id = f"guest-{GUEST}#host-{HOST}#model"
    for role, party in (("guest", GUEST), ("host", HOST)):
        node, mean = nodes[party], sum(TRAIN[party]) / len(TRAIN[party])
        reply = cli_ok(node, "-f", "component_output_model", "-j", train, "-r", role, "-p", party, "-cpn", "centre_0")
        assert reply["data"] == {"mean": mean}  # FATE's shape: the Param message's fields
        assert (reply["meta"]["module_name"], reply["meta"]["model_id"], reply["meta"]["model_version"]) == (
            "Centre", model_id, train)
        assert _output(node, train, "centre_0", role, party) == [v - mean for v in TRAIN[party]]
        assert _output(node, train, "recentre_0", role, party) == TRAIN[party]  # the model input, within the job
    predict = _submit(guest, _conf(work_mode, "eval_data", {p: f"eval_{mode}_{p}_{kind}" for p in nodes},
                                   job_type="predict", model_id=model_id, model_version=train))
    for party, node in nodes.items():
        rows = wait_job(node, predict, timeout=120)
        assert {row["f_status"] for row in rows} == {"success"}, rows
    for role, party in (("guest", GUEST), ("host", HOST)):
        node, mean = nodes[party], sum(TRAIN[party]) / len(TRAIN[party])
        assert _mean_metric(node, predict, role, party) == mean  # the trained mean, not the eval data's
        assert _output(node, predict, "centre_0", role, party) == [v - mean for v in EVAL[party]]
        assert _output(node, predict, "recentre_0", role, party) == EVAL[party]
    reply = guest.post("/v1/job/submit", json={"job_runtime_conf": _conf(
        work_mode, "eval_data", {p: f"eval_{mode}_{p}_{kind}" for p in nodes}, job_type="predict",
        model_id=model_id, model_version="20200101000000000001")}).json()
    assert_refused(reply, 101, model_id, "20200101000000000001")


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with running_node(tmp_path_factory.mktemp("models"), env=MODEL_ENV) as node:
        yield node


@pytest.mark.parametrize("kind", ["model", "isometric_model"])
def test_train_then_predict_on_one_node(standalone: Node, kind: str) -> None:
    _check_train_and_predict({GUEST: standalone, HOST: standalone}, 0, kind)


def test_train_then_predict_between_two_nodes(tmp_path: Path) -> None:
    with running_cluster(tmp_path, (GUEST, HOST), env=MODEL_ENV) as cluster:
        nodes = {party: cluster[party].node for party in (GUEST, HOST)}
        assert all(node is not None for node in nodes.values())
        _check_train_and_predict(nodes, 1, "model")  # type: ignore[arg-type]


def test_an_old_job_stays_readable_after_its_module_is_removed(tmp_path: Path) -> None:
    """The plan is stored with the job: a node restarted without the job's modules still answers about it."""
    data = tmp_path / "data"
    with running_node(tmp_path, env=MODEL_ENV) as node:
        _upload(node, f"train_standalone_{GUEST}", TRAIN[GUEST])
        _upload(node, f"train_standalone_{HOST}", TRAIN[HOST])
        job = _submit(node, _conf(0, "train_data", {p: f"train_standalone_{p}" for p in (GUEST, HOST)}), train_dsl())
        assert {row["f_status"] for row in wait_job(node, job, timeout=120)} == {"success"}
        assert node.data_dir == data
    with running_node(tmp_path, env=NODE_ENV) as node:  # without model_components: no Centre, no Recentre
        reply = node.post("/v1/job/submit", json={"job_runtime_conf": _conf(
            0, "train_data", {p: f"train_standalone_{p}" for p in (GUEST, HOST)}), "job_dsl": train_dsl()}).json()
        assert_refused(reply, 100, "unknown module Centre")
        config = cli_ok(node, "-f", "job_config", "-j", job, "-r", "guest", "-p", GUEST, "-o", str(tmp_path / "cfg"))
        assert config["data"]["model_info"]["model_version"] == job
        dag = node.post("/v1/pipeline/dag/dependency", json={"job_id": job, "role": "guest",
                                                             "party_id": GUEST}).json()
        assert dag["data"]["component_module"] == {"centre_0": "Centre", "recentre_0": "Recentre"}
        assert dag["data"]["dependencies"] == {"centre_0": [], "recentre_0": ["centre_0"]}
        assert _mean_metric(node, job, "guest", GUEST) == 4.5
        model = cli_ok(node, "-f", "component_output_model", "-j", job, "-r", "guest", "-p", GUEST, "-cpn", "centre_0")
        assert model["data"] == {"mean": 4.5}
        parameters = cli_ok(node, "-f", "component_parameters", "-j", job, "-r", "host", "-p", HOST,
                            "-cpn", "recentre_0")
        assert parameters["data"]["module"] == "Recentre"
        assert parameters["data"]["module_roles"] == ["guest", "host"]
