"""Helpers shared by the storage tests.

Worker processes (forkserver) and spawned test processes import this module when a test
function refers to it, so it must stay light: no hypothesis, no pytest.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable

from storage import Store, encode, register_data_class
from storage.partitioner import partition_of
from strict_equality import same

WORKERS = 2
INLINE_ALWAYS = 10**9  # inline_rows above any table size used in the tests
MODES = ("inline", "pool")


@register_data_class("tests.storage.Point")
@dataclasses.dataclass
class Point:
    """A registered data class. Registered here, not in a test module: worker processes
    import every module that registered data classes, and this one is light."""

    x: int
    y: Any = None


def make_store(data_dir: Any, mode: str, **settings: Any) -> Store:
    """A store whose per-partition work runs in this process ("inline") or in workers ("pool")."""
    if mode not in MODES:
        raise ValueError(mode)
    inline_rows = INLINE_ALWAYS if mode == "inline" else 0
    return Store(str(data_dir), workers=WORKERS, inline_rows=inline_rows, **settings)


def destroy_all(store: Store) -> None:
    """Destroy every table of `store` (frees disk and this process's LMDB handles)."""
    for meta in store.list_tables():
        store.destroy(meta.namespace, meta.name)


# ---- reference model of a table ---------------------------------------------------


def partition_groups(ref: dict, partitions: int) -> dict[int, list[tuple[Any, Any]]]:
    """The pairs of `ref` grouped as a table of `partitions` holds them, each group in key-byte order."""
    groups: dict[int, list[tuple[bytes, Any, Any]]] = {}
    for key, value in ref.items():
        key_bytes = encode(key)
        groups.setdefault(partition_of(key_bytes, partitions), []).append((key_bytes, key, value))
    return {
        index: [(key, value) for _, key, value in sorted(group, key=lambda item: item[0])]
        for index, group in groups.items()
    }


def expected_partition_counts(keys: Iterable[Any], partitions: int) -> list[int]:
    counts = [0] * partitions
    for key in keys:
        counts[partition_of(encode(key), partitions)] += 1
    return counts


def collect_checked(table: Any) -> dict:
    """The table's contents as a dict, after checking it is internally consistent.

    Consistent: collect() yields no key twice, count() and partition_counts() agree with it,
    every key sits in the partition its encoding maps to, and get() finds every pair.
    """
    pairs = list(table.collect())
    result = dict(pairs)
    assert len(result) == len(pairs), "collect() yielded a key twice"
    assert table.count() == len(pairs)
    assert table.partition_counts() == expected_partition_counts(result, table.partitions)
    for key, value in pairs:
        assert same(table.get(key), value), key
    return result


def assert_table_equals(table: Any, expected: dict) -> None:
    actual = collect_checked(table)
    assert len(actual) == len(expected)
    for key, value in expected.items():
        assert key in actual, key
        assert same(actual[key], value), (key, actual[key], value)


# ---- process targets (run in spawned processes) -----------------------------------


def value_for(key: int, tag: str = "") -> str:
    return f"{tag}{key}:" + "v" * (key % 97)


def write_table_proc(data_dir: str, name: str, rows: int, batch: int, map_size: int, barrier: Any) -> None:
    """Create ns.<name> and fill it with `rows` rows in batches, after all writers reach `barrier`."""
    store = Store(data_dir, map_size=map_size, workers=WORKERS, inline_rows=INLINE_ALWAYS)
    table = store.create_table("ns", name, 4)
    barrier.wait(timeout=120)
    for start in range(0, rows, batch):
        table.put_all((key, value_for(key, name)) for key in range(start, min(rows, start + batch)))


def append_proc(data_dir: str, name: str, rows: int, batch: int, map_size: int, halfway: Any, resume: Any) -> None:
    """Fill an existing table in batches; at half way, signal `halfway` and wait for `resume`."""
    store = Store(data_dir, map_size=map_size, workers=WORKERS, inline_rows=INLINE_ALWAYS)
    table = store.table("ns", name)
    half = rows // 2
    for start in range(0, rows, batch):
        if start == half:
            halfway.set()
            if not resume.wait(timeout=120):
                raise RuntimeError("reader never resumed the writer")
        table.put_all((key, value_for(key)) for key in range(start, min(rows, start + batch)))


class CustomError(Exception):
    """An exception type only tests raise (importable, so it can cross processes)."""


def raise_custom(value: Any) -> Any:
    raise CustomError(f"bad value {value!r}")
