"""Server-side paths in requests stay inside the base dir and the allowed dirs."""

from __future__ import annotations

import os

import pytest

from fate_runtime.errors import BadRequest
from fate_runtime.paths import PathPolicy


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
