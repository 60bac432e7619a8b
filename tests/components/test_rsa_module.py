"""FATE 1.2's Rsa module: a host's id library signed with the conf's key and saved to the named table."""

from __future__ import annotations

import hashlib
import json

import pytest

from component_harness import PartySetup, PartyStores, run_component
from fate_runtime.components import BUILTIN, rsa
from fate_runtime.components.params import ParameterError
from storage import TableNotFound
from uploaded_tables import stored

HOST = ("host", "10001")
EXAMPLE = "/work/shared/fate_examples/v1.2.0/fate_flow_examples/test_rsa_job_conf.json"
PARAMS = json.load(open(EXAMPLE))["algorithm_parameters"]["rsa_0"]


def fate_digest(sid: str) -> str:
    """FATE's RsaModel, written out with Python's own pow."""
    hashed = int(hashlib.sha256(sid.encode()).hexdigest(), 16)
    return hashlib.sha256(str(pow(hashed, PARAMS["rsa_key_d"], PARAMS["rsa_key_n"])).encode()).hexdigest()


def sign(stores: PartyStores, ids: list[str], component: str = "rsa_0", **params) -> None:
    library = stored(stores[HOST], {sid: "" for sid in ids}, namespace="host-10000#id_library_input")
    run_component(rsa.SPEC, stores, {HOST: PartySetup({**PARAMS, **params}, {"data": [library]})},
                  component=component)


def saved(stores: PartyStores) -> dict[str, str]:
    return dict(stores[HOST].table(PARAMS["save_out_table_namespace"], PARAMS["save_out_table_name"]).collect())


def test_the_id_library_is_signed_as_fate_signs_it_into_the_named_table(tmp_path):
    stores = PartyStores(tmp_path)
    ids = [f"1380000{i:04d}" for i in range(50)]
    sign(stores, ids)
    assert saved(stores) == {fate_digest(sid): sid for sid in ids}


def test_a_second_run_replaces_the_table(tmp_path):
    stores = PartyStores(tmp_path)
    sign(stores, ["a", "b"])
    sign(stores, ["c"], component="rsa_1")
    assert saved(stores) == {fate_digest("c"): "c"}


def test_a_d_that_is_not_the_keys_is_refused_and_nothing_is_saved(tmp_path):
    stores = PartyStores(tmp_path)
    with pytest.raises(ValueError, match=r"^rsa_key_n, rsa_key_e and rsa_key_d are not one RSA key \(d must be"):
        sign(stores, ["a"], rsa_key_d=PARAMS["rsa_key_d"] + 2)
    with pytest.raises(ValueError, match=r"^rsa_key_n, rsa_key_e and rsa_key_d are not one RSA key"):
        sign(stores, ["a"], rsa_key_e=PARAMS["rsa_key_n"] + 1, component="rsa_1")
    with pytest.raises(TableNotFound):
        saved(stores)


def test_missing_parameters_are_named(tmp_path):
    with pytest.raises(ValueError, match="^rsa_0 needs rsa_key_d, save_out_table_name in its parameters$"):
        sign(PartyStores(tmp_path), ["a"], rsa_key_d=None, save_out_table_name="")


@pytest.mark.parametrize("value", [-5, 0, "1234567", 1.5, True])
@pytest.mark.parametrize("name", ["rsa_key_n", "rsa_key_e", "rsa_key_d"])
def test_key_parameters_must_be_positive_integers_and_are_not_echoed(name, value):
    with pytest.raises(ParameterError) as raised:
        rsa.SPEC.parameters({name: value})
    assert str(raised.value) == f"{name} must be a positive integer"


def test_a_built_in_module_of_guests_and_hosts():
    assert BUILTIN["Rsa"] is rsa.SPEC and rsa.SPEC.roles == ("guest", "host")
