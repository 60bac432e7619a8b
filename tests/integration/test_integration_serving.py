"""Online serving in real nodes: the seed job trained in cluster mode (guest, host and arbiter nodes), its batch
predict job run, the version loaded and bound; then the guest's node scores FATE-Serving's requests - over REST
(/federation/v1/inference, /federation/v1/batchInference) and over gRPC's InferenceService on its peer port - as
the batch predict job scored the same ids, asking the host's node for its partial scores. A host serves from the
feature table bind names (bind refuses one it does not have). An unknown service id and a host whose node is down
are one sentence each: the guest's node answers on, and scores again once the host's node is back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import grpc
import pytest

from federation_helpers import wait_for
from integration_helpers import NodeProcess, upload_conf, write_conf, write_csv
from jobs_helpers import ARBITER, GUEST, HOST, cli_ok, running_cluster
from model_helpers import CLUSTER_MODEL_ID, CLUSTER_ROLES, cluster_conf, publish, trained_in_cluster
from protos import flow_pb2, flow_pb2_grpc, inference_service_pb2_grpc
from protos import inference_service_pb2 as inference_pb
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
def version(cluster: dict[str, NodeProcess], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed job trained across the three nodes."""
    return trained_in_cluster({party: node.node for party, node in cluster.items()}, tmp_path_factory.mktemp("train"))


@pytest.fixture(scope="module")
def batch_scores(cluster: dict[str, NodeProcess], version: str, tmp_path_factory: pytest.TempPathFactory) -> Scores:
    """The batch predict job's scores of CASES ids; the version loaded and bound to SERVICE."""
    guest = cluster[GUEST].node
    tmp = tmp_path_factory.mktemp("serving_jobs")
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


def test_a_host_serves_from_the_feature_table_bind_names(cluster: dict[str, NodeProcess], version: str,
                                                       batch_scores: Scores, tmp_path: Path) -> None:
    host, guest = cluster[HOST].node, cluster[GUEST].node
    online = write_csv(host.files / "breast_a_online.csv", None, (DATA / "breast_a.csv").read_text().splitlines()[:31])
    cli_ok(host, "-f", "upload", "-c", str(write_conf(tmp_path / "upload.json", upload_conf(
        online, "serving", "breast_a_online", work_mode=1))))
    tables = {"host": {"feature_table": [{"table_name": "breast_a_online", "namespace": "serving"}]}}
    bound = publish(guest, tmp_path, version, "bind", "bind_model_service.json", service_id="online-table",
                    role_parameters=tables)
    assert bound["retcode"] == 0, bound
    inside = [line.split(",")[0] for line in online.read_text().splitlines()[1:]]
    scored = [key for key in batch_scores if key in inside]
    for key in scored:
        reply = guest.post("/federation/v1/inference", json={"serviceId": "online-table", **case(key)}).json()
        assert_scored(reply["data"], batch_scores[key])
    outside = next(key for key in batch_scores if key not in inside)
    missing = guest.post("/federation/v1/inference", json={"serviceId": "online-table", **case(outside)}).json()
    assert (missing["retcode"], missing["retmsg"]) == (113, f"host {HOST} has no features of id {outside}")
    assert scored, "the batch predict job's first ids include some of breast_a's first 30"


def test_bind_refuses_a_feature_table_the_host_does_not_have_and_binds_nothing(
        cluster: dict[str, NodeProcess], version: str, batch_scores: Scores, tmp_path: Path) -> None:
    guest = cluster[GUEST].node
    nowhere = {"host": {"feature_table": [{"table_name": "nowhere", "namespace": "serving"}]}}
    refused = publish(guest, tmp_path, version, "bind", "bind_model_service.json", service_id="no-table",
                      role_parameters=nowhere)
    assert (refused["retcode"], refused["retmsg"]) == (101, f"the feature table serving.nowhere of host {HOST} does "
                                                            "not exist")
    assert refused["data"]["detail"]["guest"][GUEST]["retmsg"] == f"not done: host {HOST} refused"
    unbound = guest.post("/federation/v1/inference", json={"serviceId": "no-table", **case(next(iter(batch_scores)))})
    assert unbound.json()["retcode"] == 104
    stranger = flow_pb2.ModelPublishRequest(
        model_id=CLUSTER_MODEL_ID, model_version=version, initiator=flow_pb2.PartyRef(role="guest", party_id=GUEST),
        parties=[flow_pb2.PartyRef(role=role, party_id=str(party)) for role, parties in CLUSTER_ROLES.items()
                 for party in parties], service_id="no-table",
        feature_tables=[flow_pb2.HostFeatureTable(party_id="7777", namespace="serving", table_name="t")])
    with grpc.insecure_channel(cluster[GUEST].local_target) as channel, pytest.raises(grpc.RpcError) as failed:
        flow_pb2_grpc.FlowStub(channel).BindModel(stranger, timeout=30)
    assert failed.value.details() == "the conf names a feature table of host 7777, which is not one of its hosts"


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
