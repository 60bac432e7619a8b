"""The federated components, keyed by FATE's module names."""

from __future__ import annotations

import os
from importlib import import_module

from fate_runtime.components import reader, secure_add_example
from fate_runtime.components.context import ComponentContext
from fate_runtime.components.spec import ComponentSpec, Param, ParameterError
from fate_runtime.errors import ConfigError

EXTRA_COMPONENTS_ENV = "FATE_RUNTIME_COMPONENTS"

REGISTRY: dict[str, ComponentSpec] = {spec.module: spec for spec in (secure_add_example.SPEC, reader.SPEC)}


def _load_extra_components() -> None:
    """Modules named (comma-separated) in $FATE_RUNTIME_COMPONENTS add their SPEC (or SPECS) to the registry.

    The operator's own components: set where the node starts, its task processes inherit it.
    """
    for name in filter(None, (part.strip() for part in os.environ.get(EXTRA_COMPONENTS_ENV, "").split(","))):
        try:
            module = import_module(name)
        except ImportError as exc:
            raise ConfigError(f"component module {name} (in ${EXTRA_COMPONENTS_ENV}) cannot be imported: {exc}") from None
        specs = getattr(module, "SPECS", None) or ([module.SPEC] if hasattr(module, "SPEC") else [])
        if not specs or not all(isinstance(spec, ComponentSpec) for spec in specs):
            raise ConfigError(f"component module {name} (in ${EXTRA_COMPONENTS_ENV}) declares no ComponentSpec "
                              "as SPEC or SPECS")
        for spec in specs:
            REGISTRY[spec.module] = spec


_load_extra_components()

__all__ = ["REGISTRY", "ComponentContext", "ComponentSpec", "Param", "ParameterError"]
