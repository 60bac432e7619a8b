"""Strict equality for round-trip tests: equal values of exactly equal types (stdlib and numpy only)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


def same(a: Any, b: Any) -> bool:
    """Equal values of exactly equal types, recursively (nan equals nan, -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(_one_match(key, value, b) for key, value in a.items())
    if isinstance(a, (set, frozenset)):
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a)
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return bool(a == b)


def _one_match(key: Any, value: Any, other: dict[Any, Any]) -> bool:
    """Whether exactly one key of `other` is the same as `key`, with the same value."""
    matches = [candidate for candidate in other if same(key, candidate)]
    return len(matches) == 1 and same(value, other[matches[0]])
