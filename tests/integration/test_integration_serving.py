"""Online serving in real nodes: the seed job trained in cluster mode (guest, host and arbiter nodes), its batch
predict job run, the version loaded and bound; then the guest's node scores FATE-Serving's requests - over REST
(/federation/v1/inference, /federation/v1/batchInference) and over gRPC's InferenceService on its peer port - as
the batch predict job scored the same ids, asking the host's node for its partial scores. An unknown service id
and a host whose node is down are one sentence each; the guest's node answers on, and scores again once the host's
node is back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest

from federation_helpers import wait_for
from integration_helpers import NodeProcess
from jobs_helpers import ARBITER, GUEST, HOST, running_cluster
from model_helpers import CLUSTER_MODEL_ID, cluster_conf, publish, trained_in_cluster
from protos import inference_service_pb2 as inference_pb
from protos import inference_service_pb2_grpc
from seed_examples import DATA, example, job_succeeded

pytestmark = pytest.mark.integration

SERVICE = "breast-online"
CASES = 50
Scores = dict[str, tuple[float, int]]  # id -> the batch predict job's (predict_score, predict_result)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeProcess]]:
    with running_cluster(tmp_path_factory.mktemp("serving"), (GUEST, HOST, ARBITER)) as nodes:
        yield nodes


@pytest.fixture(scope="module")
def batch_scores(cluster: dict[str, NodeProcess], tmp_path_factory: pytest.TempPathFactory) -> Scores:
    """The seed job trained, its batch predict job's scores of CASES ids; the version loaded and bound to SERVICE."""
    guest = cluster[GUEST].node
    tmp = tmp_path_factory.mktemp("serving_jobs")
    version = trained_in_cluster({party: node.node for party, node in cluster.items()}, tmp)
    conf = cluster_conf(example("test_predict_conf.json"))
    conf["job_parameters"].update(model_id=CLUSTER_MODEL_ID, model_version=version)
    predicted = job_succeeded(guest, tmp, conf)
    rows = guest.post("/v1/tracking/component/output/data", json={
        "job_id": predicted, "role": "guest", "party_id": int(GUEST), "component_name": "hetero_lr_0"}).json()["data"]
    assert publish(guest, tmp, version, "load", "publish_load_model.json")["retcode"] == 0
    assert publish(guest, tmp, version, "bind", "bind_model_service.json", service_id=SERVICE)["retcode"] == 0
    return {str(row[0]): (row[3], row[2]) for row in rows[:CASES]}


def guest_features() -> dict[str, dict[str, float]]:
    """breast_b's features by id, as featureData."""
    header, *lines = (DATA / "breast_b.csv").read_text().splitlines()
    names = header.split(",")[2:]
    return {line.split(",")[0]: dict(zip(names, map(float, line.split(",")[2:]))) for line in lines}


def case(key: str) -> dict[str, Any]:
    return {"featureData": guest_features()[key], "sendToRemoteFeatureData": {"id": key}}


def assert_scored(data: dict[str, Any], expected: tuple[float, int]) -> None:
    assert data["score"] == pytest.approx(expected[0], abs=1e-9, rel=0)
    assert data["label"] == expected[1]


def test_single_requests_over_rest_score_as_the_batch_predict_job(cluster: dict[str, NodeProcess],
                                                                  batch_scores: Scores) -> None:
    assert len(batch_scores) == CASES
    for key, expected in batch_scores.items():
        reply = cluster[GUEST].post("/federation/v1/inference",
                                    json={"serviceId": SERVICE, "caseid": f"case-{key}", **case(key)}).json()
        assert (reply["retcode"], reply["caseid"]) == (0, f"case-{key}"), reply
        assert_scored(reply["data"], expected)


def test_a_batch_over_rest_scores_each_case_as_the_batch_predict_job(cluster: dict[str, NodeProcess],
                                                                     batch_scores: Scores) -> None:
    keys = list(batch_scores)
    reply = cluster[GUEST].post("/federation/v1/batchInference", json={
        "serviceId": SERVICE, "batchDataList": [{"index": i, **case(key)} for i, key in enumerate(keys)]}).json()
    assert reply["retcode"] == 0 and [found["index"] for found in reply["batchDataList"]] == list(range(CASES))
    for found, key in zip(reply["batchDataList"], keys):
        assert found["retcode"] == 0, found
        assert_scored(found["data"], batch_scores[key])


def test_the_peer_port_s_inference_service_scores_as_the_batch_predict_job(cluster: dict[str, NodeProcess],
                                                                          batch_scores: Scores) -> None:
    keys = list(batch_scores)
    with grpc.insecure_channel(cluster[GUEST].address) as channel:
        stub = inference_service_pb2_grpc.InferenceServiceStub(channel)

        def ask(call: Any, body: dict[str, Any]) -> dict[str, Any]:
            return dict(json.loads(call(inference_pb.InferenceMessage(body=json.dumps(body).encode())).body))

        for key in keys:
            assert_scored(ask(stub.inference, {"serviceId": SERVICE, **case(key)})["data"], batch_scores[key])
        batch = ask(stub.batchInference, {"serviceId": SERVICE, "batchDataList": [case(key) for key in keys]})
        for found, key in zip(batch["batchDataList"], keys):
            assert_scored(found["data"], batch_scores[key])


def test_an_unknown_service_id_is_named(cluster: dict[str, NodeProcess], batch_scores: Scores) -> None:
    key = next(iter(batch_scores))
    reply = cluster[GUEST].post("/federation/v1/inference", json={"serviceId": "no-such-service", **case(key)}).json()
    assert (reply["retcode"], reply["retmsg"], reply["data"]) == (
        104, "service id no-such-service is not bound on any guest party of this node", {})


def test_a_host_node_that_is_down_is_named_and_the_guest_answers_on(cluster: dict[str, NodeProcess],
                                                                    batch_scores: Scores, tmp_path: Path) -> None:
    key, expected = next(iter(batch_scores.items()))
    body = {"serviceId": SERVICE, **case(key)}
    cluster[HOST].stop()
    try:
        for _ in range(2):
            reply = cluster[GUEST].post("/federation/v1/inference", json=body).json()
            assert (reply["retcode"], reply["retmsg"]) == (105, f"host {HOST} did not answer for service {SERVICE}")
        jobs = cluster[GUEST].post("/v1/job/query", json={"role": "guest"}).json()
        assert jobs["retcode"] == 0 and len(jobs["data"]) >= 2
    finally:
        cluster[HOST].start()
    # (the guest's channel to the host reconnects within its backoff, at most 2 s)
    wait_for(lambda: cluster[GUEST].post("/federation/v1/inference", json=body).json()["retcode"] == 0, 10,
             "an answer once the host's node is back")
    assert_scored(cluster[GUEST].post("/federation/v1/inference", json=body).json()["data"], expected)
