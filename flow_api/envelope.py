"""FATE-Flow's JSON reply envelope: retcode, retmsg, data, jobId, meta."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

SUCCESS = 0
EXCEPTION_ERROR = 100
NOT_FOUND = 101


class ApiError(Exception):
    """A request refused by the REST layer itself (its JSON shape), or by the node."""

    def __init__(self, retmsg: str, retcode: int = EXCEPTION_ERROR, job_id: str = "",
                 http_status: int = 200) -> None:
        super().__init__(retmsg)
        self.retcode = retcode
        self.retmsg = retmsg
        self.job_id = job_id
        self.http_status = http_status


def envelope(retcode: int = SUCCESS, retmsg: str = "success", data: Any = None, job_id: str = "",
             meta: Any = None) -> dict[str, Any]:
    """The reply body; like FATE, keys with empty values are left out (retcode always stays)."""
    body: dict[str, Any] = {"retcode": retcode}
    for key, value in (("retmsg", retmsg), ("data", data), ("jobId", job_id), ("meta", meta)):
        if value not in (None, "", [], {}):
            body[key] = value
    return body


def reply(data: Any = None, job_id: str = "", retmsg: str = "success", meta: Any = None) -> Response:
    return jsonify(envelope(SUCCESS, retmsg, data, job_id, meta))


def error_reply(error: ApiError) -> tuple[Response, int]:
    return jsonify(envelope(error.retcode, error.retmsg, job_id=error.job_id)), error.http_status
