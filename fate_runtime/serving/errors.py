"""Why serving could not score: FATE-Serving 2's status codes (its StatusCode names) and one sentence."""

from __future__ import annotations

SUCCESS = 0
PARAM_ERROR = 100  # the request is malformed (FATE-Serving's GUEST_PARAM_ERROR / HOST_PARAM_ERROR)
FEATURE_ERROR = 102  # a feature is missing or holds no number (GUEST_FEATURE_ERROR / HOST_FEATURE_ERROR)
MODEL_NULL = 104  # no model version is bound to the service id (MODEL_NULL / HOST_MODEL_NULL)
NET_ERROR = 105  # a host did not answer
BIND_MODEL_ERROR = 109  # the guest and a host bound different model versions to the service
SYSTEM_ERROR = 110  # a failure of the node itself (its log says more)
HOST_FEATURE_NOT_EXIST = 113  # the host has no row for a case's id
INVALID_ROLE_ERROR = 121  # the caller is not the guest party of the model bound to the service
MODEL_INIT_ERROR = 123  # the bound model version cannot be served as it is


class ServingError(Exception):
    """A request serving refuses or cannot answer: its status code and one sentence naming what is at fault."""

    def __init__(self, retcode: int, message: str) -> None:
        super().__init__(message)
        self.retcode = retcode
        self.message = message
