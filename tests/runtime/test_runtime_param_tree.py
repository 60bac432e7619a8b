"""Nested parameters (FATE's encrypt_param, init_param, ...): defaults, checks and unknown keys at every depth,
through a module's spec and through v1 and v2 job confs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.components import BUILTIN, ComponentSpec, ParameterError
from fate_runtime.components.params import Param, Params
from fate_runtime.errors import BadRequest

# A HeteroLR-like module with FATE 1.2's names and defaults.
LR_PARAMS: dict[str, Param | Params] = {
    "penalty": Param(str, "L2", choices=("L1", "L2"), nullable=True),
    "tol": Param(float, 1e-5, minimum=0.0),
    "alpha": Param(float, 1.0, minimum=0.0),
    "optimizer": Param(str, "sgd", choices=("sgd", "rmsprop", "adam", "adagrad", "nesterov_momentum_sgd")),
    "batch_size": Param(int, -1),
    "learning_rate": Param(float, 0.01, minimum=0.0, maximum=1.0),
    "init_param": Params(init_method=Param(str, "random_uniform",
                                           choices=("random_uniform", "random_normal", "ones", "zeros", "const")),
                         init_const=Param(float, 1.0), fit_intercept=Param(bool, True)),
    "encrypt_param": Params(method=Param(str, "Paillier", choices=("Paillier",), nullable=True),
                            key_length=Param(int, 1024, choices=(1024, 2048, 3072, 4096))),
    "early_stop": Param(str, "diff", choices=("diff", "abs", "weight_diff")),
    "max_iter": Param(int, 100, minimum=1),
}
LR = ComponentSpec(module="ProbeLR", roles=("guest", "host", "arbiter"), params=LR_PARAMS, variables=(),
                   run=lambda ctx: None)
DEFAULTS = {"need_run": True, "penalty": "L2", "tol": 1e-5, "alpha": 1.0, "optimizer": "sgd", "batch_size": -1,
            "learning_rate": 0.01,
            "init_param": {"init_method": "random_uniform", "init_const": 1.0, "fit_intercept": True},
            "encrypt_param": {"method": "Paillier", "key_length": 1024}, "early_stop": "diff", "max_iter": 100}
# A tree one level deeper than FATE's modules go: an object inside an object.
DEEP = ComponentSpec(module="ProbeDeep", roles=("guest",), variables=(), run=lambda ctx: None,
                     params={"outer": Params(inner=Params(size=Param(int, 1, minimum=1)), name=Param(str, "o"))})


def _refusal(spec: ComponentSpec, given: dict[str, Any]) -> str:
    with pytest.raises(ParameterError) as caught:
        spec.parameters(given)
    return str(caught.value)


# ---- the tree on its own ---------------------------------------------------------------------------------------


def test_nothing_given_fills_in_every_default_at_every_depth():
    assert LR.parameters({}) == (DEFAULTS, [])
    assert DEEP.parameters({}) == ({"need_run": True, "outer": {"inner": {"size": 1}, "name": "o"}}, [])


def test_a_partial_object_gets_its_other_members_from_the_defaults():
    values, unknown = LR.parameters({"encrypt_param": {"key_length": 2048}, "init_param": {"init_const": 2}})
    assert values["encrypt_param"] == {"method": "Paillier", "key_length": 2048}
    assert values["init_param"] == {"init_method": "random_uniform", "init_const": 2.0, "fit_intercept": True}
    assert type(values["init_param"]["init_const"]) is float
    assert DEEP.parameters({"outer": {"inner": {}}})[0]["outer"] == {"inner": {"size": 1}, "name": "o"}
    assert DEEP.parameters({"outer": {"name": "x"}})[0]["outer"] == {"inner": {"size": 1}, "name": "x"}


def test_given_values_are_kept_at_every_depth():
    given = {"penalty": "L1", "max_iter": 3, "optimizer": "rmsprop", "early_stop": "weight_diff",
             "init_param": {"init_method": "zeros", "fit_intercept": False},
             "encrypt_param": {"method": "Paillier", "key_length": 4096}}
    values, unknown = LR.parameters(given)
    assert values == {**DEFAULTS, **given, "init_param": {**DEFAULTS["init_param"], **given["init_param"]}}
    assert unknown == []


@pytest.mark.parametrize("given, message", [
    # depth 1
    ({"max_iter": "3"}, "max_iter must be an integer, got '3'"),
    ({"optimizer": "lbfgs"}, "optimizer must be one of sgd, rmsprop, adam, adagrad, nesterov_momentum_sgd, "
                             "got 'lbfgs'"),
    ({"max_iter": 0}, "max_iter must be at least 1, got 0"),
    ({"learning_rate": 1.5}, "learning_rate must be at most 1, got 1.5"),
    ({"max_iter": None}, "max_iter must be an integer, got None"),
    ({"encrypt_param": 3}, "encrypt_param must be an object, got 3"),
    ({"encrypt_param": None}, "encrypt_param must be an object, got None"),
    ({"init_param": ["zeros"]}, "init_param must be an object, got ['zeros']"),
    # depth 2
    ({"init_param": {"fit_intercept": "yes"}}, "init_param.fit_intercept must be a boolean, got 'yes'"),
    ({"encrypt_param": {"key_length": 512}}, "encrypt_param.key_length must be one of 1024, 2048, 3072, 4096, got 512"),
    ({"encrypt_param": {"method": "RSA"}}, "encrypt_param.method must be one of Paillier or None, got 'RSA'"),
    ({"init_param": {"init_const": None}}, "init_param.init_const must be a number, got None"),
    ({"outer": {"inner": {"size": 0}}}, "outer.inner.size must be at least 1, got 0"),
    ({"outer": {"inner": 5}}, "outer.inner must be an object, got 5"),
    ({"outer": {"inner": None}}, "outer.inner must be an object, got None"),
])
def test_a_bad_value_is_refused_naming_its_whole_path(given, message):
    assert _refusal(DEEP if "outer" in given else LR, given) == message


def test_none_passes_only_where_declared():
    values, _ = LR.parameters({"penalty": None, "encrypt_param": {"method": None}})
    assert values["penalty"] is None and values["encrypt_param"] == {"method": None, "key_length": 1024}
    assert _refusal(LR, {"penalty": 3}) == "penalty must be a string or None, got 3"
    assert _refusal(LR, {"early_stop": None}) == "early_stop must be a string, got None"


def test_string_choices_match_whatever_their_case_and_come_out_as_declared():
    """FATE's own example confs write both "paillier" and "Paillier"; FATE lower-cases before it compares."""
    values, _ = LR.parameters({"encrypt_param": {"method": "paillier"}, "penalty": "l1", "optimizer": "RMSProp"})
    assert (values["encrypt_param"]["method"], values["penalty"], values["optimizer"]) == ("Paillier", "L1", "rmsprop")


