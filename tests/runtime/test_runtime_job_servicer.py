"""The Flow service's job methods hand each request field to the query it names (no node: stand-in queries)."""

from __future__ import annotations

from typing import Any

from fate_runtime.node.flow_servicer import FlowServicer
from fate_runtime.state.data_views import DataViewRecord
from protos import flow_pb2

JOB = "20261201000000000001"


class _Queries:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def clean(self, job_id: str, role: str, party_id: str, component: str) -> list[tuple[str, str]]:
        self.calls.append(("clean", job_id, role, party_id, component))
        return [("ns", "t")]

    def data_views(self, filters: dict[str, str]) -> list[DataViewRecord]:
        self.calls.append(("data_views", filters))
        return [DataViewRecord(JOB, "guest", "9999", "c", f"{JOB}_c", "ns", "t", 2, None, 5, 1, None, "success",
                               party_model_id="guest#9999#m", model_version=JOB)]


def _servicer(queries: _Queries) -> FlowServicer:
    return FlowServicer(None, None, None, queries, None, None, None, None)  # type: ignore[arg-type]


def test_clean_job_narrows_by_role_party_and_component_as_given() -> None:
    queries = _Queries()
    reply = _servicer(queries).CleanJob(flow_pb2.ComponentRef(job_id=JOB, component_name="c", role="guest",
                                                              party_id="9999"), None)  # type: ignore[arg-type]
    assert queries.calls == [("clean", JOB, "guest", "9999", "c")]
    assert [(t.namespace, t.table_name) for t in reply.deleted] == [("ns", "t")]


def test_data_views_are_streamed_as_rows_with_the_filters_given() -> None:
    queries = _Queries()
    rows = list(_servicer(queries).QueryDataView(flow_pb2.JobQuery(filters={"status": "success"}),
                                                 None))  # type: ignore[arg-type]
    assert queries.calls == [("data_views", {"status": "success"})]
    assert rows == [flow_pb2.DataViewRow(job_id=JOB, role="guest", party_id="9999", component_name="c",
                                         task_id=f"{JOB}_c", table_namespace="ns", table_name="t", partition=2,
                                         table_count_actual=5, create_time=1, party_model_id="guest#9999#m",
                                         model_version=JOB)]
    assert not rows[0].HasField("table_count_upload") and not rows[0].HasField("type")
