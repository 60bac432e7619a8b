"""The models tests' shared fixture: one real redis-server for the session (tests/helpers/redis_server.py)."""

from __future__ import annotations

from redis_server import redis_server  # noqa: F401 - a fixture, found here by pytest

__all__ = ["redis_server"]
