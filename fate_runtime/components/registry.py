"""Which FATE modules a node runs: the built-in components and the operator's, by module name.

A node builds its `Components` once, when it starts (`Components.load` with the modules named in
$FATE_RUNTIME_COMPONENTS), and passes it to what plans and runs jobs; its task processes load the
same names. Nothing here is filled at import time.
"""

from __future__ import annotations

from importlib import import_module
from typing import Iterable, Iterator, Mapping

from fate_runtime.components import (binning, dataio, evaluation, hetero_lr, intersection, reader, rsa, secure_add_example,
                                     selection)
from fate_runtime.components.spec import ComponentSpec
from fate_runtime.errors import ConfigError

EXTRA_COMPONENTS_ENV = "FATE_RUNTIME_COMPONENTS"


class Components(Mapping[str, ComponentSpec]):
    """Component specs by FATE module name (immutable)."""

    def __init__(self, specs: Iterable[ComponentSpec]) -> None:
        self._specs = {spec.module: spec for spec in specs}

    def __getitem__(self, module: str) -> ComponentSpec:
        return self._specs[module]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def with_specs(self, specs: Iterable[ComponentSpec]) -> "Components":
        """These components and `specs` (a spec of a module already here replaces it)."""
        return Components([*self._specs.values(), *specs])

    @staticmethod
    def load(names: str) -> "Components":
        """The built-in components and those of the modules named in `names` (comma-separated; each declares
        SPEC or SPECS); ConfigError naming a module that cannot be imported or declares none."""
        extra: list[ComponentSpec] = []
        for name in filter(None, (part.strip() for part in names.split(","))):
            try:
                module = import_module(name)
            except ImportError as exc:
                raise ConfigError(f"component module {name} (in ${EXTRA_COMPONENTS_ENV}) cannot be imported: "
                                  f"{exc}") from None
            specs = getattr(module, "SPECS", None) or ([module.SPEC] if hasattr(module, "SPEC") else [])
            if not specs or not all(isinstance(spec, ComponentSpec) for spec in specs):
                raise ConfigError(f"component module {name} (in ${EXTRA_COMPONENTS_ENV}) declares no ComponentSpec "
                                  "as SPEC or SPECS")
            extra.extend(specs)
        return BUILTIN.with_specs(extra)


BUILTIN = Components([
    secure_add_example.SPEC,
    reader.SPEC,
    dataio.SPEC,
    intersection.SPEC,
    rsa.SPEC,
    binning.SPEC,
    selection.SPEC,
    hetero_lr.SPEC,
    evaluation.SPEC,
])
