"""The Reader component: a party's named table copied as its output, nothing for a party without one."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fate_runtime.components import ComponentContext, reader
from storage import Store, Table


class RecordingTracker:
    def __init__(self) -> None:
        self.outputs: dict[str, Table] = {}
        self.metrics: list[tuple[str, str, list[Any]]] = []

    def log_metric_data(self, namespace: str, name: str, data: list[Any]) -> None:
        self.metrics.append((namespace, name, data))

    def set_metric_meta(self, namespace: str, name: str, meta: dict[str, Any]) -> None:
        pass

    def save_output_data(self, name: str, table: Table) -> None:
        self.outputs[name] = table


def _context(store: Store, role: str, table: dict[str, str]) -> tuple[ComponentContext, RecordingTracker]:
    tracker = RecordingTracker()
    context = ComponentContext("20261201000000000001", "reader_0", role, "10000", {"table": table, "need_run": True},
                               {"guest": ["10000"], "arbiter": ["10000"]}, {}, None, tracker, store,
                               logging.getLogger("test"), models=None)  # (Reader has no models)
    return context, tracker


def test_the_named_table_becomes_the_output(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "storage"), workers=1)
    source = store.create_table("ns", "t", 2)
    source.put_all([("a", 1), ("b", 2)])
    context, tracker = _context(store, "guest", {"namespace": "ns", "name": "t"})
    reader.run(context)
    output = tracker.outputs["data"]
    assert (output.namespace, output.name) == ("output.20261201000000000001", "reader_0.guest.10000.data")
    assert sorted(output.collect()) == [("a", 1), ("b", 2)]
    assert tracker.metrics == [("reader", "table_info", [("count", 2), ("partitions", 2)])]


def test_a_party_without_a_table_has_no_output(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "storage"), workers=1)
    context, tracker = _context(store, "arbiter", {})
    reader.run(context)
    assert tracker.outputs == {} and tracker.metrics == []
