"""The party side of jobs on a node: pre-flight checks, creating a job, tasks, status from the initiator."""

from __future__ import annotations

import hmac
import json
import logging
import threading
from typing import Any

from fate_runtime import dsl
from fate_runtime.components import BUILTIN, Components
from fate_runtime.computing import LMDB, party_backend
from fate_runtime.dsl import JobPlan
from fate_runtime.errors import BadRequest, Conflict, NotFound
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.job_store import CANCELED, ENDED, FAILED, STATUSES, SUCCESS, TIMEOUT, WAITING, JobStore
from fate_runtime.jobs.memory import release_free_memory
from fate_runtime.jobs.model_party import ModelParty
from fate_runtime.request_checks import check_work_mode
from fate_runtime.tasks.events import TaskEvents, Watch
from fate_runtime.tasks.manager import TaskKey, TaskManager
from federation import Receiver
from storage import Store
from storage.spark.directory import SparkDirectory

log = logging.getLogger("fate_flow.party")


class PartyJobs:
    """What a node does for the parties it serves when an initiator drives a job."""

    def __init__(self, jobs: JobStore, tasks: TaskManager, events: TaskEvents, registry: JobRegistry, store: Store,
                 received: Receiver, local_parties: frozenset[str] | None, work_mode: int, models: ModelParty,
                 routed: frozenset[str] = frozenset(), components: Components = BUILTIN,
                 computing: str = LMDB, spark_storage_dir: str | None = None) -> None:
        self._models = models
        self._computing = computing
        self._spark_tables = SparkDirectory(spark_storage_dir) if spark_storage_dir else None
        self._routed = routed
        self._components = components
        self._jobs = jobs
        self._tasks = tasks
        self._events = events
        self._registry = registry
        self._store = store
        self._received = received
        self._starting = threading.Lock()
        self._local_parties = local_parties
        self._work_mode = work_mode

    def plan(self, dsl_json: str, conf_json: str) -> JobPlan:
        """The plan of a job an initiator sends (its DSL and conf as JSON text)."""
        try:
            dsl_value, conf_value = json.loads(dsl_json), json.loads(conf_json)
        except json.JSONDecodeError:
            raise BadRequest("the job's DSL or conf is not valid JSON") from None
        except RecursionError:
            raise BadRequest("the job's DSL or conf is nested too deeply") from None
        return dsl.parse(dsl_value, conf_value, self._components)

    def local_parties(self, plan: JobPlan) -> list[tuple[str, str]]:
        return [(role, party) for role, party in plan.parties()
                if self._local_parties is None or party in self._local_parties]

    def check(self, plan: JobPlan) -> list[str]:
        """Pre-flight for this node's parties: work mode, computing backend, parameters, input tables. Returns
        ignored keys."""
        parties = self.local_parties(plan)
        if not parties:
            raise BadRequest("this node serves none of the job's parties")
        check_work_mode(plan.work_mode, self._work_mode)
        if self._local_parties is not None:
            unrouted = [(r, p) for r, p in plan.parties() if p not in self._local_parties and p not in self._routed]
            if unrouted:
                raise BadRequest(f"this node has no route to {unrouted[0][0]} {unrouted[0][1]} of the job")
        for role, party in parties:
            party_backend(plan.job_parameters, self._computing, self._spark_tables is not None, role, party)
        ignored = []
        for role, party in parties:
            for component in plan.components:
                if plan.runs_on(component, role, party):
                    _, unknown = dsl.checked_parameters(plan, component, role, party, self._components)
                    ignored += [f"{component}.{key} ({role} {party})" for key in unknown]
            for name, table in self._needed_tables(plan, role, party).items():
                namespace, table_name = str(table.get("namespace", "")), str(table.get("name", ""))
                if not self._has_table(namespace, table_name):
                    raise BadRequest(f"input table {namespace}.{table_name} ({name}) of {role} {party} does not exist")
        return ignored

    def _has_table(self, namespace: str, name: str) -> bool:
        """The node keeps namespace.name in either backend (a task brings it into its own)."""
        return self._store.exists(namespace, name) or (
            self._spark_tables is not None and self._spark_tables.exists(namespace, name))

    @staticmethod
    def _needed_tables(plan: JobPlan, role: str, party: str) -> dict[str, dict[str, Any]]:
        used = {ref.partition(".")[2] for c in plan.components.values() if plan.runs_on(c.name, role, party)
                for refs in c.data_inputs.values() for ref in refs if ref.startswith(dsl.ARGS + ".")}
        tables = plan.input_tables(role, party)
        if plan.dsl_version == 1:
            missing = used - set(tables)
            if missing:
                raise BadRequest(f"{role} {party} gives no table for input args.{sorted(missing)[0]}")
            return {name: tables[name] for name in used}
        return {name: tables[name] for name in tables if plan.runs_on(name, role, party)}

    def create(self, job_id: str, plan: JobPlan, token: str) -> list[tuple[str, str]]:
        """Create the job here (checked again: a create need not follow a check); the same create again is
        harmless, any other create of a known job id is refused."""
        self.check(plan)
        parties = self.local_parties(plan)
        known_token = self._registry.token(job_id)
        if known_token is not None or self._jobs.jobs({"job_id": job_id}):
            if known_token is not None and hmac.compare_digest(known_token.encode(), token.encode()) \
                    and self._jobs.has_plan(job_id, plan):
                return parties  # the initiator asked again
            raise Conflict(f"job {job_id} exists already on this node")
        variables = {v for c in plan.components.values() for v in self._components[c.module].variables}
        self._registry.register(job_id, plan.roles, sorted(variables, key=lambda v: (v.name, v.src, v.dst)), token)
        try:
            self._jobs.create(job_id, plan, parties)
        except BaseException:
            self._registry.forget(job_id)
            raise
        self._events.changes.publish(job_id)
        return parties

    def _known(self, job_id: str) -> None:
        if not self._jobs.jobs({"job_id": job_id}):
            raise NotFound(f"job {job_id} is not known to this node")

    def start_task(self, key: TaskKey) -> None:
        """Start one of the job's tasks here; one this job has started already (running or ended) is not started
        again, and the call is acknowledged all the same (the initiator's channel may send it twice)."""
        job_id, component, role, party_id = key
        with self._starting:
            rows = self._jobs.tasks({"job_id": job_id, "component_name": component, "role": role,
                                     "party_id": party_id})
            if not rows:
                self._known(job_id)
                raise NotFound(f"job {job_id} has no task {component} of {role} {party_id} on this node")
            if rows[0].status != WAITING:
                log.info("task %s of %s %s in job %s has started already: not started again", component, role,
                         party_id, job_id)
                return
            self._tasks.start(key)

    def report(self, key: TaskKey, status: str, retmsg: str) -> None:
        self._tasks.report(key, status, retmsg)

    def _running_here(self, job_id: str) -> bool:
        return any(row.status not in ENDED for row in self._jobs.jobs({"job_id": job_id}))

    def _ended(self, job_id: str, status: str, retmsg: str) -> None:
        """The job ends on this node with `status` (every node, the initiator's too, passes here): its tasks here
        are stopped first (those not ended end with `status`), so that none still reads what the job received;
        then its watches close, what it received is removed (it takes no more transfers; its registration and
        token stay, for a late stop), and the memory it freed goes back to the OS."""
        self._tasks.stop_job(job_id, status, retmsg)
        if self._running_here(job_id):
            self._jobs.set_job_status(job_id, status, retmsg=retmsg)
            self._events.changes.publish(job_id)
        self._events.end(job_id)
        self._received.forget_job(job_id)
        release_free_memory()

    def update(self, job_id: str, status: str, progress: int, current_steps: list[str], retmsg: str) -> None:
        self._known(job_id)
        if status not in STATUSES or not 0 <= progress <= 100:
            raise BadRequest(f"a job status update needs one of {', '.join(STATUSES)} and a progress from 0 to 100")
        if status == SUCCESS and self._running_here(job_id):  # the job's model versions here are whole
            rows = self._jobs.jobs({"job_id": job_id})
            self._models.record_trained(job_id, self._jobs.plan(job_id), [(row.role, row.party_id) for row in rows])
        self._jobs.set_job_status(job_id, status, progress, current_steps, retmsg or None)
        self._events.changes.publish(job_id)
        if status in ENDED:
            self._ended(job_id, status, retmsg)

    def stop(self, job_id: str, status: str, retmsg: str) -> None:
        """Kill the job's tasks here; a job not yet ended here ends with `status` (an ended one keeps its end)."""
        self._known(job_id)
        if status not in (CANCELED, FAILED, TIMEOUT):
            raise BadRequest(f"a job stops as {CANCELED}, {FAILED} or {TIMEOUT}, not {status[:40]!r}")
        self._ended(job_id, status, retmsg)

    def watch(self, job_id: str) -> Watch:
        self._known(job_id)
        return self._events.watch(job_id)

    def watch_lost(self, job_id: str) -> None:
        """The initiator stopped watching before the job ended: nothing here may go on running."""
        if self._running_here(job_id):
            log.warning("the initiator of job %s stopped watching it; stopping its tasks here", job_id)
            self.stop(job_id, FAILED, "the job's initiator became unreachable")
