"""The initiator's side of jobs: submit (checks on every party first), a queue, and the DAG run.

A DAG run starts each component's tasks when its upstream components have succeeded on every
party, so independent branches run at the same time. It learns task statuses from one watch
stream per node (pushed, never polled); a stream that breaks means that node is gone. Any
failure ends the job everywhere with that party's message; so do stop and the job's timeout.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import queue
import secrets
import threading
import time
from typing import Any, Callable, Sequence

import grpc

from fate_runtime import dsl, identifiers
from fate_runtime.components import Components
from fate_runtime.jobs.control_auth import ControlAuth
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.jobs.predict import predict_parameters
from fate_runtime.dsl import JobPlan
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.state.model_versions import VersionKey
from fate_runtime.identifiers import new_job_id
from fate_runtime.state.job_store import CANCELED, ENDED, FAILED, RUNNING, STATUSES, SUCCESS, TIMEOUT, WAITING, JobStore
from fate_runtime.node_runtime import NodeRuntime
from federation import FederationError, open_channel, token_metadata
from protos import scheduler_pb2, scheduler_pb2_grpc

log = logging.getLogger("fate_flow.scheduler")

DEFAULT_TIMEOUT = 3 * 24 * 3600
_CALL_TIMEOUT = 30
_MAX_RETMSG = 1000  # what another party's node tells the initiator is kept to this many characters
_MAX_NOTES = 100


def _bounded(text: str) -> str:
    return text if len(text) <= _MAX_RETMSG else text[:_MAX_RETMSG - 3] + "..."


@dataclasses.dataclass(frozen=True)
class Node:
    """A node that serves some of a job's parties, and how to reach it."""

    address: str
    parties: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        return ", ".join(f"{role} {party}" for role, party in self.parties) + f" (at {self.address})"


@dataclasses.dataclass(frozen=True)
class Submitted:
    job_id: str
    plan: JobPlan
    files: dict[str, str]


class _Lost:
    def __init__(self, node: Node, reason: str) -> None:
        self.node = node
        self.reason = reason


class _Stop:
    def __init__(self, status: str, retmsg: str) -> None:
        self.status = status
        self.retmsg = retmsg


# The party calls that are safe to repeat (a create the node has made already is acknowledged, a task started
# already is not started again; a model version loaded or bound again stays as it is): their channel retries them
# while a node is briefly unavailable. WatchJob is not among them: a watch stream that breaks means its node is gone.
RETRIED_CALLS = tuple(("fate_runtime.scheduler.Scheduler", method)
                      for method in ("CheckJob", "CreateJob", "StartTask", "UpdateJob", "StopJob", "LoadModel",
                                     "BindModel"))


