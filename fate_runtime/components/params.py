"""Parameter declarations as FATE nests them: `Param` leaves in `Params` objects, checked and filled at every depth.

A component declares, for instance:

    {"max_iter": Param(int, 100, minimum=1),
     "encrypt_param": Params(method=Param(str, "Paillier", choices=("Paillier",), nullable=True),
                             key_length=Param(int, 1024, choices=(1024, 2048, 3072, 4096)))}

and a conf giving `encrypt_param: {"key_length": 2048}` gets `method` from its default.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

_KINDS: dict[type, str] = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
                           dict: "an object", list: "a list"}


class ParameterError(ValueError):
    """A value a parameter cannot take: `path` (dotted, from the component) and what is wrong with it."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem


def _folded(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _member_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: its type, default, and an optional check of its value; None only where `nullable`.

    String choices match whatever their case (FATE's confs write both "paillier" and "Paillier") and
    come out spelled as declared.
    """

    kind: type
    default: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False

    def __post_init__(self) -> None:
        self.validate("default", self.default)  # a declaration whose default it would refuse fails at import

    def default_value(self) -> Any:
        return copy.deepcopy(self.default)  # a task changing its value leaves the default intact

    def validate(self, path: str, value: Any) -> Any:
        """The value, converted where FATE's confs allow it (an int where a float is wanted)."""
        if value is None and self.nullable:
            return None
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise ParameterError(path, f"must be {self._or_none(_KINDS.get(self.kind, self.kind.__name__))}, "
                                       f"got {value!r}")
        if self.choices:
            value = self._chosen(path, value)
        number: Any = value  # (isinstance against a type held in a field tells mypy only "object")
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(path, f"must be at least {self.minimum:g}, got {value!r}")
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(path, f"must be at most {self.maximum:g}, got {value!r}")
        return value

    def _chosen(self, path: str, value: Any) -> Any:
        for choice in self.choices:
            if _folded(value) == _folded(choice):
                return choice
        raise ParameterError(path, f"must be one of {self._or_none(', '.join(map(str, self.choices)))}, got {value!r}")

    def _or_none(self, allowed: str) -> str:
        return f"{allowed} or None" if self.nullable else allowed


class Params:
    """A nested parameter object (FATE's encrypt_param, init_param, ...): named members, each a Param or Params."""

    def __init__(self, **members: Param | Params) -> None:
        self.members = members

    def default_value(self) -> dict[str, Any]:
        return {name: member.default_value() for name, member in self.members.items()}

    def validate(self, path: str, value: Any, unknown: list[str]) -> dict[str, Any]:
        """The object with every member checked and the missing ones at their defaults; unknown keys'
        paths are appended to `unknown` (and left out)."""
        if not isinstance(value, dict):
            raise ParameterError(path, f"must be an object, got {value!r}")
        values = self.default_value()
        for name, given in value.items():
            member, where = self.members.get(name), _member_path(path, name)
            if member is None:
                unknown.append(where)
            elif isinstance(member, Params):
                values[name] = member.validate(where, given, unknown)
            else:
                values[name] = member.validate(where, given)
        return values
