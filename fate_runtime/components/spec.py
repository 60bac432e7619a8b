"""How a component declares itself: its FATE module name, parameters, roles and transfer variables."""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any, Callable

from federation import TransferVariable

if TYPE_CHECKING:
    from fate_runtime.components.context import ComponentContext

_KINDS: dict[type, str] = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
                           dict: "an object", list: "a list"}


class ParameterError(ValueError):
    """A parameter value a component cannot take; the message names the parameter."""


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: its type, default, and an optional check of its value."""

    kind: type
    default: Any = None
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def validate(self, name: str, value: Any) -> Any:
        """The value, converted where FATE's confs allow it (an int where a float is wanted)."""
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise ParameterError(f"parameter {name} must be {_KINDS.get(self.kind, self.kind.__name__)}, "
                                 f"got {value!r}")
        if self.choices and value not in self.choices:
            raise ParameterError(f"parameter {name} must be one of {', '.join(map(str, self.choices))}, got {value!r}")
        number: Any = value  # (isinstance against a type held in a field tells mypy only "object")
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(f"parameter {name} must be at least {self.minimum:g}, got {value!r}")
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(f"parameter {name} must be at most {self.maximum:g}, got {value!r}")
        return value


# Keys FATE's confs carry on every component whatever its module.
COMMON_PARAMS = {"need_run": Param(bool, True)}


@dataclasses.dataclass(frozen=True)
class ComponentSpec:
    """A FATE module: which roles run it, with which parameters, exchanging which variables."""

    module: str
    roles: tuple[str, ...]
    params: dict[str, Param]
    variables: tuple[TransferVariable, ...]
    run: Callable[["ComponentContext"], None]
    required_roles: tuple[str, ...] = ()

    def parameters(self, given: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """(checked parameters with defaults filled in, names of unknown keys, which are ignored)."""
        known = {**COMMON_PARAMS, **self.params}
        values = {name: copy.deepcopy(param.default) for name, param in known.items()}  # defaults stay intact
        unknown = []
        for name, value in given.items():
            if name not in known:
                unknown.append(name)
                continue
            values[name] = known[name].validate(name, value)
        return values, unknown
