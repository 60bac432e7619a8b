"""The initiator's side of load and bind: every guest and host of a conf takes the step on its own node.

Each party's node is asked over the Scheduler service (LoadModel, BindModel) - this node's own parties too, as a
job's are. Every party is first asked whether the step would succeed; when any would refuse, none takes it and
the reply says what each party said. Otherwise each takes it, and the reply says how it went for each.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Mapping

import grpc

from fate_runtime import identifiers
from fate_runtime.errors import BadRequest
from fate_runtime.identifiers import new_job_id
from fate_runtime.jobs.model_party import ARBITER, BIND, HOST, LOAD, checked_service_id, model_parties
from fate_runtime.jobs.scheduler import Links, Node
from fate_runtime.node_runtime import NodeRuntime
from fate_runtime.request_checks import check_work_mode
from fate_runtime.state.model_versions import FeatureTable
from protos import scheduler_pb2

log = logging.getLogger("fate_flow.models")

_CALL_TIMEOUT = 30
_UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


@dataclasses.dataclass(frozen=True)
class PublishConf:
    """A load or bind conf: the model version, the initiator, the conf's parties by (role, party id)."""

    model_id: str
    model_version: str
    initiator: tuple[str, str]
    parties: tuple[tuple[str, str], ...]
    work_mode: int | None
    service_id: str = ""
    feature_tables: Mapping[str, FeatureTable] = dataclasses.field(default_factory=dict)  # bind: by host party id


@dataclasses.dataclass(frozen=True)
class PartyOutcome:
    role: str
    party_id: str
    code: grpc.StatusCode
    message: str

    @property
    def ok(self) -> bool:
        return self.code == grpc.StatusCode.OK


@dataclasses.dataclass(frozen=True)
class Published:
    job_id: str
    outcomes: list[PartyOutcome]


class ModelLifecycle:
    def __init__(self, runtime: NodeRuntime, work_mode: int) -> None:
        self._runtime = runtime
        self._work_mode = work_mode
        self._links = Links(runtime)

    def load(self, conf: PublishConf) -> Published:
        return Published(new_job_id(), self._publish(LOAD, conf))

    def bind(self, conf: PublishConf) -> Published:
        checked_service_id(conf.service_id)
        return Published("", self._publish(BIND, conf))

    def _checked(self, conf: PublishConf) -> list[tuple[str, str]]:
        """The conf's parties that take the step (every one but the arbiter)."""
        identifiers.job_id(conf.model_version, "model_version")
        model_parties(conf.model_id)
        role, party = identifiers.role(conf.initiator[0], "initiator.role"), \
            identifiers.party_id(conf.initiator[1], "initiator.party_id")
        if conf.work_mode is not None:
            check_work_mode(conf.work_mode, self._work_mode)
        for given_role, given_party in conf.parties:
            identifiers.role(given_role)
            identifiers.party_id(given_party)
        if (role, party) not in conf.parties:
            raise BadRequest(f"the initiator {role} {party} is not one of the conf's parties")
        strangers = [host for host in conf.feature_tables if (HOST, host) not in conf.parties]
        if strangers:
            raise BadRequest(f"the conf names a feature table of host {strangers[0]}, which is not one of its hosts")
        if not (self._runtime.standalone or party in self._runtime.party_ids):
            raise BadRequest(f"this node does not serve the initiator {role} {party}")
        taking = [(r, p) for r, p in dict.fromkeys(conf.parties) if r != ARBITER]
        if not taking:
            raise BadRequest("the conf names no guest or host")
        return taking

    def _publish(self, kind: str, conf: PublishConf) -> list[PartyOutcome]:
        parties = self._checked(conf)
        nodes = {party: node for node in self._links.nodes_of(parties) for party in node.parties}
        checked = [self._ask(kind, conf, nodes[party], party, check_only=True) for party in parties]
        refused = [outcome for outcome in checked if not outcome.ok]
        if refused:
            first = refused[0]
            return [outcome if not outcome.ok else
                    PartyOutcome(outcome.role, outcome.party_id, grpc.StatusCode.ABORTED,
                                 f"not done: {first.role} {first.party_id} refused")
                    for outcome in checked]
        return [self._ask(kind, conf, nodes[party], party, check_only=False) for party in parties]

    def _ask(self, kind: str, conf: PublishConf, node: Node, party: tuple[str, str],
             check_only: bool) -> PartyOutcome:
        step = scheduler_pb2.ModelStep(model_id=conf.model_id, model_version=conf.model_version, role=party[0],
                                       party_id=party[1], initiator_role=conf.initiator[0],
                                       initiator_party_id=conf.initiator[1], service_id=conf.service_id,
                                       check_only=check_only)
        table = conf.feature_tables.get(party[1]) if kind == BIND and party[0] == HOST else None
        if table is not None:
            step.feature_table.CopyFrom(scheduler_pb2.FeatureTable(namespace=table.namespace, table_name=table.name))
        stub = self._links.stub(node)
        method = stub.LoadModel if kind == LOAD else stub.BindModel
        try:
            method(step, timeout=_CALL_TIMEOUT)
        except grpc.RpcError as exc:
            log.info("%s of model version %s on %s %s refused: %s %s", kind, conf.model_version, *party, exc.code(),
                     exc.details())
            message = f"the node of {party[0]} {party[1]} is not reachable" if exc.code() in _UNREACHABLE \
                else exc.details() or f"{party[0]} {party[1]} refused the {kind}"
            return PartyOutcome(party[0], party[1], exc.code(), message)
        done = "success" if kind == LOAD else f"service id is {conf.service_id}"
        return PartyOutcome(party[0], party[1], grpc.StatusCode.OK, done)

    def close(self) -> None:
        self._links.close()
