"""Every request serving cannot answer gets FATE-Serving's status code and one sentence naming what is at fault;
a host scores only for the guest of the model version bound to the service, and the guest outlives a host that
does not answer."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import pytest

from fate_runtime.serving.guest import HostUnreachable
from fate_runtime.serving.host import HostQuery, HostReply
from fate_runtime.serving.requests import MAX_BATCH
from fate_runtime.serving.serde import reply_message
from seed_models import GUEST, SeedModels
from serving_parties import SERVICE, case, guest_inference, host_scoring, over_the_wire, request

KEY = "133"


def refused(reply: dict[str, Any], retcode: int, retmsg: str) -> None:
    assert (reply["retcode"], reply["retmsg"], reply["data"]) == (retcode, retmsg, {})


def test_an_unknown_service_id_is_refused(seed: SeedModels) -> None:
    reply = guest_inference(seed).inference({**request(seed, KEY), "serviceId": "nope"})
    refused(reply, 104, "service id nope is not bound on guest 9999")
    assert reply["caseid"] == f"case-{KEY}"


def test_a_host_that_does_not_answer_is_named_and_the_guest_keeps_serving(seed: SeedModels,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    down = True
    working = over_the_wire(host_scoring(seed))

    def flaky(party_id: str, query: HostQuery) -> HostReply:
        if down:
            raise HostUnreachable("<_InactiveRpcError of RPC that terminated with: status = StatusCode.UNAVAILABLE>")
        return working(party_id, query)

    guest = guest_inference(seed, flaky)
    with caplog.at_level(logging.WARNING):
        refused(guest.inference(request(seed, KEY)), 105, f"host 10000 did not answer for service {SERVICE}")
    assert "StatusCode.UNAVAILABLE" in caplog.text  # (the transport's details go to the log only)
    down = False
    assert guest.inference(request(seed, KEY))["data"]["score"] == pytest.approx(seed.batch_scores[KEY][0],
                                                                                 abs=1e-9, rel=0)


def test_a_failure_of_the_guest_itself_is_a_system_error_with_the_traceback_in_the_log(
        seed: SeedModels, caplog: pytest.LogCaptureFixture) -> None:
    def broken(party_id: str, query: HostQuery) -> HostReply:
        raise KeyError("internal detail")

    with caplog.at_level(logging.ERROR):
        refused(guest_inference(seed, broken).inference(request(seed, KEY)), 110,
                f"guest 9999 failed to score service {SERVICE}; its log says why")
    assert "internal detail" in caplog.text


def test_a_missing_or_unreadable_feature_is_named(seed: SeedModels) -> None:
    guest, given = guest_inference(seed), request(seed, KEY)
    del given["featureData"]["x3"]
    refused(guest.inference(given), 102, "featureData has no feature x3, which the model was trained with")
    refused(guest.inference(request(seed, KEY, x5="abc")), 102, "feature x5 holds text, not a number")


def test_in_a_batch_only_the_faulty_cases_fail(seed: SeedModels) -> None:
    cases = [case(seed, KEY), case(seed, "134", x2=[1]), {**case(seed, "135"), "sendToRemoteFeatureData": {}},
             case(seed, "136"), {**case(seed, "137"), "sendToRemoteFeatureData": {"id": "no-such-id"}}]
    reply = guest_inference(seed).batch_inference({"serviceId": SERVICE, "batchDataList": cases})
    results = reply["batchDataList"]
    assert reply["retcode"] == 0 and [r["retcode"] for r in results] == [0, 102, 100, 0, 113]
    assert results[1]["retmsg"] == "feature x2 holds text, not a number"
    assert results[2]["retmsg"] == "sendToRemoteFeatureData gives host 10000 no id to find its features by"
    assert results[4]["retmsg"] == "host 10000 has no features of id no-such-id"
    for position, key in ((0, KEY), (3, "136")):
        assert results[position]["data"]["score"] == pytest.approx(seed.batch_scores[key][0], abs=1e-9, rel=0)
    assert [r["data"] for r in results if r["retcode"]] == [{}, {}, {}]


@pytest.mark.parametrize("body, retmsg", [
    (b"{not json", "the request body is not JSON"),
    (b"[1, 2]", "the request body is not a JSON object"),
    ({"featureData": {}}, "the request names no serviceId"),
    ({"serviceId": SERVICE, "featureData": [1]}, "the request has no featureData object"),
    ({"serviceId": SERVICE, "featureData": {}, "sendToRemoteFeatureData": {"id": {"a": 1}}},
     "the sendToRemoteFeatureData of the request is not an object of plain values"),
    ({"serviceId": SERVICE, "caseid": ["x"], "featureData": {}}, "the request's caseid is not a string"),
])
def test_a_malformed_request_is_refused(seed: SeedModels, body: Any, retmsg: str) -> None:
    refused(guest_inference(seed).inference(body), 100, retmsg)


@pytest.mark.parametrize("batch, retmsg", [
    ([], "the batch request has no batchDataList of cases"),
    ([{"index": 1, "featureData": {}}, {"index": 1, "featureData": {}}], "batchDataList has two cases of index 1"),
    ([{"index": "first", "featureData": {}}], "case 0 of batchDataList has an index that is no integer"),
    ([{"index": 4}], "case 4 of batchDataList has no featureData object"),
    ([{"featureData": {}}] * (MAX_BATCH + 1), f"the batch request has {MAX_BATCH + 1} cases; a batch holds at most "
                                              f"{MAX_BATCH}"),
])
def test_a_malformed_batch_is_refused(seed: SeedModels, batch: list[Any], retmsg: str) -> None:
    refused(guest_inference(seed).batch_inference({"serviceId": SERVICE, "batchDataList": batch}), 100, retmsg)


def test_a_host_scores_only_for_the_guest_of_the_bound_model_version(seed: SeedModels) -> None:
    impostor = guest_inference(seed, over_the_wire(host_scoring(seed), caller="8888"))
    refused(impostor.inference(request(seed, KEY)), 121,
            f"party 8888 is not the guest of the model version bound to service {SERVICE} on host 10000")
    query = HostQuery(SERVICE, seed.host.model_id, seed.host.model_version, GUEST[1], "c", ({"id": KEY},))
    assert host_scoring(seed).partial_scores(query, "8888").scores == ()
    assert host_scoring(seed).partial_scores(query, GUEST[1]).scores[0].retcode == 0


def test_a_host_answers_with_one_score_per_case_and_nothing_else(seed: SeedModels) -> None:
    query = HostQuery(SERVICE, seed.host.model_id, seed.host.model_version, GUEST[1], "c",
                      ({"id": KEY}, {"id": "134"}))
    message = reply_message(host_scoring(seed).partial_scores(query, GUEST[1]))
    assert (message.retcode, message.retmsg, len(message.scores)) == (0, "success", 2)
    assert {field.name for score in message.scores for field, _ in score.ListFields()} == {"retmsg", "score"}
    row = seed.host_table.get(KEY).split(",")
    assert not {float(value) for value in row} & {score.score for score in message.scores}


def test_a_service_not_bound_on_the_host_or_bound_to_another_version_is_refused(seed: SeedModels) -> None:
    unbound = guest_inference(seed, over_the_wire(host_scoring(seed, service="other")))
    refused(unbound.inference(request(seed, KEY)), 104, f"service {SERVICE} is not bound on host 10000")
    skewed = guest_inference(seed, over_the_wire(host_scoring(seed, dataclasses.replace(
        seed.host, model_version="20261203000000000099"))))
    refused(skewed.inference(request(seed, KEY)), 109,
            f"service {SERVICE} is bound to model version 20261203000000000099 on host 10000, not to "
            f"{seed.guest.model_version} as on the guest")


def test_a_model_version_serving_cannot_replay_is_refused(seed: SeedModels) -> None:
    dsl = json.loads(json.dumps(seed.guest.pipeline.inference_dsl))
    del dsl["components"]["hetero_lr_0"]
    without_lr = dataclasses.replace(seed.guest, pipeline=dataclasses.replace(seed.guest.pipeline,
                                                                              inference_dsl=dsl))
    refused(guest_inference(seed, bound=lambda _: without_lr).inference(request(seed, KEY)), 123,
            f"model version {seed.guest.model_version} of guest 9999 has 0 HeteroLR components in its inference "
            "DSL; serving scores with exactly one")
    # (a host's model version is no guest's: a guest bound to it scores nothing)
    refused(guest_inference(seed, bound=lambda _: seed.host).inference(request(seed, KEY)), 104,
            f"service id {SERVICE} is not bound on guest 9999")
