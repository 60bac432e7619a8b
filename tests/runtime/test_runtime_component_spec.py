"""Component parameters (types, choices, ranges, defaults, unknown keys) and the registry of modules."""

from __future__ import annotations

import sys
import textwrap

import pytest

from fate_runtime import components
from fate_runtime.components import BUILTIN, Components, ComponentSpec, Param, ParameterError
from fate_runtime.errors import ConfigError


def _spec(**params: Param) -> ComponentSpec:
    return ComponentSpec(module="Probe", roles=("guest",), params=params, variables=(), run=lambda ctx: None)


# ---- Param.validate ---------------------------------------------------------------------------------


def test_a_float_parameter_takes_an_integer_as_a_float():
    value = Param(float, 0.5).validate("learning_rate", 2)
    assert value == 2.0 and type(value) is float


@pytest.mark.parametrize("param, value, message", [
    (Param(int, 1), True, "p must be an integer, got True"),
    (Param(int, 1), 1.5, "p must be an integer, got 1.5"),
    (Param(int, 1), "3", "p must be an integer, got '3'"),
    (Param(float, 1.0), False, "p must be a number, got False"),
    (Param(float, 1.0), "0.1", "p must be a number, got '0.1'"),
    (Param(bool, True), "false", "p must be a boolean, got 'false'"),
    (Param(bool, True), 0, "p must be a boolean, got 0"),
    (Param(str, "a"), 1, "p must be a string, got 1"),
    (Param(dict, {}), ["a"], "p must be an object, got ['a']"),
    (Param(list, []), {}, "p must be a list, got {}"),
    (Param(str, "a", choices=("a", "b")), "c", "p must be one of a, b, got 'c'"),
    (Param(int, 1, minimum=1), 0, "p must be at least 1, got 0"),
    (Param(float, 1.0, minimum=0.5), 0.25, "p must be at least 0.5, got 0.25"),
    (Param(int, 1, maximum=10), 11, "p must be at most 10, got 11"),
])
def test_a_bad_value_is_refused_naming_the_parameter(param, value, message):
    with pytest.raises(ParameterError) as caught:
        param.validate("p", value)
    assert str(caught.value) == message


def test_values_on_the_bounds_and_among_the_choices_pass_unchanged():
    assert Param(int, 1, minimum=1, maximum=10).validate("p", 1) == 1
    assert Param(int, 1, minimum=1, maximum=10).validate("p", 10) == 10
    assert Param(str, "a", choices=("a", "b")).validate("p", "b") == "b"
    assert Param(dict, {}).validate("p", {"name": "t"}) == {"name": "t"}
    assert Param(bool, True).validate("p", False) is False


def test_the_type_is_checked_before_the_range():
    with pytest.raises(ParameterError) as caught:
        Param(int, 1, minimum=1).validate("p", "0")
    assert str(caught.value) == "p must be an integer, got '0'"


# ---- ComponentSpec.parameters -------------------------------------------------------------------------


def test_parameters_fill_in_defaults_including_need_run():
    spec = _spec(seed=Param(int, 123), rate=Param(float, 0.1))
    assert spec.parameters({}) == ({"need_run": True, "seed": 123, "rate": 0.1}, [])
    assert spec.parameters({"rate": 1, "need_run": False}) == ({"need_run": False, "seed": 123, "rate": 1.0}, [])


def test_unknown_keys_are_listed_in_the_given_order_and_left_out():
    spec = _spec(seed=Param(int, 123))
    values, unknown = spec.parameters({"zeta": 1, "seed": 7, "alpha": {"x": 1}})
    assert values == {"need_run": True, "seed": 7}
    assert unknown == ["zeta", "alpha"]


def test_need_run_must_be_a_boolean():
    with pytest.raises(ParameterError) as caught:
        _spec().parameters({"need_run": "false"})
    assert str(caught.value) == "need_run must be a boolean, got 'false'"


def test_the_first_bad_value_is_reported():
    spec = _spec(a=Param(int, 0, minimum=0), b=Param(int, 0, minimum=0))
    with pytest.raises(ParameterError) as caught:
        spec.parameters({"b": -1, "a": -2})
    assert str(caught.value) == "b must be at least 0, got -1"


# ---- the registry ---------------------------------------------------------------------------------------


