"""Online scores of the seed model equal the batch predict job's, for single and batch requests, and each step of
the pipeline is replayed as its batch predict path replays it."""

from __future__ import annotations

import json

import pytest

from fate_runtime.serving.model_chain import training_table
from seed_models import SeedModels
from serving_parties import SERVICE, case, guest_inference, request


def fifty_ids(seed: SeedModels) -> list[str]:
    ids = sorted(seed.batch_scores, key=int)
    return ids[::len(ids) // 50][:50]


def test_single_requests_score_as_the_batch_predict_job_for_50_ids(seed: SeedModels) -> None:
    guest = guest_inference(seed)
    for key in fifty_ids(seed):
        reply = guest.inference(json.dumps(request(seed, key)).encode())
        score, label = seed.batch_scores[key]
        assert reply["retcode"] == 0 and reply["retmsg"] == "success" and reply["caseid"] == f"case-{key}"
        assert reply["data"]["score"] == pytest.approx(score, abs=1e-9, rel=0)
        assert reply["data"]["label"] == label


def test_a_batch_request_scores_each_case_as_the_batch_predict_job(seed: SeedModels) -> None:
    ids = fifty_ids(seed)
    reply = guest_inference(seed).batch_inference({"serviceId": SERVICE, "caseid": "batch-1", "batchDataList": [
        {"index": position, **case(seed, key)} for position, key in enumerate(ids)]})
    assert reply["retcode"] == 0 and reply["caseid"] == "batch-1"
    assert [result["index"] for result in reply["batchDataList"]] == list(range(50))
    for key, result in zip(ids, reply["batchDataList"]):
        score, label = seed.batch_scores[key]
        assert result["retcode"] == 0
        assert result["data"]["score"] == pytest.approx(score, abs=1e-9, rel=0)
        assert result["data"]["label"] == label
    assert {label for _, label in map(seed.batch_scores.get, ids)} == {0, 1}  # (both labels among the 50)


def test_the_proxy_form_and_feature_values_as_text_score_the_same(seed: SeedModels) -> None:
    key = fifty_ids(seed)[7]
    features = {name: str(value) for name, value in seed.guest_rows[key].items()}
    reply = guest_inference(seed).inference({"head": {"serviceId": SERVICE}, "body": {
        "featureData": {**features, "unused": "text"}, "sendToRemoteFeatureData": {"id": int(key)}}})
    assert reply["retcode"] == 0 and len(reply["caseid"]) == 32  # (a caseid is made when none is given)
    assert reply["data"]["score"] == pytest.approx(seed.batch_scores[key][0], abs=1e-9, rel=0)


def test_a_missing_value_is_replaced_as_dataio_trained(seed: SeedModels) -> None:
    """DataIO's seed model fills missing cells with 0: null, "" and "NA" score as a 0 would."""
    guest, key = guest_inference(seed), fifty_ids(seed)[3]
    zero = guest.inference(request(seed, key, x3=0.0))["data"]["score"]
    assert zero != pytest.approx(guest.inference(request(seed, key))["data"]["score"])
    for missing in (None, "", "NA"):
        assert guest.inference(request(seed, key, x3=missing))["data"]["score"] == zero


def test_the_hosts_default_feature_table_is_the_one_it_trained_on(seed: SeedModels) -> None:
    assert training_table(seed.host) == ("fate_flow_test_breast", "breast_a")
    assert training_table(seed.guest) == ("fate_flow_test_breast", "breast_b")
