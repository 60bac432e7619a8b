"""Every bad request gets a clear retcode and a one-sentence retmsg, and changes nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pytest

from integration_helpers import (ROOT, Node, assert_readable, assert_refused, upload_conf, write_conf,
                                 write_csv)

pytestmark = pytest.mark.integration

NS = "bad_input"
VICTIM = "victim"  # an existing table that bad uploads with drop 1 must leave alone
VICTIM_ROWS = 4
GOOD_HEADER = "id,a,b"


@pytest.fixture(scope="module")
def victim(node: Node) -> str:
    csv = write_csv(node.files / "victim.csv", GOOD_HEADER, ["1,1,1", "2,2,2", "3,3,3", "4,4,4"])
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "victim.json",
                                                                  upload_conf(csv, NS, VICTIM))))
    assert code == 0 and reply["retcode"] == 0, reply
    assert node.table_count(NS, VICTIM) == VICTIM_ROWS
    return VICTIM


class Unchanged:
    """What must be the same after a refused request: tables, counts, history, staging and spool."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.before = self._state()

    def _state(self) -> dict[str, Any]:
        node = self.node
        return {"tables": node.stored_tables(), "victim": node.table_count(NS, VICTIM),
                "history": len(node.history()), "staging": node.staging_entries(),
                "incoming": node.incoming_entries()}

    def check(self) -> None:
        assert self._state() == self.before


@pytest.fixture
def unchanged(node: Node, victim: str) -> Unchanged:
    """The node's state before the test; the test ends with `unchanged.check()`."""
    return Unchanged(node)


def _good_csv(node: Node) -> Path:
    return write_csv(node.files / "good.csv", GOOD_HEADER, ["10,1,2", "11,3,4", "12,5,6"])


def _outside_csv(node: Node) -> Path:
    return write_csv(node.outside / "outside.csv", GOOD_HEADER, ["10,1,2", "11,3,4"])


def _symlink_out(node: Node) -> Path:
    link = node.files / "link_to_outside.csv"
    if not link.is_symlink():
        link.symlink_to(_outside_csv(node))
    return link


def _ragged_line_7(node: Node) -> Path:
    rows = ["1,1,1", "2,2,2", "3,3,3", "4,4,4", "5,5,5", "6,6", "7,7,7", "8,8,8"]  # "6,6" is line 7
    return write_csv(node.files / "ragged7.csv", GOOD_HEADER, rows)


def _etc_file() -> str:
    for candidate in ("/etc/hostname", "/etc/passwd"):
        if os.path.isfile(candidate):
            return candidate
    pytest.skip("no readable file under /etc")


# name -> (conf given the node, retcode, words the retmsg must contain)
UploadCase = Callable[[Node], tuple[dict[str, Any], int, tuple[str, ...]]]
UPLOAD_CASES: dict[str, UploadCase] = {
    "missing head and partition": lambda n: (
        upload_conf(_good_csv(n), NS, "t", head=None, partition=None), 100, ("head", "partition")),
    "head 2": lambda n: (upload_conf(_good_csv(n), NS, "t", head=2), 100, ("head", "2")),
    "partition 0": lambda n: (upload_conf(_good_csv(n), NS, "t", partition=0), 100, ("partition", "0")),
    "partition 1025": lambda n: (upload_conf(_good_csv(n), NS, "t", partition=1025), 100, ("partition", "1025")),
    "partition abc": lambda n: (
        upload_conf(_good_csv(n), NS, "t", partition="abc"), 100, ("partition", "integer")),
    "file that does not exist": lambda n: (
        upload_conf(n.files / "no_such.csv", NS, "t"), 100, ("no_such.csv", "does not exist")),
    "file under /etc": lambda n: (upload_conf(_etc_file(), NS, "t"), 100, (_etc_file(), "outside")),
    "file in a directory not allowed": lambda n: (upload_conf(_outside_csv(n), NS, "t"), 100, ("outside",)),
    "relative path escaping the base dir": lambda n: (
        upload_conf(os.path.relpath(_outside_csv(n), ROOT), NS, "t"), 100, ("outside",)),
    "symlink out of the allowed dir": lambda n: (upload_conf(_symlink_out(n), NS, "t"), 100, ("outside",)),
    "ragged row at line 7": lambda n: (
        upload_conf(_ragged_line_7(n), NS, "t"), 100, ("line 7", "ragged7.csv", "columns")),
    "empty file": lambda n: (
        upload_conf(write_csv(n.files / "empty.csv", None, []), NS, "t"), 100, ("empty.csv", "empty")),
    "header-only file": lambda n: (
        upload_conf(write_csv(n.files / "header_only.csv", GOOD_HEADER, []), NS, "t"), 100,
        ("header_only.csv", "no data")),
    "work_mode 1 on a standalone node": lambda n: (
        upload_conf(_good_csv(n), NS, "t", work_mode=1), 100, ("work_mode", "standalone")),
}


@pytest.mark.parametrize("case", sorted(UPLOAD_CASES))
@pytest.mark.parametrize("target", ["new table", "existing table with drop 1"])
def test_bad_upload_is_refused_and_changes_nothing(node: Node, unchanged: Unchanged, case: str,
                                                   target: str) -> None:
    conf, retcode, words = UPLOAD_CASES[case](node)
    conf["table_name"] = "never_created" if target == "new table" else VICTIM
    args = ["-f", "upload", "-c", str(write_conf(node.files / "bad_upload.json", conf))]
    if target != "new table":
        args += ["-drop", "1"]
    code, reply = node.cli(*args)
    assert code == 1
    assert_refused(reply, retcode, *words)
    assert node.table_count(NS, "never_created") is None
    unchanged.check()


