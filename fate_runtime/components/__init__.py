"""The federated components (FATE's modules), what they declare, and the context they run with."""

from __future__ import annotations

from fate_runtime.components.context import ComponentContext
from fate_runtime.components.registry import BUILTIN, EXTRA_COMPONENTS_ENV, Components
from fate_runtime.components.spec import ComponentSpec, Param, ParameterError, Params

__all__ = ["BUILTIN", "EXTRA_COMPONENTS_ENV", "ComponentContext", "ComponentSpec", "Components", "Param",
           "ParameterError", "Params"]