def test_unknown_keys_at_any_depth_are_reported_by_path_and_left_out():
    given = {"converge_func": "diff", "encrypt_param": {"key_length": 2048, "mode": "strict"},
             "init_param": {"random_seed": 7, "extra": {"deep": 1}}, "outer_unknown": {"a": 1}}
    values, unknown = LR.parameters(given)
    assert unknown == ["converge_func", "encrypt_param.mode", "init_param.random_seed", "init_param.extra",
                       "outer_unknown"]
    assert values == {**DEFAULTS, "encrypt_param": {"method": "Paillier", "key_length": 2048}}
    assert DEEP.parameters({"outer": {"inner": {"size": 2, "shape": 3}}})[1] == ["outer.inner.shape"]


def test_a_task_changing_a_nested_value_does_not_change_the_defaults():
    first, _ = LR.parameters({})
    first["init_param"]["init_method"] = "zeros"
    first["encrypt_param"].clear()
    assert LR.parameters({})[0] == DEFAULTS


def test_a_given_object_is_not_changed_by_the_check():
    given = {"encrypt_param": {"key_length": 2048, "mode": "x"}}
    LR.parameters(given)
    assert given == {"encrypt_param": {"key_length": 2048, "mode": "x"}}


@pytest.mark.parametrize("declare, message", [
    (lambda: Param(int, 512, choices=(1024, 2048)), "default must be one of 1024, 2048, got 512"),
    (lambda: Param(int, None), "default must be an integer, got None"),
    (lambda: Param(float, -1.0, minimum=0.0), "default must be at least 0, got -1.0"),
])
def test_a_default_its_own_checks_refuse_fails_the_declaration(declare, message):
    with pytest.raises(ParameterError) as caught:
        declare()
    assert str(caught.value) == message


def test_a_nullable_param_may_default_to_none():
    assert Param(int, None, nullable=True).default_value() is None


# ---- through job confs: v1 and v2 --------------------------------------------------------------------------------