def test_the_registry_has_the_toy_example_and_reader_modules():
    secure_add, reader = BUILTIN["SecureAddExample"], BUILTIN["Reader"]
    assert (secure_add.module, secure_add.roles, secure_add.required_roles) == (
        "SecureAddExample", ("guest", "host"), ("guest", "host"))
    assert secure_add.parameters({}) == ({"need_run": True, "seed": 123, "partition": 1, "data_num": 1000}, [])
    assert [(v.name, v.src, v.dst) for v in secure_add.variables] == [
        ("guest_share", "guest", ("host",)), ("host_share", "host", ("guest",)), ("host_sum", "host", ("guest",))]
    assert (reader.module, reader.roles, reader.required_roles) == (
        "Reader", ("guest", "host", "arbiter", "local"), ())
    assert reader.parameters({"table": {"name": "t", "namespace": "n"}}) == (
        {"need_run": True, "table": {"name": "t", "namespace": "n"}}, [])


@pytest.mark.parametrize("params, message", [
    ({"partition": 0}, "partition must be at least 1, got 0"),
    ({"partition": 1025}, "partition must be at most 1024, got 1025"),
    ({"data_num": 0}, "data_num must be at least 1, got 0"),
    ({"seed": 1.0}, "seed must be an integer, got 1.0"),
])
def test_the_toy_example_refuses_values_out_of_range(params, message):
    with pytest.raises(ParameterError) as caught:
        BUILTIN["SecureAddExample"].parameters(params)
    assert str(caught.value) == message


@pytest.fixture
def extra_modules(tmp_path, monkeypatch):
    """A directory on sys.path for component modules; sys.modules is restored afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    written = []

    def write(name: str, body: str) -> None:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
        written.append(name)

    yield write
    for name in written:
        sys.modules.pop(name, None)


_MODULE = """
    from fate_runtime.components import ComponentSpec, Param
    def _spec(module):
        return ComponentSpec(module=module, roles=("local",), params={{"n": Param(int, 1)}}, variables=(),
                             run=lambda ctx: None)
    {assignment}
"""


def test_the_modules_named_add_their_specs_to_the_built_in_ones(extra_modules):
    extra_modules("runtime_spec_extra_one", _MODULE.format(assignment='SPEC = _spec("ExtraOne")'))
    extra_modules("runtime_spec_extra_many", _MODULE.format(
        assignment='SPECS = (_spec("ExtraTwo"), _spec("ExtraThree"))'))
    loaded = Components.load(" runtime_spec_extra_one, ,runtime_spec_extra_many ,")
    assert set(loaded) == {"ExtraOne", "ExtraTwo", "ExtraThree", *BUILTIN}
    assert {"SecureAddExample", "Reader"} <= set(BUILTIN)
    assert loaded["ExtraTwo"].roles == ("local",)
    assert loaded["ExtraOne"].parameters({"n": 5}) == ({"need_run": True, "n": 5}, [])
    assert "ExtraOne" not in BUILTIN  # a registry is an object of its own: loading changes no other


def test_the_variable_is_FATE_RUNTIME_COMPONENTS_and_no_names_load_the_built_in_ones():
    assert components.EXTRA_COMPONENTS_ENV == "FATE_RUNTIME_COMPONENTS"
    assert dict(Components.load("")) == dict(BUILTIN)


def test_a_missing_extra_module_fails_loudly(extra_modules):
    with pytest.raises(ConfigError, match="component module runtime_spec_no_such_module .* cannot be imported"):
        Components.load("runtime_spec_no_such_module")


def test_an_extra_module_without_specs_is_refused(extra_modules):
    extra_modules("runtime_spec_extra_none", _MODULE.format(assignment='SPEC = "not a spec"'))
    with pytest.raises(ConfigError, match="runtime_spec_extra_none .* declares no ComponentSpec"):
        Components.load("runtime_spec_extra_none")


def test_a_task_changing_a_default_value_does_not_change_the_default() -> None:
    spec = ComponentSpec(module="M", roles=("guest",), params={"table": Param(dict, {})}, variables=(),
                         run=lambda ctx: None)
    first, _ = spec.parameters({})
    first["table"]["name"] = "changed"
    second, _ = spec.parameters({})
    assert second["table"] == {}
