"""One task in its own process: `python -m fate_runtime.tasks.executor --data-dir D --job-id J ...`.

It builds the component's context - parameters, input tables, federation bound to the job,
tracker, storage - runs the component and reports the outcome to its node. A failure is
reported as one sentence; the traceback goes to the task's log.
"""

from __future__ import annotations

from fate_runtime.tasks import lifeline

lifeline.hold()

import argparse  # noqa: E402 - the lifeline comes first
import dataclasses
import logging
import os
import sys
from typing import Any, Sequence

import grpc

from fate_runtime import dsl, identifiers
from fate_runtime.components import ComponentContext, Components
from fate_runtime.computing import LMDB, party_backend
from fate_runtime.state.db import Database, now_ms
from fate_runtime.state.job_registry import JobRegistry
from fate_runtime.state.job_store import FAILED, SUCCESS, JobStore
from fate_runtime.node_runtime import NodeRuntime
from fate_runtime.state.models import ModelKey, ModelStore
from fate_runtime.state.tracking import TaskTracker, TrackingQueries
from fate_runtime.tasks.inputs import TaskFailed, TaskInputs
from fate_runtime.tasks.task_models import TaskModels
from federation import Declarations, FederationClient, open_channel
from protos import scheduler_pb2, scheduler_pb2_grpc
from storage import Store
from storage.backend_copies import WithOtherBackendTables, lmdb_into_spark, spark_into_lmdb
from storage.computing import ComputingBackend
from storage.spark.directory import SparkDirectory


class ComponentFederation:
    """The federation handle a component gets: tags are scoped to the component."""

    def __init__(self, client: FederationClient, component: str) -> None:
        self._client = client
        self._component = component

    def remote(self, obj: Any, name: str, tag: Any, parties: Sequence[tuple[str, Any]]) -> None:
        self._client.remote(obj, name, f"{self._component}.{tag}", parties)

    def get(self, name: str, tag: Any, parties: Sequence[tuple[str, Any]], timeout: float | None = None) -> list[Any]:
        return self._client.get(name, f"{self._component}.{tag}", parties, timeout)


def run_task(node: NodeRuntime, job_id: str, component: str, role: str, party_id: str, log: logging.Logger) -> None:
    db = Database(os.path.join(node.data_dir, "fate_flow.db"))
    components = Components.load(node.components)
    plan = JobStore(db, node.data_dir, components).plan(job_id)
    model_store = ModelStore(db)
    module = plan.components[component].module
    if module not in components:
        raise TaskFailed(f"module {module} of {component} is not among this node's components")
    spec = components[module]
    params, ignored = dsl.checked_parameters(plan, component, role, party_id, components)
    if ignored:
        log.warning("parameters %s are not parameters of %s and are ignored", ", ".join(ignored), module)
    temp_namespace = f"__temp__.{job_id}.{component}.{role}.{party_id}"
    lmdb = Store(os.path.join(node.data_dir, "storage"), map_size=node.map_size, workers=node.workers,
                 worker_slots=node.worker_slots, temp_namespace=temp_namespace)
    backend = party_backend(plan.job_parameters, node.computing, node.spark_settings() is not None, role, party_id)
    store = _computing(node, backend, lmdb, f"fate {job_id} {component} {role} {party_id}")
    tracker = TaskTracker(db, job_id, component, role, party_id, plan.components[component].output_data)
    tracker.save_parameters(module, params)
    token = JobRegistry(db).token(job_id)
    if token is None:
        raise TaskFailed(f"job {job_id} is not registered on this node")
    client = FederationClient(job_id, role, party_id, node.route_table(), Declarations(spec.variables), store,
                              node.local_target, token, tls=node.tls)
    inputs = TaskInputs(job_id, plan, role, party_id, TrackingQueries(db), model_store, store)
    models = TaskModels(model_store, ModelKey(plan.model_id(), job_id, role, party_id, component),
                        plan.components[component].output_model, inputs.models(component))
    try:
        context = ComponentContext(job_id, component, role, party_id, params, plan.roles, inputs.tables(component),
                                   ComponentFederation(client, component), tracker, store, log, models, plan.job_type)
        log.info("running %s (%s) as %s %s", component, module, role, party_id)
        spec.run(context)
    finally:
        client.close()
        store.destroy_namespace(temp_namespace)
        lmdb.destroy_namespace(temp_namespace)
        if backend != LMDB:
            from storage.spark.context import stop_spark_context

            stop_spark_context()


