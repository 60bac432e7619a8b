"""The one rule for identifiers that meet the file system, a database key or another party.

Job ids are FATE's (`%Y%m%d%H%M%S%f` and a counter: digits only), party ids FATE's integers,
roles FATE's (and `local` for a node's own upload/download jobs), component names letters,
digits, `_` and `-` (a DSL reference is `component.output`), table namespaces and names as the
store allows them. Every check raises BadRequest with one sentence naming the field.
"""

from __future__ import annotations

import itertools
import re
import threading
from datetime import datetime
from typing import Any, Callable

from fate_runtime.errors import BadRequest
from storage import InvalidTableArgument, check_name

ROLES = frozenset({"guest", "host", "arbiter", "local"})
MAX_COMPONENTS = 1000
MAX_TEXT = 10_000  # free text: notes, descriptions
MAX_FIELD = 4096  # any other string of a request

_JOB_ID = re.compile(r"[0-9]{20,40}")
_PARTY = r"(?:0|[1-9][0-9]{0,17})"
_PARTY_ID = re.compile(_PARTY)
_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]{0,99}")
_MODEL_ID = re.compile(rf"(?:(?:{'|'.join(sorted(ROLES))})-{_PARTY}(?:_{_PARTY})*#)+model")


def shown(value: Any) -> str:
    """A value as a message quotes it: its repr, cut short when long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def job_id(value: Any, field: str = "job_id") -> str:
    if not isinstance(value, str) or not _JOB_ID.fullmatch(value):
        raise BadRequest(f"{field} {shown(value)} is not a job id (FATE's job ids are 20 or more digits)")
    return value


def party_id(value: Any, field: str = "party_id") -> str:
    """A party id as FATE gives it (an integer, or its decimal text); returned as text."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _PARTY_ID.fullmatch(text):
        raise BadRequest(f"{field} {shown(value)} is not a party id (a non-negative integer such as 10000)")
    return text


def role(value: Any, field: str = "role") -> str:
    if value not in ROLES:
        raise BadRequest(f"{field} {shown(value)} is not a role (guest, host, arbiter or local)")
    return str(value)


def component(value: Any, field: str = "component_name") -> str:
    if not isinstance(value, str) or not _COMPONENT.fullmatch(value):
        raise BadRequest(f"{field} {shown(value)} is not a component name "
                         "(letters, digits, '_' and '-', at most 100)")
    return value


def model_id(value: Any, field: str = "model_id") -> str:
    """FATE's model id: each role with its party ids, then `model` (`arbiter-10000#guest-9999#host-10000#model`)."""
    if not isinstance(value, str) or len(value) > MAX_FIELD or not _MODEL_ID.fullmatch(value):
        raise BadRequest(f"{field} {shown(value)} is not a model id "
                         "(FATE's form: arbiter-10000#guest-9999#host-10000#model)")
    return value


def table_part(value: Any, field: str) -> str:
    """A table namespace or name, as the store allows them."""
    try:
        return check_name(field, value)
    except InvalidTableArgument:
        raise BadRequest(f"{field} {shown(value)} is not a table {field.rsplit('_', 1)[-1]} "
                         "(1 to 200 characters, no control characters, not '.' or '..')") from None


def text(value: str, field: str, limit: int = MAX_FIELD) -> str:
    if len(value) > limit:
        raise BadRequest(f"{field} is longer than {limit} characters")
    return value


Check = Callable[[Any, str], Any]

# Request fields (by name, in every message of every service) and the rule each follows.
FIELD_RULES: dict[str, Check] = {
    "job_id": job_id, "party_id": party_id, "party_ids": party_id, "src_party": party_id,
    "role": role, "src_role": role, "dst_roles": role,
    "component": component, "component_name": component, "current_steps": component,
    "namespace": table_part, "table_name": table_part,
}


_counter = itertools.count(1)
_counter_lock = threading.Lock()


def new_job_id() -> str:
    """A job id in FATE's format: `%Y%m%d%H%M%S%f` followed by a process-wide counter."""
    with _counter_lock:
        return datetime.now().strftime("%Y%m%d%H%M%S%f") + str(next(_counter))
