"""Fixtures for the job-planning tests (helpers in runtime_examples)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fate_runtime.components import BUILTIN, Components
from fate_runtime.state.db import Database
from fate_runtime.state.job_store import JobStore
from runtime_examples import FAKE_MODULES, TOY_EXAMPLE, load_json


@pytest.fixture
def fate_modules() -> Components:
    """The built-in components and stand-ins of FATE's ML modules."""
    return BUILTIN.with_specs(FAKE_MODULES)


@pytest.fixture
def toy() -> tuple[dict[str, Any], dict[str, Any]]:
    """FATE's toy example (SecureAddExample), DSL and conf, as shipped in examples/toy_example."""
    return load_json(TOY_EXAMPLE / "toy_example_dsl.json"), load_json(TOY_EXAMPLE / "toy_example_conf.json")


@pytest.fixture
def guest_host_plan(toy: tuple[dict[str, Any], dict[str, Any]]) -> Any:
    """The toy example between guest 9999 (the initiator) and host 10000, in cluster mode."""
    from fate_runtime import dsl

    job_dsl, conf = copy.deepcopy(toy)
    conf["initiator"]["party_id"] = 9999
    conf["role"] = {"guest": [9999], "host": [10000]}
    conf["job_parameters"]["work_mode"] = 1
    return dsl.parse(job_dsl, conf)


@pytest.fixture
def db(tmp_path) -> Database:
    """A fresh job database."""
    return Database(str(tmp_path / "db" / "fate_flow.db"))


@pytest.fixture
def store(db: Database, tmp_path) -> JobStore:
    return JobStore(db, str(tmp_path / "data"))
