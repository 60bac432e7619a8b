"""FATE's job DSL and runtime conf (v1 and v2): parsed into a plan, and every structural check.

v1: `role_parameters.<role>.<component>.<param> = [value per party]`, `algorithm_parameters`,
inputs `args.<name>` from `role_parameters.<role>.args.data.<name> = [{name, namespace} per party]`.
v2 (`dsl_version: 2`): `component_parameters.common.<component>` and
`component_parameters.role.<role>.<"0" | "0|1" | "all">.<component>`; inputs come from Reader
components. Each failed check is one BadRequest sentence naming the component, role or party.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fate_runtime import identifiers
from fate_runtime.components import BUILTIN, Components, ParameterError
from fate_runtime.errors import BadRequest

ARGS = "args"
# Jobs a node runs by itself for one request: one component of FATE's `local` role (party 0).
LOCAL_ROLE, LOCAL_PARTY = "local", "0"
LOCAL_MODULES = ("Upload", "Download")


@dataclasses.dataclass(frozen=True)
class ComponentPlan:
    name: str
    module: str
    data_inputs: dict[str, tuple[str, ...]]
    model_inputs: tuple[str, ...]
    output_data: tuple[str, ...]
    output_model: tuple[str, ...]
    roles: tuple[str, ...] = ()  # the roles its module serves (taken from the module when the job was planned)
    isometric_inputs: tuple[str, ...] = ()

    @property
    def upstream(self) -> tuple[str, ...]:
        refs = [ref for refs in self.data_inputs.values() for ref in refs] + [*self.model_inputs,
                                                                              *self.isometric_inputs]
        return tuple(dict.fromkeys(ref.split(".", 1)[0] for ref in refs if not ref.startswith(ARGS + ".")))


@dataclasses.dataclass(frozen=True)
class JobPlan:
    dsl: dict[str, Any]
    conf: dict[str, Any]
    dsl_version: int
    initiator_role: str
    initiator_party: str
    roles: dict[str, list[str]]
    job_parameters: dict[str, Any]
    components: dict[str, ComponentPlan]  # in an order where upstream comes first

    @property
    def job_type(self) -> str:
        """FATE's job_parameters.job_type: "train" (the default) or "predict"."""
        return str(self.job_parameters.get("job_type", "train") or "train")

    @property
    def work_mode(self) -> int:
        value = self.job_parameters.get("work_mode", 0)
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdecimal():
            raise BadRequest(f"work_mode must be 0 (standalone) or 1 (cluster), got {value!r}")
        return int(value)

    def party_index(self, role: str, party_id: str) -> int:
        return self.roles[role].index(str(party_id))

    def parties(self) -> list[tuple[str, str]]:
        return [(role, party) for role, parties in self.roles.items() for party in parties]

    def model_id(self) -> str:
        """FATE's gen_model_id: per role (sorted), its distinct party ids sorted as the conf gives them."""
        given = self.conf["role"]
        return "#".join(f"{role}-{'_'.join(str(p) for p in sorted(set(given[role]), key=_party_order))}"
                        for role in sorted(given)) + "#model"

    def raw_parameters(self, component: str, role: str, party_id: str) -> dict[str, Any]:
        """The parameters a party's task of `component` gets, before the module checks them."""
        index = self.party_index(role, party_id)
        if self.dsl_version == 2:
            return _v2_parameters(self.conf, component, role, index)
        return _v1_parameters(self.conf, component, role, index, len(self.roles[role]))

    def runs_on(self, component: str, role: str, party_id: str) -> bool:
        """Whether `role` takes part in `component` and its need_run is not false."""
        if role not in self.components[component].roles:
            return False
        return self.raw_parameters(component, role, party_id).get("need_run", True) is not False

    def input_tables(self, role: str, party_id: str) -> dict[str, dict[str, str]]:
        """v1 `args.data` tables of one party, by input name (v2 jobs name theirs in Reader components)."""
        if self.dsl_version == 2:
            return {name: params["table"] for name, plan in self.components.items() if plan.module == "Reader"
                    for params in [self.raw_parameters(name, role, party_id)] if isinstance(params.get("table"), dict)}
        data = _dig(self.conf, "role_parameters", role, ARGS, "data") or {}
        index = self.party_index(role, party_id)
        tables = {}
        for name, per_party in data.items():
            if isinstance(per_party, list) and index < len(per_party):
                tables[name] = per_party[index]
        return tables

    def dependencies(self) -> dict[str, list[str]]:
        return {name: list(plan.upstream) for name, plan in self.components.items()}

    def to_json(self) -> dict[str, Any]:
        """The plan as stored with its job: read back by `from_json` without the modules it names."""
        return {**dataclasses.asdict(self), "components": [dataclasses.asdict(c) for c in self.components.values()]}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> "JobPlan":
        components = {}
        for body in stored["components"]:
            body = {k: tuple(v) if isinstance(v, list) else v for k, v in body.items()}
            body["data_inputs"] = {k: tuple(v) for k, v in body["data_inputs"].items()}
            components[body["name"]] = ComponentPlan(**body)
        return cls(**{**stored, "components": components})


