"""tar.gz archives made while they are sent: whole, in bounded pieces, never following links."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from fate_runtime.jobs.archive_stream import CHUNK, directory_members, file_member, tar_gz


def _open(pieces) -> tarfile.TarFile:
    return tarfile.open(fileobj=io.BytesIO(b"".join(pieces)), mode="r:gz")


def test_a_directory_tree_arrives_whole_with_names_relative_to_it(tmp_path):
    root = tmp_path / "logs"
    (root / "guest" / "9999" / "c_0").mkdir(parents=True)
    (root / "fate_flow_schedule.log").write_text("schedule\n")
    (root / "guest" / "9999" / "c_0" / "INFO.log").write_bytes(os.urandom(3 * CHUNK + 17))
    (root / "empty.log").write_bytes(b"")
    (root / "escape").symlink_to("/etc")
    (root / "passwd").symlink_to("/etc/passwd")
    with _open(tar_gz(directory_members(str(root)))) as tar:
        names = tar.getnames()
        assert set(names) == {"guest", "empty.log", "fate_flow_schedule.log", "guest/9999", "guest/9999/c_0",
                              "guest/9999/c_0/INFO.log"}  # the links are left out, not followed
        assert all(member.isfile() or member.isdir() for member in tar.getmembers())
        log = tar.extractfile("guest/9999/c_0/INFO.log")
        assert log is not None and log.read() == (root / "guest" / "9999" / "c_0" / "INFO.log").read_bytes()


def test_pieces_are_bounded_so_nothing_is_held_whole(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(8 * CHUNK))
    sizes = [len(piece) for piece in tar_gz(directory_members(str(tmp_path)))]
    assert len(sizes) >= 6 and max(sizes) < 2 * CHUNK + (1 << 16), sizes


def test_a_member_that_changes_size_meanwhile_keeps_the_size_its_header_gave():
    grew = file_member("grew.txt", 4)
    shrank = file_member("shrank.txt", 6)
    with _open(tar_gz([(grew, lambda: [b"ab", b"cdef"]), (shrank, lambda: [b"xyz"])])) as tar:
        assert tar.extractfile("grew.txt").read() == b"abcd"
        assert tar.extractfile("shrank.txt").read() == b"xyz\0\0\0"


@pytest.mark.parametrize("count", [0, 1])
def test_an_empty_archive_and_a_single_member_are_valid(count):
    members = [(file_member("a", 1), lambda: [b"a"])][:count]
    with _open(tar_gz(members)) as tar:
        assert len(tar.getnames()) == count
