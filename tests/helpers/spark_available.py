"""Spark tests need java and pyspark: skipped without them (failed under .ci/run, as system_packages decides)."""

from __future__ import annotations

import shutil

import pytest

from system_packages import missing_package


def require_spark() -> None:
    if shutil.which("java") is None:
        missing_package("java is not installed (Debian: openjdk-17-jre-headless)")
    pytest.importorskip("pyspark")
