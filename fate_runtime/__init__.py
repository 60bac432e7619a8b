"""The node: configuration, gRPC services, jobs and the federated components.

Names are imported on first use, so that `python -m fate_runtime.<module>` (a task process)
starts without loading the whole node.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"ConfigError": "fate_runtime.errors", "NodeConfig": "fate_runtime.node.config",
            "load_conf_file": "fate_runtime.node.config", "Node": "fate_runtime.node.server",
            "start_node": "fate_runtime.node.server"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'fate_runtime' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
