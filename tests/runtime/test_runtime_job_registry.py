"""The job registry federation consults: registering a job again must not change it; its token stays secret."""

from __future__ import annotations

import pytest

from fate_runtime.state.db import Database
from fate_runtime.errors import BadRequest, Conflict
from fate_runtime.state.job_registry import JobRegistry
from federation import TransferVariable

JOB = "20261201000000000009"
TOKEN = "0123456789abcdef0123456789abcdef"
ROLES = {"guest": ["9999"], "host": ["10000"]}
VARIABLES = [TransferVariable("x", "guest", ("host",))]


@pytest.fixture
def registry(tmp_path):
    return JobRegistry(Database(str(tmp_path / "db" / "fate_flow.db")))


def test_registered_job_is_found_with_its_parties_variables_and_token(registry):
    registry.register(JOB, ROLES, VARIABLES, TOKEN)
    view = registry.lookup(JOB)
    assert view.roles == {"guest": ("9999",), "host": ("10000",)}
    assert view.token == registry.token(JOB) == TOKEN
    view.declarations.check("x", "guest", "host")
    assert registry.lookup("20261201000000000008") is None
    assert registry.token("20261201000000000008") is None


def test_registering_again_the_same_is_harmless_but_changes_are_refused(registry):
    registry.register(JOB, ROLES, VARIABLES, TOKEN)
    registry.register(JOB, ROLES, VARIABLES, TOKEN)
    with pytest.raises(Conflict, match="registered already"):
        registry.register(JOB, {"guest": ["8888"], "host": ["10000"]}, VARIABLES, TOKEN)
    with pytest.raises(Conflict):
        registry.register(JOB, ROLES, [TransferVariable("x", "host", ("guest",))], TOKEN)
    with pytest.raises(Conflict):
        registry.register(JOB, ROLES, VARIABLES, "another token")
    assert registry.lookup(JOB).roles["guest"] == ("9999",)
    assert registry.token(JOB) == TOKEN


def test_registration_needs_a_job_id_parties_and_a_token(registry):
    with pytest.raises(BadRequest):
        registry.register("", ROLES, VARIABLES, TOKEN)
    with pytest.raises(BadRequest):
        registry.register(JOB, {"guest": []}, VARIABLES, TOKEN)
    with pytest.raises(BadRequest, match="needs its token"):
        registry.register(JOB, ROLES, VARIABLES, "")
    assert registry.lookup(JOB) is None


def test_a_forgotten_job_is_unknown_again(registry):
    registry.register(JOB, ROLES, VARIABLES, TOKEN)
    registry.forget(JOB)
    assert registry.lookup(JOB) is None and registry.token(JOB) is None
    registry.register(JOB, ROLES, VARIABLES, "a new token")
    assert registry.token(JOB) == "a new token"