class Links:
    """gRPC stubs to the nodes of a job, one channel per node."""

    def __init__(self, runtime: NodeRuntime) -> None:
        self._runtime = runtime
        self._channels: dict[str, grpc.Channel] = {}
        self._lock = threading.Lock()

    def nodes(self, plan: JobPlan) -> list[Node]:
        return self.nodes_of(plan.parties())

    def nodes_of(self, parties: list[tuple[str, str]]) -> list[Node]:
        """The nodes that serve these (role, party id) pairs, by the route table."""
        routes = self._runtime.route_table()
        by_address: dict[str, list[tuple[str, str]]] = {}
        for role, party in parties:
            try:
                by_address.setdefault(routes.address_of(party), []).append((role, party))
            except FederationError:
                raise BadRequest(f"there is no route to {role} {party}") from None
        return [Node(address, tuple(parties)) for address, parties in by_address.items()]

    def stub(self, node: Node) -> scheduler_pb2_grpc.SchedulerStub:
        with self._lock:
            channel = self._channels.get(node.address)
            if channel is None:
                channel = open_channel(node.address, self._runtime.tls, node.parties[0][1], retried=RETRIED_CALLS)
                self._channels[node.address] = channel
        return scheduler_pb2_grpc.SchedulerStub(channel)

    def stop_on(self, nodes: list[Node], job_id: str, token: str, status: str, retmsg: str) -> None:
        """Stop the job on every one of `nodes` at once (best effort: a node that cannot be told is logged)."""
        request = scheduler_pb2.StopRequest(job_id=job_id, status=status, retmsg=retmsg)

        def stop(node: Node) -> None:
            try:
                self.stub(node).StopJob(request, timeout=_CALL_TIMEOUT, metadata=token_metadata(token))
            except grpc.RpcError as exc:
                log.warning("job %s: could not stop it on %s: %s", job_id, node.describe(), exc.code())

        threads = [threading.Thread(target=stop, args=(node,)) for node in nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def close(self) -> None:
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()


def _refusal(node: Node, exc: grpc.RpcError) -> BadRequest:
    if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return BadRequest(f"{node.describe()} is not reachable")
    return BadRequest(f"{node.describe()}: {exc.details()}")


class DagRun(threading.Thread):
    """Runs one job's components across its nodes, from start to its end status."""

    def __init__(self, job_id: str, token: str, plan: JobPlan, nodes: list[Node], links: Links, jobs: JobStore,
                 finished: Callable[[str], None], notes: Sequence[str] = ()) -> None:
        super().__init__(name=f"job-{job_id}", daemon=True)
        self.job_id = job_id
        self.token = token
        self._metadata = token_metadata(token)
        self.plan = plan
        self._links = links
        self._jobs = jobs
        self._finished = finished
        self.nodes = nodes
        self._events: queue.Queue = queue.Queue()
        self._watches: list[Any] = []
        self._status: dict[tuple[str, str, str], str] = {}
        self._launched: set[str] = set()
        self._done: set[str] = set()
        self._timeout = float(plan.job_parameters.get("timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
        self._notes = list(notes)
        self.log = _job_logger(job_id, jobs.logs_dir(job_id))

    def stop(self, status: str, retmsg: str) -> None:
        self._events.put(_Stop(status, retmsg))

    def _parties_of(self, component: str) -> list[tuple[str, str]]:
        return [(role, party) for role, party in self.plan.parties() if self.plan.runs_on(component, role, party)]

    def _node_of(self, party: tuple[str, str]) -> Node:
        return next(node for node in self.nodes if party in node.parties)

    def _watch(self, node: Node) -> None:
        stream = self._links.stub(node).WatchJob(scheduler_pb2.WatchRequest(job_id=self.job_id),
                                                 metadata=self._metadata)
        self._watches.append(stream)
        try:
            for event in stream:
                if (event.task.role, event.task.party_id) in node.parties:
                    self._events.put(event)
                else:  # a node speaks only for the parties it serves
                    log.warning("job %s: %s reported a task of %s %s, which it does not serve; ignored", self.job_id,
                                node.describe(), event.task.role, event.task.party_id)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.CANCELLED:
                log.warning("job %s: the watch stream of %s broke: %s %s", self.job_id, node.describe(), exc.code(),
                            exc.details())
                self._events.put(_Lost(node, "its node is not reachable"))

    def _update_all(self, status: str, retmsg: str = "") -> None:
        progress = int(100 * len(self._done) / max(1, len(self.plan.components)))
        running = [c for c in self._launched if c not in self._done]
        update = scheduler_pb2.JobStatusUpdate(job_id=self.job_id, status=status, progress=progress,
                                               current_steps=running, retmsg=retmsg)
        for node in self.nodes:
            try:
                self._links.stub(node).UpdateJob(update, timeout=_CALL_TIMEOUT, metadata=self._metadata)
            except grpc.RpcError as exc:
                log.warning("job %s: could not tell %s its status %s: %s", self.job_id, node.describe(), status,
                            exc.code())

    def _stop_all(self, status: str, retmsg: str) -> None:
        self._links.stop_on(self.nodes, self.job_id, self.token, status, retmsg)

    def _start_ready(self) -> None:
        for name, component in self.plan.components.items():
            if name in self._launched or not all(up in self._done for up in component.upstream):
                continue
            self._launched.add(name)
            parties = self._parties_of(name)
            if not parties:
                self._done.add(name)
                continue
            for role, party in parties:
                self._status[(name, role, party)] = WAITING
                task = scheduler_pb2.TaskRef(job_id=self.job_id, component=name, role=role, party_id=party)
                node = self._node_of((role, party))
                try:
                    self._links.stub(node).StartTask(task, timeout=_CALL_TIMEOUT, metadata=self._metadata)
                except grpc.RpcError as exc:
                    raise _JobEnds(FAILED, f"{role} {party} could not start {name}: {_refusal(node, exc)}") from None
            self.log.info("started %s (%s) on %s", name, component.module,
                          ", ".join(f"{r} {p}" for r, p in parties))
        if self._launched and len(self._done) < len(self.plan.components) and self._done == self._launched:
            self._start_ready()

    def _handle(self, event: Any) -> None:
        if isinstance(event, _Stop):
            raise _JobEnds(event.status, event.retmsg)
        if isinstance(event, _Lost):
            raise _JobEnds(FAILED, f"{event.node.describe()} stopped answering: {event.reason}")
        key = (event.task.component, event.task.role, event.task.party_id)
        if key not in self._status or event.status not in STATUSES:
            return
        self._status[key] = event.status
        retmsg = _bounded(event.retmsg)
        self.log.info("task %s of %s %s: %s %s", key[0], key[1], key[2], event.status, retmsg)
        if event.status == FAILED:
            raise _JobEnds(FAILED, f"{key[1]} {key[2]}: {retmsg or key[0] + ' failed'}")
        if event.status in (CANCELED, TIMEOUT):
            raise _JobEnds(event.status, retmsg or f"{key[0]} ended as {event.status} on {key[1]} {key[2]}")
        component = key[0]
        if event.status == SUCCESS and all(self._status.get((component, r, p)) == SUCCESS
                                           for r, p in self._parties_of(component)):
            self._done.add(component)
            self.log.info("%s succeeded everywhere (%d of %d components)", component, len(self._done),
                          len(self.plan.components))
            if len(self._done) < len(self.plan.components):
                self._start_ready()
                self._update_all(RUNNING)

    def run(self) -> None:
        self.log.info("job %s starts on %s", self.job_id, "; ".join(node.describe() for node in self.nodes))
        for note in self._notes:
            self.log.warning("%s", note)
        deadline = time.monotonic() + self._timeout
        watchers = [threading.Thread(target=self._watch, args=(node,), daemon=True) for node in self.nodes]
        try:
            for watcher in watchers:
                watcher.start()
            self._update_all(RUNNING)
            self._start_ready()
            self._update_all(RUNNING)  # the first components are the job's current steps
            while len(self._done) < len(self.plan.components):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _JobEnds(TIMEOUT, f"the job ran longer than its timeout of {self._timeout:g} s")
                try:
                    event = self._events.get(timeout=remaining)
                except queue.Empty:
                    continue
                self._handle(event)
            self._update_all(SUCCESS)
            self.log.info("job %s succeeded", self.job_id)
        except _JobEnds as ending:
            self.log.info("job %s ends %s: %s", self.job_id, ending.status, ending.retmsg)
            self._stop_all(ending.status, ending.retmsg)
        except Exception:  # noqa: BLE001 - a bug here must still end the job everywhere
            self.log.exception("job %s: the scheduler failed", self.job_id)
            self._stop_all(FAILED, "the initiator's scheduler failed; its log has the details")
        finally:
            for stream in self._watches:
                stream.cancel()
            for handler in list(self.log.handlers):
                handler.close()
                self.log.removeHandler(handler)
            self._finished(self.job_id)


def _job_logger(job_id: str, logs_dir: str) -> logging.Logger:
    """The job's own schedule log, <logs>/<job id>/fate_flow_schedule.log (also in the node log)."""
    os.makedirs(logs_dir, exist_ok=True)
    job_log = logging.getLogger(f"fate_flow.scheduler.{job_id}")
    handler = logging.FileHandler(os.path.join(logs_dir, "fate_flow_schedule.log"))
    handler.setFormatter(logging.Formatter("[%(levelname)s] [%(asctime)s] %(message)s"))
    job_log.addHandler(handler)
    return job_log


class _JobEnds(Exception):
    def __init__(self, status: str, retmsg: str) -> None:
        super().__init__(retmsg)
        self.status = status
        self.retmsg = retmsg


class Scheduler:
    """Submits jobs from this node (the initiator) and runs at most `max_running` of them at once."""

    def __init__(self, runtime: NodeRuntime, jobs: JobStore, auth: ControlAuth, tokens: Callable[[str], str | None],
                 components: Components, models: ModelParty, max_running: int = 4) -> None:
        self._models = models
        self._runtime = runtime
        self._components = components
        self._jobs = jobs
        self._auth = auth
        self._tokens = tokens
        self._links = Links(runtime)
        self._max_running = max_running
        self._lock = threading.Lock()
        self._running: dict[str, DagRun] = {}
        self._waiting: list[DagRun] = []

    def submit(self, job_dsl: Any, job_conf: Any) -> Submitted:
        predicting = predict_parameters(job_conf)
        if predicting is not None and not (isinstance(job_dsl, dict) and job_dsl.get("components")):
            job_dsl = self._inference_dsl(job_conf, *predicting)
        plan = dsl.parse(job_dsl, job_conf, self._components)
        dsl.check_all_parameters(plan, self._components)
        if not (self._runtime.standalone or plan.initiator_party in self._runtime.party_ids):
            raise BadRequest(f"this node does not serve the initiator {plan.initiator_role} {plan.initiator_party}")
        nodes = self._links.nodes(plan)
        job_id = new_job_id()
        token = secrets.token_hex(16)
        spec = scheduler_pb2.JobSpec(job_id=job_id, dsl_json=json.dumps(plan.dsl), conf_json=json.dumps(plan.conf),
                                     token=token)
        with self._auth.submitting(job_id, token):
            notes = self._check_on(nodes, spec)
            for node in nodes:
                try:
                    self._links.stub(node).CreateJob(spec, timeout=_CALL_TIMEOUT)
                except grpc.RpcError as exc:
                    self._links.stop_on(nodes, job_id, token, FAILED, f"{node.describe()} could not create the job")
                    raise _refusal(node, exc) from None
        run = DagRun(job_id, token, plan, nodes, self._links, self._jobs, self._finished, notes)
        with self._lock:
            if len(self._running) < self._max_running:
                self._running[job_id] = run
                run.start()
            else:
                self._waiting.append(run)
        return Submitted(job_id, plan, self._jobs.files(job_id))

    def _inference_dsl(self, conf: dict[str, Any], model_id: str, model_version: str) -> dict[str, Any]:
        """The inference DSL that model version `model_version` of `model_id` keeps on the initiator's party."""
        initiator = conf.get("initiator")
        if not isinstance(initiator, dict):
            raise BadRequest("the job's conf needs an initiator with role and party_id")
        key = VersionKey(model_id, identifiers.job_id(model_version, "model_version"),
                         identifiers.role(initiator.get("role"), "initiator.role"),
                         identifiers.party_id(initiator.get("party_id"), "initiator.party_id"))
        return self._models.inference_dsl(key)

    def _check_on(self, nodes: list[Node], spec: scheduler_pb2.JobSpec) -> list[str]:
        """Pre-flight on every node; returns notes on ignored parameters."""
        notes = []
        for node in nodes:
            try:
                checked = self._links.stub(node).CheckJob(spec, timeout=_CALL_TIMEOUT)
            except grpc.RpcError as exc:
                raise _refusal(node, exc) from None
            notes += [f"parameter {_bounded(key)} is not a parameter of its module and is ignored"
                      for key in checked.ignored[:_MAX_NOTES]]
        return notes

    def _finished(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)
            while self._waiting and len(self._running) < self._max_running:
                run = self._waiting.pop(0)
                self._running[run.job_id] = run
                run.start()

    def stop(self, job_id: str, status: str = CANCELED, retmsg: str = "stopped by the user") -> str:
        """Stop a job this node initiated, on every party: "killed" if it ran, "canceled" if it waited."""
        rows = self._jobs.jobs({"job_id": job_id})
        if rows and all(row.status in ENDED for row in rows):  # (its run may not have let go of it yet)
            raise BadRequest(f"job {job_id} has already ended ({rows[0].status})")
        with self._lock:
            run = self._running.get(job_id)
            waiting = next((r for r in self._waiting if r.job_id == job_id), None)
            if waiting is not None:
                self._waiting.remove(waiting)
        if run is not None:
            run.stop(status, retmsg)
            run.join(timeout=60)
            return "killed"
        if waiting is not None:
            self._links.stop_on(waiting.nodes, job_id, waiting.token, status, retmsg)
            return "canceled"
        if not rows:
            raise NotFound(f"job {job_id} does not exist")
        raise BadRequest(f"job {job_id} was not started by this node; stop it on its initiator")

    def stop_elsewhere(self, job_id: str, status: str, retmsg: str) -> None:
        """Best effort: end a job this node initiated on the other nodes (after a restart here)."""
        token = self._tokens(job_id)
        try:
            nodes = self._links.nodes(self._jobs.plan(job_id))
        except (OSError, BadRequest):
            return
        if token is None:
            return
        own = self._runtime.grpc_address
        self._links.stop_on([n for n in nodes if n.address != own], job_id, token, status, retmsg)

    def shutdown(self) -> None:
        with self._lock:
            runs = list(self._running.values())
        for run in runs:
            run.stop(FAILED, "the initiator stopped")
        for run in runs:
            run.join(timeout=60)
        self._links.close()
