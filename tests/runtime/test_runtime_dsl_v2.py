"""Planning FATE DSL v2 jobs: component_parameters common and per party, job_parameters.common, Reader inputs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fate_runtime import dsl
from fate_runtime.errors import BadRequest

DSL = {"components": {
    "reader_0": {"module": "Reader", "output": {"data": ["data"]}},
    "secure_add_0": {"module": "SecureAddExample", "input": {"data": {"data": ["reader_0.data"]}}},
}}

CONF = {
    "dsl_version": 2,
    "initiator": {"role": "guest", "party_id": 9999},
    "role": {"guest": [9999], "host": [10000, 10001], "arbiter": [10002]},
    "job_parameters": {"common": {"work_mode": 1, "job_name": "v2 job"}, "role": {"guest": {"0": {"x": 1}}}},
    "component_parameters": {
        "common": {"secure_add_0": {"data_num": 5, "partition": 2}},
        "role": {
            "guest": {"0": {"reader_0": {"table": {"name": "guest_t", "namespace": "ns"}},
                            "secure_add_0": {"seed": 1}}},
            "host": {"all": {"secure_add_0": {"seed": 2}},
                     "0": {"reader_0": {"table": {"name": "host_t0", "namespace": "ns"}}},
                     "1": {"reader_0": {"table": {"name": "host_t1", "namespace": "ns"}},
                           "secure_add_0": {"need_run": False}},
                     "0|1": {"secure_add_0": {"data_num": 7}}},
        },
    },
    # what FATE's client puts next to the conf: not part of the job
    "conf_path": "/tmp/conf.json", "dsl_path": "/tmp/dsl.json",
}


@pytest.fixture
def plan() -> dsl.JobPlan:
    return dsl.parse(copy.deepcopy(DSL), copy.deepcopy(CONF))


def test_a_v2_job_is_planned(plan):
    assert plan.dsl_version == 2
    assert plan.roles == {"guest": ["9999"], "host": ["10000", "10001"], "arbiter": ["10002"]}
    assert list(plan.components) == ["reader_0", "secure_add_0"]
    assert plan.dependencies() == {"reader_0": [], "secure_add_0": ["reader_0"]}
    assert plan.model_id() == "arbiter-10002#guest-9999#host-10000_10001#model"


def test_job_parameters_come_from_common_and_per_role_ones_are_left_out(plan):
    assert plan.job_parameters == {"work_mode": 1, "job_name": "v2 job"}
    assert plan.work_mode == 1


def test_parameters_merge_common_then_the_party_keys(plan):
    assert plan.raw_parameters("secure_add_0", "guest", "9999") == {"data_num": 5, "partition": 2, "seed": 1}
    assert plan.raw_parameters("secure_add_0", "host", "10000") == {"data_num": 7, "partition": 2, "seed": 2}
    assert plan.raw_parameters("secure_add_0", "host", "10001") == {
        "data_num": 7, "partition": 2, "seed": 2, "need_run": False}
    assert plan.raw_parameters("secure_add_0", "arbiter", "10002") == {"data_num": 5, "partition": 2}
    assert plan.raw_parameters("reader_0", "host", "10001") == {"table": {"name": "host_t1", "namespace": "ns"}}


def test_input_tables_are_the_reader_tables_of_each_party(plan):
    assert plan.input_tables("guest", "9999") == {"reader_0": {"name": "guest_t", "namespace": "ns"}}
    assert plan.input_tables("host", "10000") == {"reader_0": {"name": "host_t0", "namespace": "ns"}}
    assert plan.input_tables("host", "10001") == {"reader_0": {"name": "host_t1", "namespace": "ns"}}
    assert plan.input_tables("arbiter", "10002") == {}


def test_need_run_and_the_module_roles_decide_where_a_component_runs(plan):
    assert [plan.runs_on("secure_add_0", role, party) for role, party in plan.parties()] == [True, True, False, False]


def test_checked_parameters_use_the_merged_values(plan):
    assert dsl.checked_parameters(plan, "secure_add_0", "host", "10000") == (
        {"need_run": True, "seed": 2, "partition": 2, "data_num": 7}, [])
    assert dsl.check_all_parameters(plan) == {}


def test_unknown_common_keys_are_reported_for_every_party_of_the_module():
    conf = copy.deepcopy(CONF)
    conf["component_parameters"]["common"]["secure_add_0"]["penalty"] = "L2"
    unknown = dsl.check_all_parameters(dsl.parse(copy.deepcopy(DSL), conf))
    assert unknown == {("secure_add_0", "guest", "9999"): ["penalty"], ("secure_add_0", "host", "10000"): ["penalty"],
                       ("secure_add_0", "host", "10001"): ["penalty"]}


def test_a_bad_per_party_value_names_the_party():
    conf = copy.deepcopy(CONF)
    conf["component_parameters"]["role"]["host"]["1"]["secure_add_0"]["partition"] = 0
    with pytest.raises(BadRequest) as caught:
        dsl.check_all_parameters(dsl.parse(copy.deepcopy(DSL), conf))
    assert str(caught.value) == "secure_add_0.partition must be at least 1, got 0 (host 10001)"


def test_v1_and_v2_parameter_sections_do_not_mix():
    conf = copy.deepcopy(CONF)
    conf["algorithm_parameters"] = {"secure_add_0": {"seed": 99}}
    conf["role_parameters"] = {"guest": {"args": {"data": {"data": [{"name": "v1", "namespace": "ns"}]}}}}
    plan = dsl.parse(copy.deepcopy(DSL), conf)
    assert plan.raw_parameters("secure_add_0", "guest", "9999")["seed"] == 1
    assert plan.input_tables("guest", "9999") == {"reader_0": {"name": "guest_t", "namespace": "ns"}}
    v1 = dsl.parse(copy.deepcopy(DSL), {**conf, "dsl_version": 1})
    assert v1.raw_parameters("secure_add_0", "guest", "9999") == {"seed": 99}
    assert v1.input_tables("guest", "9999") == {"data": {"name": "v1", "namespace": "ns"}}


@pytest.mark.parametrize("job_parameters, message", [
    ({"common": []}, "job_parameters.common must be a JSON object"),
    ("fast", "job_runtime_conf.job_parameters must be a JSON object"),
])
def test_malformed_job_parameters_are_refused(job_parameters: Any, message: str):
    with pytest.raises(BadRequest) as caught:
        dsl.parse(copy.deepcopy(DSL), {**copy.deepcopy(CONF), "job_parameters": job_parameters})
    assert str(caught.value) == message


def test_top_level_job_parameters_still_count_in_v2():
    conf = {**copy.deepcopy(CONF), "job_parameters": {"work_mode": 0}}
    assert dsl.parse(copy.deepcopy(DSL), conf).work_mode == 0


def test_nested_parameter_objects_merge_key_by_key():
    """As FATE: a party's value for one key of a nested object keeps the common value's other keys."""
    conf = copy.deepcopy(CONF)
    conf["component_parameters"]["common"]["reader_0"] = {"table": {"namespace": "common_ns", "name": "t"}}
    conf["component_parameters"]["role"]["host"]["0"]["reader_0"] = {"table": {"name": "host_t0"}}
    plan = dsl.parse(copy.deepcopy(DSL), conf)
    assert plan.raw_parameters("reader_0", "host", "10000") == {"table": {"namespace": "common_ns", "name": "host_t0"}}
    assert plan.raw_parameters("reader_0", "guest", "9999") == {"table": {"name": "guest_t", "namespace": "ns"}}
    assert conf["component_parameters"]["common"]["reader_0"] == {"table": {"namespace": "common_ns", "name": "t"}}
