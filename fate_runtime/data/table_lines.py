"""A table's rows as a download's text lines (download.py, and Spark's executors in spark_csv_export.py)."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import numpy as np


def render(value: Any, delimiter: str, stored_delimiter: str) -> str:
    """A stored value as the text after the id: its stored delimiter replaced, or its items joined."""
    if isinstance(value, str):
        return value if delimiter == stored_delimiter else value.replace(stored_delimiter, delimiter)
    if isinstance(value, (list, tuple, np.ndarray)):
        return delimiter.join(str(item) for item in value)
    return "" if value is None else str(value)


def table_lines(pairs: Iterable[tuple[Any, Any]], delimiter: str, stored_delimiter: str) -> Iterator[str]:
    """The download's line of each (key, value): `key<delimiter>value`, the value's stored delimiter replaced."""
    for key, value in pairs:
        rendered = render(value, delimiter, stored_delimiter)
        yield f"{key}{delimiter}{rendered}\n" if rendered else f"{key}\n"
