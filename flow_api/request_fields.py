"""Reading a request's JSON body and fields, with one clear message for each shape error.

Everything a request brings is bounded before a handler sees it: the body's size (before it is
read), its nesting depth, every string in it (valid Unicode: no lone surrogates, which JSON's
\\uXXXX escapes can carry) and the length of each top-level string field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Request

from flow_api.envelope import ApiError

MAX_BODY_BYTES = 16 << 20  # a DSL and conf are kilobytes; uploads are multipart and not bounded here
MAX_DEPTH = 64
MAX_FIELD_NAME = 128
MAX_TEXT = 4096
MAX_FREE_TEXT = 10_000
FREE_TEXT_FIELDS = frozenset({"notes", "description"})
# Files' text FATE's clients send as a string (`flow job dsl`: the train DSL, the component list), bounded by the
# body's size alone.
FILE_TEXT_FIELDS = frozenset({"train_dsl", "cpn_str"})
BODY = "the request body"
BODY_TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES >> 20} MiB"
_INTEGER = re.compile(r"\s*([+-]?)([0-9]+)\s*", re.ASCII)
_MAX_DIGITS = 12  # beyond the int32 range anyway; int() is never asked to read thousands of digits


def limit_body(request: Request) -> None:
    """Refuse a non-multipart body larger than MAX_BODY_BYTES: by its Content-Length before it is read, a chunked
    one as soon as it passes the limit."""
    if request.mimetype == "multipart/form-data":
        return  # an upload streams its file to the node, however large
    if request.content_length is not None:
        if request.content_length > MAX_BODY_BYTES:
            raise ApiError(BODY_TOO_LARGE, http_status=413)
        return
    request.max_content_length = MAX_BODY_BYTES + 1  # werkzeug reads no further than this
    if len(request.get_data(cache=True)) > MAX_BODY_BYTES:
        raise ApiError(BODY_TOO_LARGE, http_status=413)


def _is_unicode(value: str) -> bool:
    """False for text with lone surrogates (which no UTF-8 can carry)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_unicode(name: str) -> ApiError:
    return ApiError(f"the field {name} has text that is not valid Unicode")


def checked_text(name: str, value: str) -> str:
    """`value` of the field `name`, refused if it is not valid Unicode or longer than the field allows."""
    if not _is_unicode(value):
        raise _not_unicode(name)
    if name in FILE_TEXT_FIELDS:
        return value
    limit = MAX_FREE_TEXT if name in FREE_TEXT_FIELDS else MAX_TEXT
    if len(value) > limit:
        raise ApiError(f"{name} is longer than {limit} characters")
    return value


def _too_deep(what: str) -> ApiError:
    return ApiError(f"{what} is nested more than {MAX_DEPTH} levels deep")


def _field_name(key: str, what: str) -> str:
    if not _is_unicode(key):
        raise ApiError(f"a field name in {what} is not valid Unicode")
    if len(key) > MAX_FIELD_NAME:
        raise ApiError(f"a field name in {what} is longer than {MAX_FIELD_NAME} characters")
    return key


def _check_nested(name: str, value: Any, what: str) -> None:
    """Every key and string inside the field `name` is valid Unicode, at most MAX_DEPTH levels down (no recursion)."""
    pending = [(value, 2)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)) and depth > MAX_DEPTH:
            raise _too_deep(what)
        if isinstance(item, dict):
            for key, inner in item.items():
                pending.append((key, depth))
                pending.append((inner, depth + 1))
        elif isinstance(item, list):
            pending.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str) and not _is_unicode(item):
            raise _not_unicode(name)


def checked_object(body: dict[str, Any], what: str = BODY) -> dict[str, Any]:
    """A parsed JSON object, refused unless every field passes the bounds above; `what` names it in refusals."""
    for key, value in body.items():
        name = _field_name(key, what)
        if isinstance(value, str):
            checked_text(name, value)
        else:
            _check_nested(name, value, what)
    return body


def json_object(raw: bytes | str, what: str = BODY) -> dict[str, Any]:
    """`raw` as one JSON object, checked as above; `what` names it in refusals."""
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(f"{what} is not valid JSON") from None
    except RecursionError:
        raise _too_deep(what) from None
    except ValueError:  # an integer of more digits than Python converts
        raise ApiError(f"{what} has a number too long to read") from None
    if not isinstance(value, dict):
        raise ApiError(f"{what} must be a JSON object")
    return checked_object(value, what)


def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body counts as {})."""
    raw = request.get_data(cache=True)
    return json_object(raw) if raw.strip() else {}


def text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ApiError(f"{name} must be a string")
    return checked_text(name, str(value))


def integer(body: dict[str, Any], name: str) -> int | None:
    """An integer field given as a number or a numeric string (ASCII digits, an optional sign); None when absent."""
    value = body.get(name)
    if value is None or value == "":
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and (found := _INTEGER.fullmatch(value)):
        sign, digits = found.groups()
        if len(digits.lstrip("0")) > _MAX_DIGITS:
            raise ApiError(f"{name} is out of range")
        number = int(sign + digits)
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
