"""Checks shared by the node's request handlers: required fields, work mode, table names."""

from __future__ import annotations

from typing import Any

from fate_runtime.errors import BadRequest, missing_arguments
from storage import InvalidTableArgument, check_name

_MODE_NAMES = {0: "standalone", 1: "cluster"}


def require(fields: dict[str, Any]) -> None:
    """Refuse the request if any of these fields is unset or empty, naming all of them."""
    missing = [name for name, value in fields.items() if value is None or value == ""]
    if missing:
        raise missing_arguments(missing)


def check_work_mode(requested: int, node_mode: int) -> None:
    if requested not in _MODE_NAMES:
        raise BadRequest(f"work_mode must be 0 (standalone) or 1 (cluster), got {requested}")
    if requested != node_mode:
        raise BadRequest(f"work_mode {requested} does not match this node, which runs in "
                         f"{_MODE_NAMES[node_mode]} mode (work_mode {node_mode})")


def check_table_name(namespace: str, name: str) -> None:
    try:
        check_name("namespace", namespace)
        check_name("name", name)
    except InvalidTableArgument as exc:
        raise BadRequest(str(exc)) from None