def test_ragged_row_near_the_end_of_a_large_file(node: Node, unchanged: Unchanged) -> None:
    rows = 220_000
    path = node.files / "large_ragged.csv"
    header = "id," + ",".join(f"x{i}" for i in range(10))
    values = ",".join(f"{0.1 * j:.6f}" for j in range(10))
    with path.open("w") as out:
        out.write(header + "\n")
        out.writelines(f"{i},{values}\n" for i in range(rows))
        out.write(f"{rows},1,2\n")  # ragged, a few lines before the end
        out.writelines(f"{i},{values}\n" for i in range(rows + 1, rows + 10))
    assert path.stat().st_size > 20 << 20  # several chunks for the parallel loader
    bad_line = rows + 2  # the header is line 1, id i is on line i + 2

    conf = upload_conf(path, NS, "large_ragged", partition=8)
    code, reply = node.cli("-f", "upload", "-c", str(write_conf(node.files / "large.json", conf)))
    assert code == 1
    assert_refused(reply, 100, f"line {bad_line}", "large_ragged.csv")
    assert node.table_count(NS, "large_ragged") is None
    assert node.staging_entries() == []
    unchanged.check()


def test_download_of_a_missing_table(node: Node, unchanged: Unchanged) -> None:
    out = node.files / "missing.csv"
    conf = {"output_path": str(out), "work_mode": 0, "namespace": NS, "table_name": "no_such_table"}
    code, reply = node.cli("-f", "download", "-c", str(write_conf(node.files / "download_missing.json", conf)))
    assert code == 1
    assert_refused(reply, 101, f"{NS}.no_such_table", "does not exist")
    assert not out.exists()
    unchanged.check()


@pytest.mark.parametrize("where", ["outside dir", "/etc"])
def test_download_outside_the_allowed_dirs(node: Node, unchanged: Unchanged, victim: str, where: str) -> None:
    """The REST form that names a path on the node (FATE's clients send it so; this project's CLI writes the
    file where it runs instead)."""
    out = node.outside / "stolen.csv" if where == "outside dir" else Path("/etc/fate_flow_test_stolen.csv")
    conf = {"output_path": str(out), "work_mode": 0, "namespace": NS, "table_name": victim}
    assert_refused(node.post("/v1/data/download", json=conf).json(), 100, "output_path", "outside")
    assert not out.exists()
    unchanged.check()


def test_download_work_mode_1_on_a_standalone_node(node: Node, unchanged: Unchanged, victim: str) -> None:
    out = node.files / "wm1.csv"
    conf = {"output_path": str(out), "work_mode": 1, "namespace": NS, "table_name": victim}
    code, reply = node.cli("-f", "download", "-c", str(write_conf(node.files / "download_wm1.json", conf)))
    assert code == 1
    assert_refused(reply, 100, "work_mode")
    assert not out.exists()
    unchanged.check()


ENDPOINTS = ["/v1/data/upload", "/v1/data/download", "/v1/data/upload/history", "/v1/table/table_info",
             "/v1/table/delete"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body,words", [
    (b'{"namespace": "bad_input", "table_name": ', ("not valid json",)),
    (b"{'namespace': 'bad_input'}", ("not valid json",)),
    (b"\xff\xfe{}", ("not valid json",)),
    (b'[{"namespace": "bad_input", "table_name": "victim"}]', ("json object",)),
    (b'"victim"', ("json object",)),
], ids=["truncated", "single quotes", "not utf-8", "array", "string"])
def test_malformed_json_bodies(node: Node, unchanged: Unchanged, endpoint: str, body: bytes,
                               words: tuple[str, ...]) -> None:
    response = node.post(endpoint, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert_refused(response.json(), 100, *words)
    unchanged.check()


@pytest.mark.parametrize("field,value,words", [
    ("partition", [3], ("partition", "integer")),
    ("head", {"h": 1}, ("head", "integer")),
    ("namespace", ["a"], ("namespace", "string")),
    ("partition", 2**40, ("partition", "range")),
])
def test_wrongly_typed_fields_posted_directly(node: Node, unchanged: Unchanged, field: str, value: Any,
                                             words: tuple[str, ...]) -> None:
    conf = upload_conf(_good_csv(node), NS, "never_created")
    conf[field] = value
    response = node.post("/v1/data/upload", json=conf)
    assert_refused(response.json(), 100, *words)
    unchanged.check()


def test_unknown_endpoint(node: Node, unchanged: Unchanged) -> None:
    response = node.post("/v1/data/no_such_function", json={})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert_refused(response.json(), 101, "/v1/data/no_such_function")
    unchanged.check()


def test_refusals_from_the_cli_itself(node: Node) -> None:
    code, reply = node.cli("-f", "upload", "-c", str(node.files / "no_such_conf.json"))
    assert code == 1
    assert_refused(reply, 100, "no_such_conf.json")
    broken = node.files / "broken_conf.json"
    broken.write_text('{"file": ')
    code, reply = node.cli("-f", "upload", "-c", str(broken))
    assert code == 1
    assert_refused(reply, 100, "broken_conf.json", "json")
    code, reply = node.cli("-f", "table_info", "-n", NS)
    assert code == 1
    assert_refused(reply, 100, "table_name")


def test_assert_readable_catches_leaks() -> None:
    """The retmsg check used above must catch what it is meant to catch."""
    for bad in ("Traceback (most recent call last):", "<_InactiveRpcError of RPC>",
                "StatusCode.INVALID_ARGUMENT", "line one\nline two"):
        with pytest.raises(AssertionError):
            assert_readable(bad)