V1_DSL = {"components": {"hetero_lr_0": {"module": "ProbeLR", "output": {"model": ["hetero_lr"]}}}}
V1_CONF = {
    "initiator": {"role": "guest", "party_id": 9999},
    "role": {"guest": [9999], "host": [10000, 10001], "arbiter": [10002]},
    "algorithm_parameters": {"hetero_lr_0": {"max_iter": 5, "encrypt_param": {"key_length": 2048},
                                             "init_param": {"init_method": "zeros"}}},
    "role_parameters": {"host": {"hetero_lr_0": {
        # FATE 1.2's form: inside a nested object, each key has its list with one value per party
        "init_param": {"fit_intercept": [False, True]},
        # and a whole object per party
        "encrypt_param": [{"method": None}, {"key_length": 3072}],
    }}},
}


PROBES = BUILTIN.with_specs((LR, DEEP))


def _v1(conf: dict[str, Any]) -> dsl.JobPlan:
    return dsl.parse(copy.deepcopy(V1_DSL), conf, PROBES)


def _refused(plan: dsl.JobPlan) -> str:
    with pytest.raises(BadRequest) as caught:
        dsl.check_all_parameters(plan, PROBES)
    return str(caught.value)


def test_v1_nested_objects_merge_algorithm_and_role_parameters_per_party():
    plan = _v1(copy.deepcopy(V1_CONF))
    guest, _ = dsl.checked_parameters(plan, "hetero_lr_0", "guest", "9999", PROBES)
    assert guest == {**DEFAULTS, "max_iter": 5, "encrypt_param": {"method": "Paillier", "key_length": 2048},
                     "init_param": {**DEFAULTS["init_param"], "init_method": "zeros"}}
    first, _ = dsl.checked_parameters(plan, "hetero_lr_0", "host", "10000", PROBES)
    assert first["encrypt_param"] == {"method": None, "key_length": 2048}
    assert first["init_param"] == {"init_method": "zeros", "init_const": 1.0, "fit_intercept": False}
    second, _ = dsl.checked_parameters(plan, "hetero_lr_0", "host", "10001", PROBES)
    assert second["encrypt_param"] == {"method": "Paillier", "key_length": 3072}
    assert second["init_param"] == {"init_method": "zeros", "init_const": 1.0, "fit_intercept": True}
    assert dsl.check_all_parameters(plan, PROBES) == {}


def test_v1_a_bad_nested_value_names_component_path_and_party():
    conf = copy.deepcopy(V1_CONF)
    conf["role_parameters"]["host"]["hetero_lr_0"]["encrypt_param"] = [{}, {"key_length": 512}]
    assert _refused(_v1(conf)) == (
        "hetero_lr_0.encrypt_param.key_length must be one of 1024, 2048, 3072, 4096, got 512 (host 10001)")
    conf = copy.deepcopy(V1_CONF)
    conf["algorithm_parameters"]["hetero_lr_0"]["encrypt_param"] = 3
    del conf["role_parameters"]
    assert _refused(_v1(conf)) == "hetero_lr_0.encrypt_param must be an object, got 3 (guest 9999)"


def test_v1_unknown_nested_keys_are_reported_per_party_with_their_path():
    conf = copy.deepcopy(V1_CONF)
    conf["algorithm_parameters"]["hetero_lr_0"]["init_param"]["seed"] = 1
    conf["role_parameters"]["host"]["hetero_lr_0"]["encrypt_param"] = [{}, {"mode": "x"}]
    unknown = dsl.check_all_parameters(_v1(conf), PROBES)
    assert unknown == {("hetero_lr_0", "guest", "9999"): ["init_param.seed"],
                       ("hetero_lr_0", "host", "10000"): ["init_param.seed"],
                       ("hetero_lr_0", "host", "10001"): ["encrypt_param.mode", "init_param.seed"],
                       ("hetero_lr_0", "arbiter", "10002"): ["init_param.seed"]}


@pytest.mark.parametrize("role_values, message", [
    ({"init_param": {"fit_intercept": [True, False, True]}},
     "role_parameters.host.hetero_lr_0.init_param.fit_intercept has 3 values for 2 host parties"),
    ({"init_param": {"fit_intercept": True}},
     "role_parameters.host.hetero_lr_0.init_param.fit_intercept must be a list with one value per host"),
])
def test_v1_nested_role_values_need_one_value_per_party(role_values, message):
    conf = copy.deepcopy(V1_CONF)
    conf["role_parameters"]["host"]["hetero_lr_0"] = role_values
    assert _refused(_v1(conf)) == message


