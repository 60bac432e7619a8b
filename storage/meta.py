"""Table metadata: what a table is, kept as `meta.json` beside its partitions."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from typing import Any, Callable

from storage.errors import InvalidTableArgument, TableNotFound

META_FILE = "meta.json"
MAX_PARTITIONS = 1024
TEMP_NAMESPACE = "__temp__"
_MAX_NAME = 200


@dataclasses.dataclass
class TableMeta:
    """Partitions, schema (header, sid, label name, ...) and creation time of a table.

    `written_by` is an opaque label the publisher of this version of the table chose (e.g. the
    job that wrote it): whoever finds the table after a crash can tell whose write landed.
    """

    namespace: str
    name: str
    partitions: int
    schema: dict[str, Any] = dataclasses.field(default_factory=dict)
    create_time: float = 0.0
    written_by: str = ""

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "TableMeta":
        fields = json.loads(text)
        return cls(**{f.name: fields[f.name] for f in dataclasses.fields(cls) if f.name in fields})


def write_meta(directory: str, meta: TableMeta) -> None:
    """Write `meta.json` atomically (a reader sees the old file or the new one)."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".meta-")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(meta.to_json())
        os.replace(tmp, os.path.join(directory, META_FILE))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_meta(directory: str) -> TableMeta:
    with open(os.path.join(directory, META_FILE)) as src:
        return TableMeta.from_json(src.read())


def read_table_meta(directory: str, namespace: str, name: str) -> TableMeta:
    """The metadata of table namespace.name kept in `directory`; TableNotFound if there is none."""
    try:
        return read_meta(directory)
    except FileNotFoundError:
        raise TableNotFound(namespace, name) from None


def metas_under(root: str, namespace_dirs: list[str]) -> list[TableMeta]:
    """The metadata of every table in the given namespace folders of `root` (a folder not there has none)."""
    found = []
    for ns_dir in namespace_dirs:
        ns_path = os.path.join(root, ns_dir)
        if not os.path.isdir(ns_path):
            continue
        for name_dir in sorted(os.listdir(ns_path)):
            try:
                found.append(read_meta(os.path.join(ns_path, name_dir)))
            except FileNotFoundError:
                continue
    return found


def destroy_each(tables: list[TableMeta], destroy: Callable[[str, str], Any]) -> int:
    """destroy(namespace, name) for each table listed; returns how many there were (a namespace's removal)."""
    for meta in tables:
        destroy(meta.namespace, meta.name)
    return len(tables)


class MetaBacked:
    """A table handle whose namespace, name, partitions and schema are those of its `meta`."""

    meta: TableMeta

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.namespace!r}, {self.name!r}, partitions={self.partitions})"

    @property
    def namespace(self) -> str:
        return self.meta.namespace

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def partitions(self) -> int:
        return self.meta.partitions

    @property
    def schema(self) -> dict[str, Any]:
        return self.meta.schema


def check_name(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidTableArgument(f"table {kind} must be a non-empty string")
    if len(value) > _MAX_NAME or value in (".", "..") or any(ord(c) < 32 for c in value):
        raise InvalidTableArgument(f"table {kind} {value!r} is not allowed")
    return value


def check_partitions(partitions: Any) -> int:
    if isinstance(partitions, bool) or not isinstance(partitions, int):
        raise InvalidTableArgument("partition must be an integer")
    if not 1 <= partitions <= MAX_PARTITIONS:
        raise InvalidTableArgument(f"partition must be between 1 and {MAX_PARTITIONS}, got {partitions}")
    return partitions
