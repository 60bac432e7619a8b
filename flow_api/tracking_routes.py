"""/v1/tracking: a job's data view, and a component's metrics, parameters, model and output data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from flow_api import fate_shapes
from flow_api.envelope import ApiError, reply
from flow_api.job_routes import (archive_response, component_ref, download_error, job_ref, node, request_body,
                                 required, streamed)
from flow_api.request_fields import integer, text
from protos import flow_pb2

blueprint = Blueprint("tracking", __name__)

COMPONENT_FIELDS = ("job_id", "component_name", "role", "party_id")


def _component() -> flow_pb2.ComponentRef:
    return component_ref(request_body(), *COMPONENT_FIELDS)


def _found(data: Any, meta: Any = None, empty: str = "no data") -> Any:
    """FATE answers an empty result with retcode 0 and a message instead of data."""
    if not data and not meta:
        return reply(retmsg=empty)
    return reply(data, meta=meta)


def _output_data_request(body: dict[str, Any], download: bool = False) -> flow_pb2.OutputDataRequest:
    message = flow_pb2.OutputDataRequest(component=component_ref(body, *COMPONENT_FIELDS))
    limit = integer(body, "limit")
    if limit is not None and limit > 0:  # FATE: -1 (or nothing) means the default: every row for a download
        message.limit = limit
    elif limit == 0 and download:
        raise ApiError("limit is 0")  # FATE's download refuses it too
    return message


@blueprint.post("/job/data_view")
def job_data_view() -> Any:
    client = node()
    message = job_ref(request_body(), "job_id", "role", "party_id")
    return reply(fate_shapes.data_view(client.call(client.flow.DataView, message)))


@blueprint.post("/component/metrics")
def component_metrics() -> Any:
    client = node()
    return _found(fate_shapes.metric_names(client.call(client.flow.ComponentMetrics, _component())))


@blueprint.post("/component/metric/all")
def component_metric_all() -> Any:
    return _found(fate_shapes.metric_tree(streamed(node().flow.ComponentMetricAll, _component())))


@blueprint.post("/component/metric_data")
def component_metric_data() -> Any:
    body = request_body()
    if "metric_name" not in body and "meric_name" in body:  # the API document's spelling
        body["metric_name"] = body["meric_name"]
    required(body, *COMPONENT_FIELDS, "metric_namespace", "metric_name")
    client = node()
    result = client.call(client.flow.ComponentMetricData, flow_pb2.MetricRequest(
        component=component_ref(body), metric_namespace=text(body, "metric_namespace"),
        metric_name=text(body, "metric_name")))
    return _found(*fate_shapes.metric_data(result))


@blueprint.post("/component/parameters")
def component_parameters() -> Any:
    client = node()
    message = _component()
    return _found(fate_shapes.parameters(message, client.call(client.flow.ComponentParameters, message)),
                  empty="can not found this component parameters")


@blueprint.post("/component/output/model")
def component_output_model() -> Any:
    client = node()
    return _found(*fate_shapes.output_model(client.call(client.flow.ComponentOutputModel, _component())))


@blueprint.post("/component/output/data")
def component_output_data() -> Any:
    rows, header, total = fate_shapes.output_rows(streamed(node().flow.ComponentOutputData,
                                                           _output_data_request(request_body())))
    if not rows:
        return reply(retmsg="no data")
    return reply(rows, meta={"header": header, "total": total})


@blueprint.post("/component/output/data/table")
def component_output_data_table() -> Any:
    client = node()
    result = client.call(client.flow.ComponentOutputDataTable, _component())
    if not result.tables:
        raise ApiError("No found table, please check if the parameters are correct")
    first = result.tables[0]  # FATE 1.3 answers with one table (a component has one data output)
    return reply({"table_name": first.table_name, "table_namespace": first.namespace})


@blueprint.route("/component/output/data/download", methods=["GET", "POST"])
def component_output_data_download() -> Any:
    try:
        message = _output_data_request(request_body(), download=True)
    except ApiError as error:
        raise download_error(error) from None
    ref = message.component
    return archive_response(
        node().flow.ComponentOutputDataDownload, message,
        lambda: f"job_{ref.job_id}_{ref.component_name}_{ref.role}_{ref.party_id}_output_data.tar.gz")
