"""Tables as an upload stores them (key = first column, value = the rest of the line, header in the schema), for
the component tests: loaded by the node's own CSV loader from a file or from lines written to one."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Sequence

from fate_runtime.data.csv_loader import inspect_csv, load_csv
from storage import Store, Table

DATA = Path("/work/shared/data")


def uploaded(store: Store, source: Path | Sequence[str], name: str = "", partitions: int = 4, head: int = 1,
             delimiter: str = ",", namespace: str = "uploaded") -> Table:
    """The table an upload of `source` (a CSV file, or its lines) makes in `store`."""
    if not isinstance(source, Path):
        path = Path(store.config.data_dir) / f"{uuid.uuid4().hex}.csv"
        path.write_text("".join(f"{line}\n" for line in source))
        source = path
    layout = inspect_csv(str(source), source.name, head, delimiter)
    table = store.create_table(namespace, name or uuid.uuid4().hex, partitions)
    load_csv(store, table, layout)
    table.set_schema(layout.schema())
    return table


def stored(store: Store, rows: dict[str, str], header: str | None = None, partitions: int = 3,
           namespace: str = "uploaded", sid: str = "id") -> Table:
    """A table holding `rows` (id -> the rest of the line) as an upload would, with `header` (the column names
    after the id, delimited) in its schema when given - also rows an upload refuses (ragged ones)."""
    table = store.create_table(namespace, uuid.uuid4().hex, partitions)
    table.put_all(rows.items())
    table.set_schema({"header": header, "sid": sid, "delimiter": ","} if header is not None else {"delimiter": ","})
    return table
