"""Server-side paths in requests stay inside the base dir and the allowed dirs."""

from __future__ import annotations

import os

import pytest

from fate_runtime.errors import BadRequest
from fate_runtime.data.paths import PathPolicy


@pytest.fixture
def dirs(tmp_path):
    base, allowed, outside = tmp_path / "base", tmp_path / "allowed", tmp_path / "outside"
    for directory in (base, allowed, outside):
        directory.mkdir()
    for directory in (base, allowed, outside):
        (directory / "data.csv").write_text("id\n1\n")
    (base / "escape.csv").symlink_to(outside / "data.csv")
    (base / "inside_link.csv").symlink_to(allowed / "data.csv")
    return base, allowed, outside, PathPolicy(str(base), (str(base), str(allowed)))


def test_relative_paths_resolve_against_the_base_dir(dirs):
    base, allowed, _, policy = dirs
    assert policy.readable_file("file", "data.csv") == str(base / "data.csv")
    assert policy.readable_file("file", str(allowed / "data.csv")) == str(allowed / "data.csv")
    assert policy.readable_file("file", "inside_link.csv") == str(allowed / "data.csv")
    assert policy.writable_file("output_path", "new.csv") == str(base / "new.csv")


@pytest.mark.parametrize("path", ["../outside/data.csv", "escape.csv", "/etc/hostname", "../base_evil/x.csv"])
def test_paths_leaving_the_allowed_dirs_are_refused(dirs, path):
    *_, policy = dirs
    with pytest.raises(BadRequest, match="outside the directories this node may use"):
        policy.readable_file("file", path)


def test_missing_files_directories_and_empty_paths(dirs):
    base, *_, policy = dirs
    with pytest.raises(BadRequest, match="does not exist"):
        policy.readable_file("file", "nope.csv")
    with pytest.raises(BadRequest, match="is not a regular file"):
        policy.readable_file("file", ".")
    with pytest.raises(BadRequest, match="must be a file path"):
        policy.readable_file("file", "")
    with pytest.raises(BadRequest, match="is a directory"):
        policy.writable_file("output_path", ".")
    with pytest.raises(BadRequest, match="the directory of output_path"):
        policy.writable_file("output_path", os.path.join("missing_dir", "x.csv"))


def test_the_node_s_own_files_are_refused_wherever_they_lie(tmp_path):
    """The data dir (database, tables, logs) and TLS files inside an allowed dir are still off limits."""
    base = tmp_path / "base"
    data = base / "fate_flow_data"
    (data / "storage").mkdir(parents=True)
    (data / "fate_flow.db").write_text("sqlite")
    key = base / "node.key"
    key.write_text("secret")
    (base / "to_db.csv").symlink_to(data / "fate_flow.db")
    policy = PathPolicy(str(base), (str(base),), own=(str(data), str(key), ""))
    for path in ("fate_flow_data/fate_flow.db", "fate_flow_data", "node.key", "to_db.csv", str(data / "x.csv")):
        with pytest.raises(BadRequest, match="one of the node's own files"):
            policy._resolve("file", path)
    with pytest.raises(BadRequest, match="one of the node's own files"):
        policy.writable_file("output_path", "fate_flow_data/fate_flow.db")
    with pytest.raises(BadRequest, match="one of the node's own files"):
        policy.readable_file("file", "node.key")
    (base / "fate_flow_data_other.csv").write_text("id\n1\n")  # a name that only starts like the data dir
    assert policy.readable_file("file", "fate_flow_data_other.csv") == str(base / "fate_flow_data_other.csv")


def test_download_writes_only_regular_files(dirs):
    base, *_, policy = dirs
    os.mkfifo(base / "pipe")
    with pytest.raises(BadRequest, match="output_path pipe is not a regular file"):
        policy.writable_file("output_path", "pipe")
