"""Debian packages some tests need (redis-server, chromium): missing, they skip the test, except in CI."""

from __future__ import annotations

import os

import pytest

CI_VARIABLE = "FATE_RUNTIME_CI"  # .ci/run sets it to 1, after installing the packages


def missing_package(reason: str) -> None:
    """Skip the test, or fail it in CI, where the package must be there."""
    if os.environ.get(CI_VARIABLE) == "1":
        pytest.fail(f"{reason} ({CI_VARIABLE}=1: .ci/run installs it)")
    pytest.skip(reason)