V2_DSL = {"components": {"hetero_lr_0": {"module": "ProbeLR"}}}
V2_CONF = {
    "dsl_version": 2,
    "initiator": {"role": "guest", "party_id": 9999},
    "role": {"guest": [9999], "host": [10000, 10001], "arbiter": [10002]},
    "component_parameters": {
        "common": {"hetero_lr_0": {"penalty": "L1", "encrypt_param": {"key_length": 2048},
                                   "init_param": {"init_method": "ones"}}},
        "role": {"host": {"1": {"hetero_lr_0": {"encrypt_param": {"method": "paillier"},
                                                "init_param": {"fit_intercept": False}}}},
                 "arbiter": {"all": {"hetero_lr_0": {"max_iter": 7}}}},
    },
}


def _v2(conf: dict[str, Any]) -> dsl.JobPlan:
    return dsl.parse(copy.deepcopy(V2_DSL), conf, PROBES)


def test_v2_the_merged_tree_is_checked_and_filled():
    plan = _v2(copy.deepcopy(V2_CONF))
    host, unknown = dsl.checked_parameters(plan, "hetero_lr_0", "host", "10001", PROBES)
    assert host == {**DEFAULTS, "penalty": "L1", "encrypt_param": {"method": "Paillier", "key_length": 2048},
                    "init_param": {"init_method": "ones", "init_const": 1.0, "fit_intercept": False}}
    assert unknown == []
    arbiter, _ = dsl.checked_parameters(plan, "hetero_lr_0", "arbiter", "10002", PROBES)
    assert arbiter == {**DEFAULTS, "penalty": "L1", "max_iter": 7, "encrypt_param": {"method": "Paillier",
                                                                                     "key_length": 2048},
                       "init_param": {**DEFAULTS["init_param"], "init_method": "ones"}}
    assert dsl.check_all_parameters(plan, PROBES) == {}


def test_v2_a_bad_value_in_one_party_s_part_of_an_object_names_that_party():
    conf = copy.deepcopy(V2_CONF)
    conf["component_parameters"]["role"]["host"]["1"]["hetero_lr_0"]["init_param"]["init_method"] = "twos"
    assert _refused(_v2(conf)) == ("hetero_lr_0.init_param.init_method must be one of random_uniform, "
                                   "random_normal, ones, zeros, const, got 'twos' (host 10001)")


def test_v2_unknown_nested_keys_are_reported_with_their_path():
    conf = copy.deepcopy(V2_CONF)
    conf["component_parameters"]["role"]["host"]["1"]["hetero_lr_0"]["encrypt_param"]["mode"] = "x"
    assert dsl.check_all_parameters(_v2(conf), PROBES) == {("hetero_lr_0", "host", "10001"): ["encrypt_param.mode"]}


@pytest.mark.parametrize("path, value, message", [
    (("common", "hetero_lr_0"), "x", "component_parameters.common.hetero_lr_0 must be a JSON object"),
    (("common", "hetero_lr_0"), [["max_iter", 1]], "component_parameters.common.hetero_lr_0 must be a JSON object"),
    (("role", "host"), [1], "component_parameters.role.host must be a JSON object"),
    (("role", "host", "1"), 3, "component_parameters.role.host.1 must be a JSON object"),
    (("role", "host", "1", "hetero_lr_0"), "x", "component_parameters.role.host.1.hetero_lr_0 must be a JSON object"),
])
def test_v2_a_parameter_section_that_is_not_an_object_is_refused_naming_it(path, value, message):
    conf = copy.deepcopy(V2_CONF)
    parent = conf["component_parameters"]
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert _refused(_v2(conf)) == message


@pytest.mark.parametrize("section, value, message", [
    ("algorithm_parameters", "x", "algorithm_parameters.hetero_lr_0 must be a JSON object"),
    ("role_parameters", [1], "role_parameters.host.hetero_lr_0 must be a JSON object"),
])
def test_v1_a_parameter_section_that_is_not_an_object_is_refused_naming_it(section, value, message):
    conf = copy.deepcopy(V1_CONF)
    if section == "algorithm_parameters":
        conf[section]["hetero_lr_0"] = value
    else:
        conf[section]["host"]["hetero_lr_0"] = value
    assert _refused(_v1(conf)) == message


def test_a_null_parameter_section_counts_as_empty():
    conf = copy.deepcopy(V2_CONF)
    conf["component_parameters"]["common"]["hetero_lr_0"] = None
    assert dsl.checked_parameters(_v2(conf), "hetero_lr_0", "guest", "9999", PROBES) == (DEFAULTS, [])


def test_changing_a_party_s_raw_parameters_leaves_the_conf_alone():
    plan = _v2(copy.deepcopy(V2_CONF))
    plan.raw_parameters("hetero_lr_0", "guest", "9999")["max_iter"] = 1
    assert "max_iter" not in plan.conf["component_parameters"]["common"]["hetero_lr_0"]