def checked_parameters(plan: JobPlan, component: str, role: str, party_id: str,
                       components: Components = BUILTIN) -> tuple[dict[str, Any], list[str]]:
    """A party's parameters of `component` checked by its module at every depth, defaults filled in:
    (values, dotted paths of the unknown keys, which are ignored)."""
    try:
        spec = components[plan.components[component].module]
        return spec.parameters(plan.raw_parameters(component, role, party_id))
    except ParameterError as exc:
        raise BadRequest(f"{component}.{exc.path} {exc.problem} ({role} {party_id})") from None


def check_all_parameters(plan: JobPlan, components: Components = BUILTIN) -> dict[tuple[str, str, str], list[str]]:
    """Check every party's parameters of every component; returns the unknown keys' dotted paths found."""
    unknown = {}
    for name, component in plan.components.items():
        for role, party in plan.parties():
            if role in component.roles:
                _, ignored = checked_parameters(plan, name, role, party, components)
                if ignored:
                    unknown[(name, role, party)] = ignored
    return unknown


def _party_order(party: int | str) -> tuple[bool, int | str]:
    return isinstance(party, str), party


def _dig(tree: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(tree, dict):
            return None
        tree = tree.get(key)
    return tree


def _section(conf: dict[str, Any], *path: str) -> dict[str, Any]:
    """The parameter object at `path` in the conf ({} where absent or null); BadRequest naming the first level
    on the way that is not an object."""
    tree: Any = conf
    for depth, key in enumerate(path):
        tree = tree.get(key)
        if tree is None:
            return {}
        tree = _object(tree, ".".join(path[:depth + 1]))
    return tree


def _v1_parameters(conf: dict[str, Any], component: str, role: str, index: int, parties: int) -> dict[str, Any]:
    return _merged(_section(conf, "algorithm_parameters", component),
                   _party_values(_section(conf, "role_parameters", role, component),
                                 f"role_parameters.{role}.{component}", role, index, parties))


def _party_values(given: dict[str, Any], path: str, role: str, index: int, parties: int) -> dict[str, Any]:
    """One party's values from v1 role parameters: a list with one value per party (a single value is every
    party's) for each key, or, in a nested object, for each of its keys (as FATE 1.2 writes them)."""
    values = {}
    for name, given_values in given.items():
        where = f"{path}.{name}"
        if isinstance(given_values, dict):
            values[name] = _party_values(given_values, where, role, index, parties)
            continue
        if not isinstance(given_values, list):
            raise BadRequest(f"{where} must be a list with one value per {role}")
        if len(given_values) not in (1, parties) or index >= len(given_values) and len(given_values) != 1:
            raise BadRequest(f"{where} has {len(given_values)} values for {parties} {role} parties")
        values[name] = given_values[index] if index < len(given_values) else given_values[0]
    return values


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`base` with `override`'s values, nested objects merged key by key (as FATE merges v2 parameters)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _v2_parameters(conf: dict[str, Any], component: str, role: str, index: int) -> dict[str, Any]:
    params = dict(_section(conf, "component_parameters", "common", component))
    for key in _section(conf, "component_parameters", "role", role):
        if key == "all" or str(index) in str(key).split("|"):
            params = _merged(params, _section(conf, "component_parameters", "role", role, key, component))
    return params


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object")
    return value


def _roles(conf: dict[str, Any]) -> dict[str, list[str]]:
    roles = _object(conf.get("role"), "job_runtime_conf.role")
    parsed = {}
    for role, parties in roles.items():
        identifiers.role(role, "job_runtime_conf.role key")
        if not isinstance(parties, list) or not parties:
            raise BadRequest(f"job_runtime_conf.role.{role} must be a non-empty list of party ids")
        parsed[str(role)] = [identifiers.party_id(p, f"job_runtime_conf.role.{role} entry") for p in parties]
    if not parsed:
        raise BadRequest("job_runtime_conf.role must name at least one role")
    return parsed


def _refs(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(r, str) and "." in r for r in value):
        raise BadRequest(f"{where} must be a list of 'component.output' references")
    return tuple(value)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(n, str) and n for n in value):
        raise BadRequest(f"{where} must be a list of output names")
    return tuple(value)


def _component(name: str, body: Any, components: Components | None) -> ComponentPlan:
    """One component's plan; with `components`, its module must be one of them (and gives its roles)."""
    body = _object(body, f"component {name}")
    module = body.get("module")
    if not isinstance(module, str) or not module:
        raise BadRequest(f"component {name} must name its module")
    if components is not None and module not in components:
        raise BadRequest(f"component {name} uses unknown module {module}")
    inputs = _object(body.get("input", {}), f"component {name}'s input")
    data = _object(inputs.get("data", {}), f"component {name}'s input.data")
    data_inputs = {key: _refs(refs, f"component {name}'s input.data.{key}") for key, refs in data.items()}
    models = _refs(inputs.get("model", []), f"component {name}'s input.model")
    isometric = _refs(inputs.get("isometric_model", []), f"component {name}'s input.isometric_model")
    outputs = _object(body.get("output", {}), f"component {name}'s output")
    return ComponentPlan(name, module, data_inputs, models,
                         _names(outputs.get("data"), f"component {name}'s output.data"),
                         _names(outputs.get("model"), f"component {name}'s output.model"),
                         components[module].roles if components is not None else (), isometric)


