"""How a component declares itself: its FATE module name, parameters, roles and transfer variables."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable, Mapping

from fate_runtime.components.params import Param, ParameterError, Params
from federation import TransferVariable

if TYPE_CHECKING:
    from fate_runtime.components.context import ComponentContext

# Keys FATE's confs carry on every component whatever its module.
COMMON_PARAMS = {"need_run": Param(bool, True)}


@dataclasses.dataclass(frozen=True)
class ComponentSpec:
    """A FATE module: which roles run it, with which parameters, exchanging which variables."""

    module: str
    roles: tuple[str, ...]
    params: Mapping[str, Param | Params]
    variables: tuple[TransferVariable, ...]
    run: Callable[["ComponentContext"], None]
    required_roles: tuple[str, ...] = ()
    # FATE's need_deploy: the module runs in predict jobs (with the model it saved when trained).
    deploy: bool = False

    def parameters(self, given: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """(checked parameters with defaults filled in at every depth, dotted paths of unknown keys, which are
        left out); ParameterError names the path of the first bad value."""
        unknown: list[str] = []
        return Params(**{**COMMON_PARAMS, **self.params}).validate("", given, unknown), unknown


__all__ = ["COMMON_PARAMS", "ComponentSpec", "Param", "ParameterError", "Params"]
