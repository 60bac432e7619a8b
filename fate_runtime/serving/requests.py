"""FATE-Serving's JSON in and out: a request of one case or a batch of cases, and the replies FATE-Serving gives.

One case: {"serviceId", "caseid", "featureData": {name: value}, "sendToRemoteFeatureData": {"id": ...}} (also in
the form FATE-Serving's proxy takes over REST: {"head": {"serviceId", ...}, "body": {"featureData", ...}}).
A batch (FATE-Serving 2's batchInference): {"serviceId", "caseid", "batchDataList": [{"index", "featureData",
"sendToRemoteFeatureData"}, ...]}. Replies: {"retcode", "retmsg", "caseid", "data": {"score", "label"}}; a batch's
cases each get {"index", "retcode", "retmsg", "data"} in its "batchDataList".
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from fate_runtime.serving.errors import PARAM_ERROR, SUCCESS, ServingError

MAX_BATCH = 1000  # cases in one batch request
SUCCESS_MESSAGE = "success"


@dataclasses.dataclass(frozen=True)
class Case:
    index: int
    feature_data: dict[str, Any]
    remote: dict[str, str]  # sendToRemoteFeatureData, values as text


@dataclasses.dataclass(frozen=True)
class InferenceRequest:
    service_id: str
    caseid: str
    cases: tuple[Case, ...]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What became of one case: its score and label, or why it has none."""

    retcode: int = SUCCESS
    retmsg: str = SUCCESS_MESSAGE
    score: float = 0.0
    label: int = 0

    def data(self) -> dict[str, Any]:
        return {"score": self.score, "label": self.label} if self.retcode == SUCCESS else {}


def _object(body: Any) -> dict[str, Any]:
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            raise ServingError(PARAM_ERROR, "the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ServingError(PARAM_ERROR, "the request body is not a JSON object")
    head, inner = body.get("head"), body.get("body")
    if isinstance(head, dict) and isinstance(inner, dict):  # (FATE-Serving's proxy form)
        return {**inner, **head}
    return body


def _case(given: Any, index: int, where: str) -> Case:
    if not isinstance(given, dict):
        raise ServingError(PARAM_ERROR, f"{where} is not a JSON object")
    features = given.get("featureData")
    if not isinstance(features, dict):
        raise ServingError(PARAM_ERROR, f"{where} has no featureData object")
    remote = given.get("sendToRemoteFeatureData", {})
    if not isinstance(remote, dict) or any(value is None or isinstance(value, (dict, list))
                                           for value in remote.values()):
        raise ServingError(PARAM_ERROR, f"the sendToRemoteFeatureData of {where} is not an object of plain values")
    return Case(index, features, {str(key): str(value) for key, value in remote.items()})


def _header(body: dict[str, Any]) -> tuple[str, str]:
    service_id = body.get("serviceId")
    if not isinstance(service_id, str) or not service_id.strip():
        raise ServingError(PARAM_ERROR, "the request names no serviceId")
    caseid = body.get("caseid")
    if caseid is None or caseid == "":
        return service_id, uuid.uuid4().hex
    if not isinstance(caseid, (str, int)) or isinstance(caseid, bool):
        raise ServingError(PARAM_ERROR, "the request's caseid is not a string")
    return service_id, str(caseid)


def single_request(body: Any) -> InferenceRequest:
    """The request of one case; ServingError (PARAM_ERROR) naming what is malformed."""
    found = _object(body)
    service_id, caseid = _header(found)
    return InferenceRequest(service_id, caseid, (_case(found, 0, "the request"),))


def batch_request(body: Any) -> InferenceRequest:
    """A batch request; ServingError (PARAM_ERROR) naming what is malformed."""
    found = _object(body)
    service_id, caseid = _header(found)
    given = found.get("batchDataList")
    if not isinstance(given, list) or not given:
        raise ServingError(PARAM_ERROR, "the batch request has no batchDataList of cases")
    if len(given) > MAX_BATCH:
        raise ServingError(PARAM_ERROR, f"the batch request has {len(given)} cases; a batch holds at most "
                                        f"{MAX_BATCH}")
    cases = []
    for position, item in enumerate(given):
        index = item.get("index", position) if isinstance(item, dict) else position
        if not isinstance(index, int) or isinstance(index, bool):
            raise ServingError(PARAM_ERROR, f"case {position} of batchDataList has an index that is no integer")
        cases.append(_case(item, index, f"case {index} of batchDataList"))
    seen: set[int] = set()
    for case in cases:
        if case.index in seen:
            raise ServingError(PARAM_ERROR, f"batchDataList has two cases of index {case.index}")
        seen.add(case.index)
    return InferenceRequest(service_id, caseid, tuple(cases))


def failure(error: ServingError, caseid: str = "") -> dict[str, Any]:
    """FATE-Serving's reply to a request that failed as a whole (a batch's too)."""
    return {"retcode": error.retcode, "retmsg": error.message, "caseid": caseid, "data": {}}


def single_reply(request: InferenceRequest, outcome: Outcome) -> dict[str, Any]:
    return {"retcode": outcome.retcode, "retmsg": outcome.retmsg, "caseid": request.caseid, "data": outcome.data()}


def batch_reply(request: InferenceRequest, outcomes: list[Outcome]) -> dict[str, Any]:
    return {"retcode": SUCCESS, "retmsg": SUCCESS_MESSAGE, "caseid": request.caseid,
            "batchDataList": [{"index": case.index, "retcode": outcome.retcode, "retmsg": outcome.retmsg,
                               "data": outcome.data()} for case, outcome in zip(request.cases, outcomes)]}