def _computing(node: NodeRuntime, backend: str, lmdb: Store, app_name: str) -> ComputingBackend:
    """The task's computing backend: the LMDB store or Spark (a SparkContext named `app_name`), either finding the
    tables the node keeps in the other backend."""
    log = logging.getLogger("fate_flow.task")
    settings = node.spark_settings()
    if backend == LMDB:
        log.info("computing backend: the embedded LMDB store")
        return lmdb if settings is None else WithOtherBackendTables(
            lmdb, spark_into_lmdb(SparkDirectory(settings.storage_dir), lmdb))
    if settings is None:
        raise TaskFailed("this node has no spark settings to run the task on Spark")
    from storage.spark.store import SparkStore  # pyspark only where a task runs on Spark

    log.info("computing backend: Spark (master %s, storage dir %s)", settings.master, settings.storage_dir)
    spark = SparkStore(dataclasses.replace(settings, app_name=app_name), lmdb.temp_namespace)
    return WithOtherBackendTables(spark, lmdb_into_spark(lmdb, spark.files))


def _report(node: NodeRuntime, job_id: str, component: str, role: str, party_id: str, status: str,
            retmsg: str) -> None:
    event = scheduler_pb2.TaskEvent(task=scheduler_pb2.TaskRef(job_id=job_id, component=component, role=role,
                                                               party_id=party_id),
                                    status=status, retmsg=retmsg, time_ms=now_ms())
    with open_channel(node.local_target) as channel:
        scheduler_pb2_grpc.LocalSchedulerStub(channel).ReportTask(event, timeout=30, wait_for_ready=True)


# FATE's log lines name the module and function that wrote them (`flow test toy` looks for secure_add_guest).
_LOG_FORMAT = "[%(levelname)s] [%(asctime)s] [%(name)s] [%(module)s.%(funcName)s:%(lineno)d] %(message)s"


def _logger(node: NodeRuntime, job_id: str, component: str, role: str, party_id: str) -> logging.Logger:
    """The task's logger. As in FATE, the lines go to the component's INFO.log and to its party's INFO.log (every
    task of the party on this node) and, errors, to the party's ERROR.log."""
    party_dir = os.path.join(node.data_dir, "logs", job_id, role, party_id)
    os.makedirs(os.path.join(party_dir, component), exist_ok=True)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for path, level in ((os.path.join(party_dir, component, "INFO.log"), logging.INFO),
                        (os.path.join(party_dir, "INFO.log"), logging.INFO),
                        (os.path.join(party_dir, "ERROR.log"), logging.ERROR)):
        handler = logging.FileHandler(path, delay=level == logging.ERROR)  # (an ERROR.log only with errors)
        handler.setFormatter(logging.Formatter(_LOG_FORMAT))
        handler.setLevel(level)
        root.addHandler(handler)
    return logging.getLogger(f"fate_flow.task.{component}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fate_runtime.tasks.executor")
    for name in ("--data-dir", "--job-id", "--component", "--role", "--party-id"):
        parser.add_argument(name, required=True)
    args = parser.parse_args(argv)
    node = NodeRuntime.load(args.data_dir)
    key = (identifiers.job_id(args.job_id), identifiers.component(args.component), identifiers.role(args.role),
           identifiers.party_id(args.party_id))
    log = _logger(node, *key)
    try:
        run_task(node, *key, log)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, with its traceback in the log
        log.exception("task failed")
        message = str(exc) if isinstance(exc, TaskFailed) else f"{args.component} failed: {_sentence(exc)}"
        try:
            _report(node, *key, FAILED, message)
        except grpc.RpcError:
            log.exception("could not report the failure to the node")
        return 1
    try:
        _report(node, *key, SUCCESS, "")
    except grpc.RpcError:
        log.exception("could not report success to the node")
        return 1
    return 0


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


if __name__ == "__main__":
    sys.exit(main())