def _check_references(components: dict[str, ComponentPlan]) -> None:
    for plan in components.values():
        refs = [(r, "data") for refs in plan.data_inputs.values() for r in refs] + [
            (r, "model") for r in (*plan.model_inputs, *plan.isometric_inputs)]
        for ref, kind in refs:
            source, _, output = ref.partition(".")
            if source == ARGS:
                continue
            if source not in components:
                raise BadRequest(f"component {plan.name}'s input {ref} refers to missing component {source}")
            upstream = components[source]
            declared = upstream.output_data if kind == "data" else upstream.output_model
            if declared and output not in declared:
                raise BadRequest(f"component {plan.name}'s input {ref} refers to a {kind} output "
                                 f"{source} does not declare")


def _ordered(components: dict[str, ComponentPlan]) -> dict[str, ComponentPlan]:
    """Components with every one after its upstream; BadRequest naming a cycle if there is one."""
    ordered: dict[str, ComponentPlan] = {}
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            cycle = visiting[visiting.index(name):] + [name]
            raise BadRequest("the DSL has a cycle: " + " -> ".join(cycle))
        visiting.append(name)
        for upstream in components[name].upstream:
            visit(upstream)
        visiting.pop()
        ordered[name] = components[name]

    for name in components:
        visit(name)
    return ordered


def dsl_components(dsl: dict[str, Any], components: Components | None,
                   what: str = "job_dsl") -> dict[str, ComponentPlan]:
    """A DSL's components, checked (their shape, references and order) and upstream first; with `components`,
    each module must be one of them. `what` names the DSL in refusals."""
    declared = _object(dsl.get("components"), f"{what}.components")
    if not declared:
        raise BadRequest(f"{what}.components must hold at least one component")
    if len(declared) > identifiers.MAX_COMPONENTS:
        raise BadRequest(f"{what}.components holds {len(declared)} components; "
                         f"a job may have at most {identifiers.MAX_COMPONENTS}")
    plans = {name: _component(identifiers.component(name, f"{what}.components key"), body, components)
             for name, body in declared.items()}
    _check_references(plans)
    return _ordered(plans)


def parse(dsl: Any, conf: Any, components: Components = BUILTIN) -> JobPlan:
    """The plan of a submitted job; BadRequest with one sentence for the first problem found."""
    dsl = _object(dsl, "job_dsl")
    conf = _object(conf, "job_runtime_conf")
    given_version = conf.get("dsl_version", dsl.get("dsl_version", 1)) or 1
    if isinstance(given_version, bool) or str(given_version).strip() not in ("1", "2"):
        raise BadRequest(f"dsl_version must be 1 or 2, got {given_version!r}")
    version = int(given_version)
    initiator = _object(conf.get("initiator"), "job_runtime_conf.initiator")
    if not initiator.get("role") or initiator.get("party_id") in (None, ""):
        raise BadRequest("job_runtime_conf.initiator must give role and party_id")
    roles = _roles(conf)
    role = identifiers.role(initiator["role"], "job_runtime_conf.initiator.role")
    party = identifiers.party_id(initiator["party_id"], "job_runtime_conf.initiator.party_id")
    if party not in roles.get(role, []):
        raise BadRequest(f"the initiator {role} {party} is not among the job's {role} parties")
    job_parameters = _object(conf.get("job_parameters", {}), "job_runtime_conf.job_parameters")
    if version == 2:
        job_parameters = {**_object(job_parameters.get("common", {}), "job_parameters.common"),
                          **{k: v for k, v in job_parameters.items() if k not in ("common", "role")}}
    plan = JobPlan(dsl, conf, version, role, party, roles, job_parameters, dsl_components(dsl, components))
    for component in plan.components.values():
        spec = components[component.module]
        for needed in spec.required_roles:
            if needed not in roles:
                raise BadRequest(f"component {component.name} ({component.module}) needs a {needed} party")
    return plan


def local_plan(dsl: Any, conf: Any) -> JobPlan | None:
    """The plan of an upload or download job (as the node writes their DSL and conf: one Upload or Download
    component run by the local party), None for any other job."""
    components = dsl.get("components") if isinstance(dsl, dict) else None
    if not isinstance(conf, dict) or conf.get("role") != {LOCAL_ROLE: [int(LOCAL_PARTY)]} \
            or not isinstance(components, dict) or len(components) != 1:
        return None
    (name, body), = components.items()
    module = body.get("module") if isinstance(body, dict) else None
    if module not in LOCAL_MODULES:
        return None
    component = ComponentPlan(name, str(module), {}, (), (), (), (LOCAL_ROLE,))
    return JobPlan(dsl, conf, 1, LOCAL_ROLE, LOCAL_PARTY, {LOCAL_ROLE: [LOCAL_PARTY]},
                   dict(conf.get("job_parameters") or {}), {name: component})
