"""The federated components, keyed by FATE's module names."""

from __future__ import annotations

from fate_runtime.components import reader, secure_add_example
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.spec import ComponentSpec, Param, ParameterError

REGISTRY: dict[str, ComponentSpec] = {spec.module: spec for spec in (secure_add_example.SPEC, reader.SPEC)}

__all__ = ["REGISTRY", "ComponentContext", "ComponentSpec", "Param", "ParameterError"]
