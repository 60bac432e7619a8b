"""What both intersection methods end with: the intersected table, its metrics, and the no-overlap error."""

from __future__ import annotations

from functools import reduce
from typing import Any, Sequence

from fate_runtime.components.context import ComponentContext
from storage.computing import ComputingTable

METRIC_NAMESPACE, METRIC_NAME = "train", "intersection"


def common(tables: Sequence[ComputingTable]) -> ComputingTable:
    """The keys every table has (FATE's common intersection: the value "id" where there are several)."""
    return reduce(lambda left, right: left.join(right, lambda _, __: "id"), tables)


def no_overlap(ctx: ComponentContext, apart: Sequence[str]) -> ValueError:
    """The error of an empty intersection: the hosts that share no id with the guest (`apart`), or, when each
    shares some, that no id is common to all."""
    guest = ctx.roles["guest"][0]
    if len(apart) == 1:
        return ValueError(f"no ids overlap between guest {guest} and host {apart[0]}")
    if apart:
        return ValueError(f"no ids overlap between guest {guest} and hosts {', '.join(apart)}")
    return ValueError(f"no ids are common to guest {guest} and hosts {', '.join(ctx.roles['host'])}")


def check_overlap(ctx: ComponentContext, hosts: Sequence[tuple[str, str]], per_host: Sequence[ComputingTable],
                  ids: ComputingTable) -> None:
    """The guest's check of the intersections with each host (`per_host`) and of the common one (`ids`)."""
    apart = [host[1] for host, table in zip(hosts, per_host) if table.count() == 0]
    if apart or ids.count() == 0:
        raise no_overlap(ctx, apart)


def save(ctx: ComponentContext, source: ComputingTable, ids: ComputingTable | None) -> None:
    """Record the intersection: `ids` (id -> FATE's marker value) as the output - with only_output_key, else the
    source's rows of those ids - keeping the source's schema, and its count and rate as metrics; no output (and
    FATE's -1 metrics) when this party does not learn the intersection."""
    count, rate = -1, -1.0
    if ids is not None:
        namespace, name = ctx.output_name("data")
        if ctx.params["only_output_key"]:
            output = ids.save_as(name, namespace=namespace)
        else:
            output = ids.join(source, _row, namespace=namespace, name=name)
        output.set_schema(dict(source.schema))
        ctx.tracker.save_output_data("data", output)
        count = output.count()
        rate = count / max(source.count(), 1)
    ctx.tracker.log_metric_data(METRIC_NAMESPACE, METRIC_NAME, [("intersect_count", count), ("intersect_rate", rate)])
    ctx.tracker.set_metric_meta(METRIC_NAMESPACE, METRIC_NAME, {"metric_type": "INTERSECTION", "name": METRIC_NAME})
    ctx.log.info("%s: %d ids in the intersection", ctx.component, count)


def _row(_: Any, row: Any) -> Any:
    return row
