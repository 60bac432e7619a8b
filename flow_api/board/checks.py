"""The board's identifiers and query fields, checked where they enter (a path or a query string): each refusal is
one sentence naming the field, answered with HTTP 400."""

from __future__ import annotations

import re

from flow_api.envelope import ApiError

ROLES = ("guest", "host", "arbiter", "local")
STATUSES = ("waiting", "running", "success", "failed", "canceled", "timeout")
MAX_JOBS = 1000
_JOB_ID = re.compile(r"[0-9]{20,40}")
_PARTY_ID = re.compile(r"0|[1-9][0-9]{0,17}")
_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]{0,99}")
_JOB_ID_PART = re.compile(r"[0-9]{0,40}")
_NUMBER = re.compile(r"[0-9]{1,15}")


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def refused(message: str) -> ApiError:
    return ApiError(message, http_status=400)


def job_id(value: str) -> str:
    if not _JOB_ID.fullmatch(value):
        raise refused(f"job id {_shown(value)} is not a job id (20 to 40 digits)")
    return value


def _listed(value: str, choices: tuple[str, ...], field: str, kind: str) -> str:
    if value not in choices:
        raise refused(f"{field} {_shown(value)} is not a {kind} ({', '.join(choices)})")
    return value


def role(value: str) -> str:
    return _listed(value, ROLES, "role", "role")


def party_id(value: str) -> str:
    if not _PARTY_ID.fullmatch(value):
        raise refused(f"party id {_shown(value)} is not a party id (a non-negative integer such as 10000)")
    return value


def component(value: str) -> str:
    if not _COMPONENT.fullmatch(value):
        raise refused(f"component {_shown(value)} is not a component name (letters, digits, '_' and '-', "
                      "at most 100)")
    return value


def status(value: str) -> str:
    """A job status, or "" for any."""
    return value and _listed(value, STATUSES, "status", "job status")


def job_id_part(value: str) -> str:
    if not _JOB_ID_PART.fullmatch(value):
        raise refused(f"q {_shown(value)} is not a part of a job id (up to 40 digits)")
    return value


def number(value: str | None, name: str, default: int, largest: int) -> int:
    """A non-negative integer query field, at most `largest`; `default` when absent or empty."""
    if not value:
        return default
    if not _NUMBER.fullmatch(value) or int(value) > largest:
        raise refused(f"{name} {_shown(value)} is not a number from 0 to {largest}")
    return int(value)
