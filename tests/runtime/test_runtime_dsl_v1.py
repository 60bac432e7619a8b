"""Planning FATE DSL v1 jobs: FATE's own example DSLs and confs, and every refusal of a malformed one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest
from runtime_examples import FLOW_EXAMPLES, federatedml_example, load_json

TOY = "secure_add_example_0"


def _refusal(job_dsl: Any, conf: Any) -> str:
    with pytest.raises(BadRequest) as caught:
        dsl.parse(job_dsl, conf)
    return str(caught.value)


# ---- FATE's toy example -----------------------------------------------------------------------------------


def test_the_toy_example_is_planned_as_fate_describes_it(toy):
    plan = dsl.parse(*toy)
    assert (plan.dsl_version, plan.initiator_role, plan.initiator_party) == (1, "guest", "10000")
    assert plan.roles == {"guest": ["10000"], "host": ["10000"]}
    assert plan.parties() == [("guest", "10000"), ("host", "10000")]
    assert plan.job_parameters == {"work_mode": 0} and plan.work_mode == 0
    assert list(plan.components) == [TOY]
    component = plan.components[TOY]
    assert (component.module, component.data_inputs, component.model_inputs) == ("SecureAddExample", {}, ())
    assert (component.output_data, component.output_model, component.upstream) == ((), (), ())
    assert plan.dependencies() == {TOY: []}
    assert plan.model_id() == "guest-10000#host-10000#model"
    assert (plan.dsl, plan.conf) == toy


def test_the_toy_example_parameters_merge_algorithm_and_role_parameters(toy):
    plan = dsl.parse(*toy)
    assert plan.raw_parameters(TOY, "guest", "10000") == {"partition": 10, "data_num": 1000, "seed": 123}
    assert plan.raw_parameters(TOY, "host", 10000) == {"partition": 10, "data_num": 1000, "seed": 321}
    assert dsl.checked_parameters(plan, TOY, "host", "10000") == (
        {"need_run": True, "seed": 321, "partition": 10, "data_num": 1000}, [])
    assert dsl.check_all_parameters(plan) == {}
    assert plan.runs_on(TOY, "guest", "10000") and plan.runs_on(TOY, "host", "10000")
    assert plan.input_tables("guest", "10000") == {} and plan.input_tables("host", "10000") == {}


def test_keys_fate_clients_add_are_ignored(toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf.update(conf_path="/data/projects/toy_example_conf.json", dsl_path="/data/projects/toy_example_dsl.json")
    job_dsl["components"][TOY]["need_deploy"] = True
    plan = dsl.parse(job_dsl, conf)
    assert plan.dependencies() == {TOY: []}
    assert plan.raw_parameters(TOY, "guest", "10000") == {"partition": 10, "data_num": 1000, "seed": 123}


# ---- FATE's hetero LR example -------------------------------------------------------------------------------

HETERO_LR_DSL = FLOW_EXAMPLES / "test_hetero_lr_job_dsl.json"
HETERO_LR_CONF = FLOW_EXAMPLES / "test_hetero_lr_job_conf.json"


def test_a_module_this_runtime_lacks_is_named_in_the_refusal():
    job_dsl = load_json(HETERO_LR_DSL)
    job_dsl["components"]["hetero_lr_0"]["module"] = "HeteroLRNotInThisRuntime"
    refusal = _refusal(job_dsl, load_json(HETERO_LR_CONF))
    assert refusal == "component hetero_lr_0 uses unknown module HeteroLRNotInThisRuntime"


def test_the_hetero_lr_example_plans_with_its_modules_present(fate_modules):
    plan = dsl.parse(load_json(HETERO_LR_DSL), load_json(HETERO_LR_CONF), fate_modules)
    assert plan.dependencies() == {
        "dataio_0": [],
        "hetero_feature_binning_0": ["dataio_0"],
        "hetero_feature_selection_0": ["hetero_feature_binning_0"],
        "hetero_lr_0": ["hetero_feature_selection_0"],
        "evaluation_0": ["hetero_lr_0"],
    }
    selection = plan.components["hetero_feature_selection_0"]
    assert selection.data_inputs == {"data": ("hetero_feature_binning_0.train",)}
    assert (selection.model_inputs, selection.isometric_inputs) == ((), ("hetero_feature_binning_0.hetero_feature_binning",))
    assert plan.components["dataio_0"].data_inputs == {"data": ("args.train_data",)}
    assert plan.components["hetero_lr_0"].output_model == ("hetero_lr",)
    assert plan.model_id() == "arbiter-10000#guest-10000#host-10000#model"
    breast = "fate_flow_test_breast"
    assert plan.input_tables("guest", "10000") == {"train_data": {"name": "breast_b", "namespace": breast}}
    assert plan.input_tables("host", "10000") == {"train_data": {"name": "breast_a", "namespace": breast}}
    assert plan.input_tables("arbiter", "10000") == {}
    assert plan.raw_parameters("dataio_0", "guest", "10000") == {
        "with_label": True, "label_name": "y", "label_type": "int", "output_format": "dense"}
    assert plan.raw_parameters("dataio_0", "host", "10000") == {"with_label": False, "output_format": "dense"}
    assert plan.raw_parameters("hetero_lr_0", "arbiter", "10000")["init_param"] == {"init_method": "random_uniform"}
    roles = ("guest", "host", "arbiter")
    assert [plan.runs_on("dataio_0", role, "10000") for role in roles] == [True, True, False]
    assert [plan.runs_on("evaluation_0", role, "10000") for role in roles] == [True, False, False]


def test_keys_a_module_does_not_know_are_reported_per_party(fate_modules):
    plan = dsl.parse(load_json(HETERO_LR_DSL), load_json(HETERO_LR_CONF), fate_modules)
    ignored = ["optimizer", "eps", "alpha", "converge_func", "batch_size", "init_param"]
    assert dsl.check_all_parameters(plan, fate_modules) == {("hetero_lr_0", role, "10000"): ignored
                                              for role in ("guest", "host", "arbiter")}
    values, unknown = dsl.checked_parameters(plan, "hetero_lr_0", "guest", "10000", fate_modules)
    assert values == {"need_run": True, "penalty": "L2", "max_iter": 3, "learning_rate": 0.15}
    assert unknown == ignored


def test_a_value_out_of_range_names_component_role_and_party(fate_modules):
    conf = load_json(HETERO_LR_CONF)
    conf["algorithm_parameters"]["hetero_lr_0"]["max_iter"] = 0
    plan = dsl.parse(load_json(HETERO_LR_DSL), conf, fate_modules)
    with pytest.raises(BadRequest) as caught:
        dsl.check_all_parameters(plan, fate_modules)
    assert str(caught.value) == "hetero_lr_0.max_iter must be at least 1, got 0 (guest 10000)"


# ---- FATE's multi-host examples (federatedml-1.x-examples) ---------------------------------------------------


def test_a_multi_host_secureboost_job_gives_each_host_its_own_values(fate_modules):
    job_dsl = federatedml_example("hetero_secureboost/test_secureboost_train_dsl.json")
    conf = federatedml_example("hetero_secureboost/test_secureboost_train_regression_multi_host_conf.json")
    plan = dsl.parse(job_dsl, conf, fate_modules)
    assert plan.roles == {"guest": ["10000"], "host": ["10000", "9999"]}
    assert (plan.party_index("host", "10000"), plan.party_index("host", 9999)) == (0, 1)
    assert plan.input_tables("host", "9999") == {"train_data": {"name": "motor_mini_a_2", "namespace": "hetero"},
                                                 "eval_data": {"name": "motor_mini_a_2", "namespace": "hetero"}}
    assert plan.input_tables("host", "10000")["train_data"] == {"name": "motor_mini_a_1", "namespace": "hetero"}
    assert plan.raw_parameters("dataio_0", "host", "9999") == {"with_label": False, "output_format": "dense"}
    assert plan.raw_parameters("dataio_0", "guest", "10000")["label_name"] == "motor_speed"
    assert plan.dependencies() == {
        "dataio_0": [], "dataio_1": ["dataio_0"], "intersection_0": ["dataio_0"], "intersection_1": ["dataio_1"],
        "secureboost_0": ["intersection_0", "intersection_1"], "evaluation_0": ["secureboost_0"]}
    # FATE's gen_model_id sorts each role's distinct party ids
    assert plan.model_id() == "guest-10000#host-9999_10000#model"


def test_an_intersect_job_with_two_hosts(fate_modules):
    plan = dsl.parse(federatedml_example("intersect/test_intersect_job_dsl.json"),
                     federatedml_example("intersect/test_intersect_job_rsa_multi_host_conf.json"), fate_modules)
    assert plan.parties() == [("guest", "10000"), ("host", "9999"), ("host", "10000")]
    assert plan.dependencies() == {"dataio_0": [], "intersect_0": ["dataio_0"]}
    assert plan.input_tables("host", "10000") == {"data": {"name": "breast_a_intersect", "namespace": "hetero"}}
    assert plan.raw_parameters("intersect_0", "host", "10000")["intersect_method"] == "rsa"
    assert plan.model_id() == "guest-10000#host-9999_10000#model"


def test_the_model_id_sorts_and_dedupes_party_ids_like_fate(toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role"] = {"host": [10001, 9999, 10001], "guest": [10000]}
    assert dsl.parse(job_dsl, conf).model_id() == "guest-10000#host-9999_10001#model"
    conf["role"]["host"] = ["9999", "10002"]  # given as text, they sort as text (as FATE sorts them)
    assert dsl.parse(job_dsl, conf).model_id() == "guest-10000#host-10002_9999#model"


@pytest.mark.parametrize("party", ["b", "../x", "0010", "-1", "1" * 19, "10000\x00", True, 1.5, None])
def test_party_ids_are_fates_integers(toy, party):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role"]["host"] = [party]
    with pytest.raises(BadRequest, match="job_runtime_conf.role.host entry .* is not a party id"):
        dsl.parse(job_dsl, conf)


@pytest.mark.parametrize("role", ["../guest", "promoter", ""])
def test_roles_are_fates(toy, role):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role"][role] = [10000]
    with pytest.raises(BadRequest, match="job_runtime_conf.role key .* is not a role"):
        dsl.parse(job_dsl, conf)


@pytest.mark.parametrize("name", ["../../x", "a/b", "a.b", "", "x" * 101, "é"])
def test_component_names_are_letters_digits_underscores_and_dashes(toy, name):
    job_dsl, conf = copy.deepcopy(toy)
    job_dsl["components"][name] = job_dsl["components"].pop(TOY)
    with pytest.raises(BadRequest, match="job_dsl.components key .* is not a component name"):
        dsl.parse(job_dsl, conf)


def test_a_job_has_at_most_a_thousand_components(toy):
    job_dsl, conf = copy.deepcopy(toy)
    body = job_dsl["components"][TOY]
    job_dsl["components"] = {f"c_{i}": body for i in range(1001)}
    with pytest.raises(BadRequest, match="1001 components; a job may have at most 1000"):
        dsl.parse(job_dsl, conf)


# ---- role_parameters: one value per party --------------------------------------------------------------------


def _two_hosts(toy: tuple[dict, dict], seeds: Any) -> dsl.JobPlan:
    job_dsl, conf = copy.deepcopy(toy)
    conf["role"]["host"] = [10000, 10001]
    conf["role_parameters"]["host"][TOY]["seed"] = seeds
    return dsl.parse(job_dsl, conf)


def test_each_party_gets_its_value_and_a_single_value_goes_to_every_party(toy):
    plan = _two_hosts(toy, [1, 2])
    assert [plan.raw_parameters(TOY, "host", p)["seed"] for p in ("10000", "10001")] == [1, 2]
    plan = _two_hosts(toy, [7])
    assert [plan.raw_parameters(TOY, "host", p)["seed"] for p in ("10000", "10001")] == [7, 7]


def test_role_parameters_override_algorithm_parameters(toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role_parameters"]["host"][TOY]["data_num"] = [5]
    plan = dsl.parse(job_dsl, conf)
    assert plan.raw_parameters(TOY, "host", "10000")["data_num"] == 5
    assert plan.raw_parameters(TOY, "guest", "10000")["data_num"] == 1000


@pytest.mark.parametrize("seeds, message", [
    ([1, 2, 3], "role_parameters.host.secure_add_example_0.seed has 3 values for 2 host parties"),
    ([], "role_parameters.host.secure_add_example_0.seed has 0 values for 2 host parties"),
    (5, "role_parameters.host.secure_add_example_0.seed must be a list with one value per host"),
])
def test_a_wrong_number_of_role_values_is_refused(toy, seeds, message):
    plan = _two_hosts(toy, seeds)
    with pytest.raises(BadRequest) as caught:
        plan.raw_parameters(TOY, "host", "10001")
    assert str(caught.value) == message
    with pytest.raises(BadRequest) as caught:
        dsl.check_all_parameters(plan)
    assert str(caught.value) == message


def test_a_bad_value_of_one_party_names_that_party(toy):
    plan = _two_hosts(toy, [1, "2"])
    assert dsl.checked_parameters(plan, TOY, "host", "10000")[0]["seed"] == 1
    with pytest.raises(BadRequest) as caught:
        dsl.check_all_parameters(plan)
    assert str(caught.value) == (
        "secure_add_example_0.seed must be an integer, got '2' (host 10001)")


def test_need_run_false_takes_a_party_out_of_a_component(toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role_parameters"]["host"][TOY]["need_run"] = [False]
    plan = dsl.parse(job_dsl, conf)
    assert plan.runs_on(TOY, "guest", "10000") is True
    assert plan.runs_on(TOY, "host", "10000") is False


def test_a_role_the_module_does_not_serve_neither_runs_nor_is_checked(toy):
    job_dsl, conf = copy.deepcopy(toy)
    conf["role"]["arbiter"] = [10002]
    conf["role_parameters"]["arbiter"] = {TOY: {"seed": ["not a number"]}}
    plan = dsl.parse(job_dsl, conf)
    assert plan.runs_on(TOY, "arbiter", "10002") is False
    assert dsl.check_all_parameters(plan) == {}


# ---- work mode, dsl version --------------------------------------------------------------------------------


@pytest.mark.parametrize("job_parameters, mode", [({}, 0), ({"work_mode": 1}, 1), ({"work_mode": "1"}, 1)])
def test_the_work_mode_comes_from_job_parameters(toy, job_parameters, mode):
    job_dsl, conf = copy.deepcopy(toy)
    conf["job_parameters"] = job_parameters
    assert dsl.parse(job_dsl, conf).work_mode == mode


@pytest.mark.parametrize("value", ["cluster", None, 1.5, True])
def test_a_work_mode_that_is_not_a_number_is_a_bad_request(toy, value):
    job_dsl, conf = copy.deepcopy(toy)
    conf["job_parameters"]["work_mode"] = value
    plan = dsl.parse(job_dsl, conf)
    with pytest.raises(BadRequest) as caught:
        plan.work_mode  # noqa: B018
    assert str(caught.value) == f"work_mode must be 0 (standalone) or 1 (cluster), got {value!r}"


def test_the_dsl_version_may_come_from_the_dsl_and_the_conf_wins(toy):
    job_dsl, conf = copy.deepcopy(toy)
    assert dsl.parse({**job_dsl, "dsl_version": 2}, conf).dsl_version == 2
    assert dsl.parse({**job_dsl, "dsl_version": 2}, {**conf, "dsl_version": 1}).dsl_version == 1
    assert dsl.parse(job_dsl, {**conf, "dsl_version": "2"}).dsl_version == 2


# ---- refusals ------------------------------------------------------------------------------------------------

TWO = {"components": {
    "a": {"module": "SecureAddExample", "input": {"data": {"data": ["args.data"]}}, "output": {"data": ["out"],
                                                                                               "model": ["m"]}},
    "b": {"module": "SecureAddExample", "input": {"data": {"data": ["a.out"]}, "model": ["a.m"]}},
}}


def _change(where: dict, path: str, value: Any) -> None:
    *parents, last = path.split("/")
    for key in parents:
        where = where[key]
    if value is _DELETE:
        del where[last]
    else:
        where[last] = value


_DELETE = object()


@pytest.mark.parametrize("target, path, value, message", [
    ("conf", "dsl_version", 3, "dsl_version must be 1 or 2, got 3"),
    ("conf", "dsl_version", "two", "dsl_version must be 1 or 2, got 'two'"),
    ("conf", "dsl_version", [1], "dsl_version must be 1 or 2, got [1]"),
    ("conf", "initiator", _DELETE, "job_runtime_conf.initiator must be a JSON object"),
    ("conf", "initiator/party_id", _DELETE, "job_runtime_conf.initiator must give role and party_id"),
    ("conf", "initiator/role", "", "job_runtime_conf.initiator must give role and party_id"),
    ("conf", "initiator/party_id", 9999, "the initiator guest 9999 is not among the job's guest parties"),
    ("conf", "initiator/role", "arbiter", "the initiator arbiter 10000 is not among the job's arbiter parties"),
    ("conf", "role", _DELETE, "job_runtime_conf.role must be a JSON object"),
    ("conf", "role", {}, "job_runtime_conf.role must name at least one role"),
    ("conf", "role/host", [], "job_runtime_conf.role.host must be a non-empty list of party ids"),
    ("conf", "role/host", 10000, "job_runtime_conf.role.host must be a non-empty list of party ids"),
    ("conf", "role/host", [""], "job_runtime_conf.role.host entry '' is not a party id (a non-negative integer "
                                "such as 10000)"),
    ("conf", "role/host", [True], "job_runtime_conf.role.host entry True is not a party id (a non-negative "
                                  "integer such as 10000)"),
    ("conf", "role/host", [{"id": 1}], "job_runtime_conf.role.host entry {'id': 1} is not a party id (a "
                                       "non-negative integer such as 10000)"),
    ("conf", "role/host", _DELETE, "component a (SecureAddExample) needs a host party"),
    ("conf", "job_parameters", [], "job_runtime_conf.job_parameters must be a JSON object"),
    ("dsl", "components", _DELETE, "job_dsl.components must be a JSON object"),
    ("dsl", "components", {}, "job_dsl.components must hold at least one component"),
    ("dsl", "components/b", "SecureAddExample", "component b must be a JSON object"),
    ("dsl", "components/b/module", _DELETE, "component b must name its module"),
    ("dsl", "components/b/module", "HeteroSVM", "component b uses unknown module HeteroSVM"),
    ("dsl", "components/b/input", [], "component b's input must be a JSON object"),
    ("dsl", "components/b/input/data", ["a.out"], "component b's input.data must be a JSON object"),
    ("dsl", "components/b/input/data/data", "a.out",
     "component b's input.data.data must be a list of 'component.output' references"),
    ("dsl", "components/b/input/model", ["a"],
     "component b's input.model must be a list of 'component.output' references"),
    ("dsl", "components/b/input/isometric_model", [1],
     "component b's input.isometric_model must be a list of 'component.output' references"),
    ("dsl", "components/a/output", ["out"], "component a's output must be a JSON object"),
    ("dsl", "components/a/output/data", "out", "component a's output.data must be a list of output names"),
    ("dsl", "components/a/output/model", [""], "component a's output.model must be a list of output names"),
    ("dsl", "components/b/input/data/data", ["c.out"], "component b's input c.out refers to missing component c"),
    ("dsl", "components/b/input/data/data", ["a.m"],
     "component b's input a.m refers to a data output a does not declare"),
    ("dsl", "components/b/input/model", ["a.out"],
     "component b's input a.out refers to a model output a does not declare"),
    ("dsl", "components/a/input/data/data", ["b.x"], "the DSL has a cycle: a -> b -> a"),
    ("dsl", "components/b/input/model", ["b.x"], "the DSL has a cycle: b -> b"),
])
def test_a_malformed_job_is_refused_in_one_sentence_naming_the_culprit(toy, target, path, value, message):
    job_dsl, conf = copy.deepcopy(TWO), copy.deepcopy(toy[1])
    _change(job_dsl if target == "dsl" else conf, path, value)
    assert _refusal(job_dsl, conf) == message


@pytest.mark.parametrize("job_dsl, conf, message", [
    ([], {}, "job_dsl must be a JSON object"),
    ({}, "conf", "job_runtime_conf must be a JSON object"),
    (None, None, "job_dsl must be a JSON object"),
])
def test_the_dsl_and_conf_must_be_objects(job_dsl, conf, message):
    assert _refusal(job_dsl, conf) == message


def test_the_two_component_dsl_itself_is_accepted(toy):
    plan = dsl.parse(TWO, toy[1])
    assert plan.dependencies() == {"a": [], "b": ["a"]}
    assert plan.components["b"].upstream == ("a",)  # a data and a model input from a: one dependency


def test_outputs_need_not_be_declared_to_be_used(toy):
    job_dsl = {"components": {"a": {"module": "SecureAddExample"},
                              "b": {"module": "SecureAddExample", "input": {"data": {"data": ["a.anything"]}}}}}
    assert dsl.parse(job_dsl, toy[1]).dependencies() == {"a": [], "b": ["a"]}


def test_components_are_ordered_upstream_first_whatever_the_dsl_order(toy):
    job_dsl = {"components": {
        "evaluate": {"module": "SecureAddExample", "input": {"data": {"data": ["train.out", "read.out"]}}},
        "train": {"module": "SecureAddExample", "input": {"data": {"data": ["read.out"]}}},
        "read": {"module": "SecureAddExample", "input": {"data": {"data": ["args.data"]}}},
    }}
    plan = dsl.parse(job_dsl, toy[1])
    assert list(plan.components) == ["read", "train", "evaluate"]
    assert plan.dependencies() == {"read": [], "train": ["read"], "evaluate": ["train", "read"]}
