"""Reading a request's JSON body and fields, with one clear message for each shape error."""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from flow_api.envelope import ApiError


def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body counts as {})."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError("the request body must be a JSON object")
    return body


def text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ApiError(f"{name} must be a string")
    return str(value)


def integer(body: dict[str, Any], name: str) -> int | None:
    """An integer field given as a number or a numeric string; None when absent."""
    value = body.get(name)
    if value is None or value == "":
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    if number is None:
        raise ApiError(f"{name} must be an integer")
    if not -(1 << 31) <= number < 1 << 31:
        raise ApiError(f"{name} is out of range")
    return number


def boolean(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)) and str(value).strip().lower() in ("0", "1", "true", "false"):
        return str(value).strip().lower() in ("1", "true")
    raise ApiError(f"{name} must be true or false")
