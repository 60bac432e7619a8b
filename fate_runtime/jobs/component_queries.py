"""What the flow API reads about one party's component of a job: metrics, parameters, model, output data."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from itertools import chain, islice
from typing import Any, Iterator

import numpy as np

from fate_runtime.components.instances import Instance
from fate_runtime.errors import BadRequest, NotFound
from fate_runtime.jobs.archive_stream import file_member, tar_gz
from fate_runtime.jobs.queries import JobQueries
from fate_runtime.state.models import ModelBuffer, ModelKey, ModelStore
from fate_runtime.state.tracking import TrackingQueries
from fate_runtime.data.node_tables import NodeTables, StoredTable
from storage import Store, TableNotFound
from storage.spark.directory import SparkDirectory

DEFAULT_PREVIEW_ROWS = 100
MAX_PREVIEW_ROWS = 10_000
_CSV_BATCH = 10_000


@dataclasses.dataclass(frozen=True)
class MetricSeries:
    namespace: str
    name: str
    data: list[list[Any]]
    meta: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class ComponentParameters:
    module: str
    parameters: dict[str, Any]
    module_roles: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ComponentModel:
    """What a party's component saved in its job's model version (the first alias it saved under)."""

    module: str
    alias: str
    model_id: str
    model_version: str
    buffers: list[ModelBuffer]


def _row_values(value: Any, delimiter: str) -> list[Any]:
    if isinstance(value, Instance):  # as FATE shows an instance: its label (where it has one), then its features
        return ([] if value.label is None else [value.label]) + value.features.tolist()
    if isinstance(value, str):
        return value.split(delimiter) if value else []
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return [json.dumps(value, default=str)]
    return [value]


def _header(table: StoredTable) -> list[str]:
    schema = table.schema
    header = schema.get("header", "")
    names = header.split(schema.get("delimiter", ",")) if isinstance(header, str) and header else list(header or [])
    label = [schema["label_name"]] if schema.get("label_name") else []  # (instance tables with labels)
    return [schema.get("sid_name") or schema.get("sid", "id"), *label, *names]


class ComponentQueries:
    def __init__(self, jobs: JobQueries, tracking: TrackingQueries, models: ModelStore, store: Store,
                 spark: SparkDirectory | None = None) -> None:
        self._jobs = jobs
        self._tracking = tracking
        self._models = models
        self._tables = NodeTables(store, spark)  # a task's outputs are on the backend it ran on

    def module(self, job_id: str, component: str, role: str, party_id: str) -> str:
        """The component's module, once the job, the party's row and the component are known."""
        if not (job_id and component and role and party_id):
            raise BadRequest("the following arguments are required: job_id, component_name, role, party_id")
        self._jobs.job_row(job_id, role, party_id)
        components = self._jobs.plan(job_id).components
        if component not in components:
            raise NotFound(f"job {job_id} has no component {component}")
        return components[component].module

    def metrics(self, job_id: str, component: str, role: str, party_id: str) -> dict[str, list[str]]:
        self.module(job_id, component, role, party_id)
        return self._tracking.metrics(job_id, component, role, party_id)

    def metric_all(self, job_id: str, component: str, role: str, party_id: str) -> Iterator[MetricSeries]:
        for namespace, names in self.metrics(job_id, component, role, party_id).items():
            for name in names:
                data, meta = self._tracking.metric(job_id, component, role, party_id, namespace, name)
                yield MetricSeries(namespace, name, data, meta)

    def metric(self, job_id: str, component: str, role: str, party_id: str, namespace: str,
               name: str) -> MetricSeries:
        self.module(job_id, component, role, party_id)
        if not namespace or not name:
            raise BadRequest("the following arguments are required: metric_namespace, metric_name")
        data, meta = self._tracking.metric(job_id, component, role, party_id, namespace, name)
        if not data and not meta:
            raise NotFound(f"component {component} has no metric {namespace}.{name}")
        return MetricSeries(namespace, name, data, meta)

    def parameters(self, job_id: str, component: str, role: str, party_id: str) -> ComponentParameters:
        self.module(job_id, component, role, party_id)
        found = self._tracking.parameters(job_id, component, role, party_id)
        if found is None:
            raise NotFound(f"component {component} of {role} {party_id} has not run")
        module, params = found
        return ComponentParameters(module, params, self._jobs.plan(job_id).components[component].roles)

    def output_model(self, job_id: str, component: str, role: str, party_id: str) -> ComponentModel:
        module = self.module(job_id, component, role, party_id)
        model_id = self._jobs.plan(job_id).model_id()
        saved = self._models.load(ModelKey(model_id, job_id, role, party_id, component)) \
            or self._models.legacy(job_id, component, role, party_id)
        alias = next(iter(saved), "")
        return ComponentModel(module, alias, model_id, job_id, saved.get(alias, []))

    def output_tables(self, job_id: str, component: str, role: str, party_id: str) -> list[tuple[str, str]]:
        self.module(job_id, component, role, party_id)
        outputs = self._tracking.output_data(job_id, component, role, party_id)
        if not outputs:
            raise NotFound(f"component {component} of {role} {party_id} has no output data")
        return [(o.namespace, o.table_name) for o in outputs]

    def _output_table(self, job_id: str, component: str, role: str, party_id: str) -> StoredTable:
        namespace, name = self.output_tables(job_id, component, role, party_id)[0]
        try:
            return self._tables.table(namespace, name)
        except TableNotFound:
            raise NotFound(f"the output table {namespace}.{name} of {component} was deleted") from None

    def output_preview(self, job_id: str, component: str, role: str, party_id: str,
                       limit: int) -> tuple[Iterator[list[Any]], list[str], int]:
        """(rows [id, values...], header, the table's row count) of the first output, up to `limit` rows."""
        table = self._output_table(job_id, component, role, party_id)
        count = min(MAX_PREVIEW_ROWS, limit if limit > 0 else DEFAULT_PREVIEW_ROWS)
        delimiter = table.schema.get("delimiter", ",")
        rows = ([key, *_row_values(value, delimiter)] for key, value in islice(table.collect(), count))
        return rows, _header(table), table.count()

    def output_archive(self, job_id: str, component: str, role: str, party_id: str, limit: int) -> Iterator[bytes]:
        """A tar.gz with output_data.csv (header line first) and output_data_meta.json, made while it is sent:
        the CSV is rendered twice, once to learn its size (a tar header comes first), once to send it."""
        table = self._output_table(job_id, component, role, party_id)
        header = _header(table)
        delimiter = table.schema.get("delimiter", ",")

        def csv_pieces() -> Iterator[bytes]:
            pairs = table.collect() if limit <= 0 else islice(table.collect(), limit)
            rows = chain([header], ([key, *_row_values(value, delimiter)] for key, value in pairs))
            while batch := list(islice(rows, _CSV_BATCH)):
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(batch)
                yield text.getvalue().encode()

        size = sum(len(piece) for piece in csv_pieces())
        meta = json.dumps({"header": header}).encode()
        return tar_gz([(file_member("output_data.csv", size), csv_pieces),
                       (file_member("output_data_meta.json", len(meta)), lambda: [meta])])
