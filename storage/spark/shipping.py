"""Functions sent to Spark's Python workers, made able to decode the project's registered data classes."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable, TypeVar

from storage.codec import registered_modules

F = TypeVar("F", bound=Callable[..., Any])


def with_data_classes(fn: F) -> F:
    """`fn`, importing first (in the worker) every module that registered a data class in this driver.

    The driver's import path goes along, so modules found only through it (tests, plug-ins) import too.
    """
    modules = registered_modules()
    path = list(sys.path)

    def run(*args: Any) -> Any:
        missing = [module for module in modules if module not in sys.modules]
        if missing:
            sys.path.extend(entry for entry in path if entry not in sys.path)
            for module in missing:
                try:
                    importlib.import_module(module)
                except ImportError:  # not importable here: its classes stay unknown to this task
                    pass
        return fn(*args)

    return run  # type: ignore[return-value]
