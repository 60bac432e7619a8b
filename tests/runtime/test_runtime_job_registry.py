"""The job registry federation consults: registering a job again must not change it."""

from __future__ import annotations

import pytest

from fate_runtime.db import Database
from fate_runtime.errors import BadRequest, Conflict
from fate_runtime.job_registry import JobRegistry
from federation import TransferVariable

ROLES = {"guest": ["9999"], "host": ["10000"]}
VARIABLES = [TransferVariable("x", "guest", ("host",))]


@pytest.fixture
def registry(tmp_path):
    return JobRegistry(Database(str(tmp_path / "db" / "fate_flow.db")))


def test_registered_job_is_found_with_its_parties_and_variables(registry):
    registry.register("j", ROLES, VARIABLES)
    view = registry.lookup("j")
    assert view.roles == {"guest": ("9999",), "host": ("10000",)}
    view.declarations.check("x", "guest", "host")
    assert registry.lookup("other") is None


def test_registering_again_the_same_is_harmless_but_changes_are_refused(registry):
    registry.register("j", ROLES, VARIABLES)
    registry.register("j", ROLES, VARIABLES)
    with pytest.raises(Conflict, match="registered already"):
        registry.register("j", {"guest": ["8888"], "host": ["10000"]}, VARIABLES)
    with pytest.raises(Conflict):
        registry.register("j", ROLES, [TransferVariable("x", "host", ("guest",))])
    assert registry.lookup("j").roles["guest"] == ("9999",)


def test_registration_needs_a_job_id_and_parties(registry):
    with pytest.raises(BadRequest):
        registry.register("", ROLES, VARIABLES)
    with pytest.raises(BadRequest):
        registry.register("j", {"guest": []}, VARIABLES)
