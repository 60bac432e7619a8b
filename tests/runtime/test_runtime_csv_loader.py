"""CSV loading as FATE's upload does it: byte ranges, line endings, and the errors naming a line."""

from __future__ import annotations

import random
import re

import pytest

from fate_runtime.data import csv_loader
from fate_runtime.data.csv_loader import inspect_csv, load_csv
from fate_runtime.errors import BadRequest
from storage import Store


@pytest.fixture(params=["inline", "pool"])
def store(request, tmp_path):
    workers = 2 if request.param == "pool" else 1
    return Store(str(tmp_path / "data"), workers=workers)


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of a few dozen bytes, so most lines cross a chunk boundary."""
    monkeypatch.setattr(csv_loader, "_MIN_CHUNK", 0)
    monkeypatch.setattr(csv_loader, "_MAX_CHUNK", 37)


def _load(store: Store, path, head: int = 1, delimiter: str = ","):
    layout = inspect_csv(str(path), path.name, head, delimiter)
    table = store.staging(3, layout.schema())
    lines = load_csv(store, table, layout)
    return layout, table, lines


def test_rows_crossing_chunk_boundaries_load_exactly(store, tmp_path, tiny_chunks):
    rng = random.Random(5)
    rows = {str(i): ",".join(f"{rng.uniform(-9, 9):.{rng.randint(0, 9)}f}" for _ in range(4)) for i in range(400)}
    path = tmp_path / "data.csv"
    path.write_text("id,a,b,c,d\n" + "".join(f"{k},{v}\n" for k, v in rows.items()))
    layout, table, lines = _load(store, path)
    assert lines == 400
    assert dict(table.collect()) == rows
    assert layout.schema() == {"header": "a,b,c,d", "sid": "id", "delimiter": ","}


def test_crlf_bom_blank_lines_and_no_final_newline(store, tmp_path, tiny_chunks):
    path = tmp_path / "windows.csv"
    path.write_bytes(b"\xef\xbb\xbfid,x,y\r\n1,2,3\r\n\r\n2,4,5\r\n   \r\n3,6,7")
    layout, table, lines = _load(store, path)
    assert layout.header == ("id", "x", "y")
    assert dict(table.collect()) == {"1": "2,3", "2": "4,5", "3": "6,7"}
    assert lines == 3


def test_headless_single_column_and_other_delimiters(store, tmp_path):
    ids = tmp_path / "ids.csv"
    ids.write_text("a\nb\n\nc\n")
    layout, table, _ = _load(store, ids, head=0)
    assert layout.header is None and "header" not in layout.schema()
    assert dict(table.collect()) == {"a": "", "b": "", "c": ""}

    marked = tmp_path / "bom.csv"
    marked.write_bytes(b"\xef\xbb\xbf1,2\n3,4\n")
    _, table, _ = _load(store, marked, head=0)
    assert dict(table.collect()) == {"1": "2", "3": "4"}

    tabbed = tmp_path / "tabbed.tsv"
    tabbed.write_text("id\tx\ty\n1\t2\t3\n")
    _, table, _ = _load(store, tabbed, delimiter="\t")
    assert dict(table.collect()) == {"1": "2\t3"}


def test_duplicate_ids_store_one_row_each(store, tmp_path, tiny_chunks):
    path = tmp_path / "dups.csv"
    path.write_text("id,x\n" + "".join(f"{i % 10},{i}\n" for i in range(50)))
    _, table, lines = _load(store, path)
    assert lines == 50
    stored = dict(table.collect())
    assert sorted(stored) == [str(i) for i in range(10)]
    assert all(int(value) % 10 == int(key) for key, value in stored.items())


@pytest.mark.parametrize("content,line,words", [
    (b"id,x,y\n1,2,3\n2,3\n", 3, "has 2 columns, expected 3"),
    (b"id,x,y\n1,2,3\n\n\n4,5,6,7\n", 5, "has 4 columns, expected 3"),
    (b"id,x\n1,2\n,3\n", 3, "has an empty id"),
    (b"id,x\n1,2\n2,\xff\xfe\n", 3, "is not UTF-8 text"),
])
def test_bad_rows_name_their_line(store, tmp_path, tiny_chunks, content, line, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(BadRequest) as refused:
        _load(store, path)
    assert str(refused.value) == f"line {line} of file bad.csv {words}"


def test_first_bad_line_of_a_large_file_is_reported(store, tmp_path, tiny_chunks):
    rows = [f"{i},{i}" for i in range(300)]
    rows[120] = "120"
    rows[250] = "250,1,2"
    path = tmp_path / "late.csv"
    path.write_text("id,x\n" + "\n".join(rows) + "\n")
    with pytest.raises(BadRequest, match="^line 122 of file late.csv has 1 columns, expected 2$"):
        _load(store, path)


@pytest.mark.parametrize("content,words", [
    (b"", "is empty"),
    (b"\n  \n\n", "is empty"),
    (b"id,x,y\n", "has no data rows after its header"),
    (b"id,x,y\n\n\n", "has no data rows after its header"),
    (b"id,,y\n1,2,3\n", "has an empty column name in its header"),
    (b"\xff\xfeid\n1\n", "is not UTF-8 text (line 1)"),
])
def test_files_without_usable_content(tmp_path, content, words):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(BadRequest, match=re.escape(words)):
        inspect_csv(str(path), "f.csv", 1, ",")
