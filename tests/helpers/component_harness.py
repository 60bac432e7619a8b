"""Runs one component for several parties in threads of this process, as a job would across nodes.

Each party has its own computing backend (its own node): an LMDB Store, or a SparkStore of its own storage dir
(the process's one SparkContext shared). Objects and tables cross an in-memory federation that checks the
component's transfer declarations, passes everything through the storage codec (what a peer receives is what the
wire would carry; a table arrives as a table of the receiver's backend) and records every transfer for privacy tests.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import uuid
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

from google.protobuf.message import Message

from fate_runtime.components import ComponentContext, ComponentSpec
from fate_runtime.components.context import Buffers
from federation import Declarations
from storage import Store, decode, encode
from storage.computing import ComputingBackend, ComputingTable

Party = tuple[str, str]  # (role, party id)
JOB_ID = "20261203000000000001"


@dataclasses.dataclass
class Transfer:
    """One object or table sent: the variable, tag, parties, and every encoded byte that crossed."""

    name: str
    tag: str
    src: Party
    dst: Party
    payload: bytes
    was_table: bool
    rows: list[tuple[bytes, bytes]]  # a table's encoded pairs ([] for an object)

    def values(self) -> list[Any]:
        """What was sent: the object, or every value of the table."""
        return [decode(value) for _, value in self.rows] if self.was_table else [decode(self.payload)]


class RecordingTracker:
    def __init__(self) -> None:
        self.outputs: dict[str, ComputingTable] = {}
        self.metrics: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
        self.metas: dict[tuple[str, str], dict[str, Any]] = {}

    def log_metric_data(self, namespace: str, name: str, data: list[tuple[Any, Any]]) -> None:
        self.metrics.setdefault((namespace, name), []).extend(data)

    def set_metric_meta(self, namespace: str, name: str, meta: dict[str, Any]) -> None:
        self.metas[(namespace, name)] = meta

    def save_output_data(self, name: str, table: ComputingTable) -> None:
        self.outputs[name] = table


class MemoryModels:
    """Input models given by the test; saved models kept as serialized buffers, by alias."""

    def __init__(self, inputs: Mapping[str, dict[str, Buffers]] | None = None) -> None:
        self._inputs = dict(inputs or {})
        self.saved: dict[str, Buffers] = {}

    def inputs(self, kind: str = "model") -> dict[str, Buffers]:
        return dict(self._inputs.get(kind, {}))

    def save(self, buffers: Mapping[str, Message], alias: str | None = None) -> None:
        self.saved[alias or "model"] = {name: message.SerializeToString() for name, message in buffers.items()}


class MemoryFederation:
    """The federation of one run: a queue per (variable, tag, sender, receiver)."""

    def __init__(self, declarations: Declarations, stores: Mapping[Party, ComputingBackend]) -> None:
        self._declarations = declarations
        self._stores = stores
        self._queues: dict[tuple[str, str, Party, Party], queue.Queue[Any]] = {}
        self._lock = threading.Lock()
        self.transfers: list[Transfer] = []

    def _queue(self, key: tuple[str, str, Party, Party]) -> queue.Queue[Any]:
        with self._lock:
            return self._queues.setdefault(key, queue.Queue())

    def send(self, obj: Any, name: str, tag: str, src: Party, dst: Party) -> None:
        self._declarations.check(name, src[0], dst[0])
        with self._lock:  # a real federation delivers a variable once per tag: a second send would be lost
            if any((t.name, t.tag, t.src, t.dst) == (name, tag, src, dst) for t in self.transfers):
                raise AssertionError(f"{src} sent {name} with tag {tag} to {dst} twice")
        pairs: list[tuple[bytes, bytes]] = []
        if isinstance(obj, ComputingTable):
            pairs = [(encode(key), encode(value)) for key, value in obj.collect()]
            payload = b"".join(key + value for key, value in pairs)
            received = self._stores[dst].create_table("__received__", uuid.uuid4().hex, obj.partitions)
            received.put_all((decode(key), decode(value)) for key, value in pairs)
            received.set_schema(obj.schema)
            delivered: Any = received
        else:
            payload = encode(obj)
            delivered = decode(payload)
        with self._lock:
            self.transfers.append(Transfer(name, tag, src, dst, payload, isinstance(obj, ComputingTable), pairs))
        self._queue((name, tag, src, dst)).put(delivered)

    def receive(self, name: str, tag: str, src: Party, dst: Party, timeout: float) -> Any:
        try:
            return self._queue((name, tag, src, dst)).get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"{dst} waited {timeout:g} s for {name} {tag} from {src}") from None


class PartyFederation:
    """What one party's component sees (the context's `federation`)."""

    def __init__(self, shared: MemoryFederation, me: Party, timeout: float) -> None:
        self._shared = shared
        self._me = me
        self._timeout = timeout

    def remote(self, obj: Any, name: str, tag: Any, parties: Sequence[tuple[str, Any]]) -> None:
        for role, party_id in parties:
            self._shared.send(obj, name, str(tag), self._me, (role, str(party_id)))

    def get(self, name: str, tag: Any, parties: Sequence[tuple[str, Any]], timeout: float | None = None) -> list[Any]:
        return [self._shared.receive(name, str(tag), (role, str(party_id)), self._me, timeout or self._timeout)
                for role, party_id in parties]


@dataclasses.dataclass
class PartySetup:
    """What a test gives one party: its parameters (before defaults), input tables and input models."""

    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    inputs: dict[str, list[ComputingTable]] = dataclasses.field(default_factory=dict)
    models: dict[str, dict[str, Buffers]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PartyResult:
    tracker: RecordingTracker
    models: MemoryModels
    store: ComputingBackend


@dataclasses.dataclass
class Run:
    results: dict[Party, PartyResult]
    transfers: list[Transfer]

    def outputs(self, party: Party, name: str = "data") -> ComputingTable:
        return self.results[party].tracker.outputs[name]


class PartyStores:
    """One computing backend per party, under a test's tmp dir (a party keeps it across the runs of a test): an LMDB
    Store, or for the parties in `spark` a SparkStore (local[2]) of its own storage dir."""

    def __init__(self, base: Path, spark: Collection[Party] = ()) -> None:
        self._base = base
        self._spark = set(spark)
        self._stores: dict[Party, ComputingBackend] = {}

    def __getitem__(self, party: Party) -> ComputingBackend:
        if party not in self._stores:
            directory = str(self._base / f"{party[0]}-{party[1]}")
            self._stores[party] = _spark_store(directory) if party in self._spark else Store(directory, workers=1)
        return self._stores[party]


def _spark_store(directory: str) -> ComputingBackend:
    from storage.spark.settings import SparkSettings
    from storage.spark.store import SparkStore

    return SparkStore(SparkSettings(storage_dir=directory, master="local[2]"))


def run_component(spec: ComponentSpec, stores: PartyStores, parties: Mapping[Party, PartySetup],
                  component: str = "component_0", job_type: str = "train", timeout: float = 60.0,
                  job_id: str = JOB_ID) -> Run:
    """Run `spec` for every party at once; the first failure (by party order) is raised after all have ended."""
    roles: dict[str, list[str]] = {}
    for role, party_id in parties:
        roles.setdefault(role, []).append(party_id)
    shared = MemoryFederation(Declarations(spec.variables), {party: stores[party] for party in parties})
    results: dict[Party, PartyResult] = {}
    errors: dict[Party, BaseException] = {}

    def run_party(party: Party, setup: PartySetup) -> None:
        try:
            params, _ = spec.parameters(setup.params)
            result = PartyResult(RecordingTracker(), MemoryModels(setup.models), stores[party])
            context = ComponentContext(job_id, component, party[0], party[1], params, roles, setup.inputs,
                                       PartyFederation(shared, party, timeout), result.tracker, stores[party],
                                       logging.getLogger(f"harness.{component}.{party[0]}.{party[1]}"),
                                       result.models, job_type)
            spec.run(context)
            results[party] = result
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors[party] = exc

    threads = [threading.Thread(target=run_party, args=item, daemon=True) for item in parties.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout * 4)
    for party in parties:
        if party in errors:
            raise errors[party]
    return Run(results, shared.transfers)
