"""A tar.gz made as it is sent: members go out piece by piece, nothing is staged on disk or in memory.

Each member's size is known before its content (a tar header needs it): a file's size when it is
looked at (a log that grows meanwhile is cut there, one that shrinks is padded with zeros), or
a size the caller measured beforehand.
"""

from __future__ import annotations

import os
import stat
import tarfile
import time
import zlib
from typing import Callable, Iterable, Iterator

CHUNK = 1 << 20
_BLOCK = tarfile.BLOCKSIZE

Content = Callable[[], Iterable[bytes]]


def file_member(name: str, size: int, mtime: float | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time() if mtime is None else mtime)
    info.mode = 0o644
    return info


def _exactly(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """`pieces` cut or zero-padded to `size` bytes."""
    left = size
    for piece in pieces:
        if left <= 0:
            break
        piece = piece[:left]
        left -= len(piece)
        yield piece
    while left > 0:
        pad = min(left, CHUNK)
        left -= pad
        yield bytes(pad)


def tar_gz(members: Iterable[tuple[tarfile.TarInfo, Content | None]]) -> Iterator[bytes]:
    """The gzip-compressed tar of `members` ((info, content) pairs; content None for a directory), in chunks."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    pending: list[bytes] = []
    pending_size = 0

    def out(data: bytes) -> Iterator[bytes]:
        nonlocal pending_size
        packed = compressor.compress(data)
        if packed:
            pending.append(packed)
            pending_size += len(packed)
        if pending_size >= CHUNK:
            yield b"".join(pending)
            pending.clear()
            pending_size = 0

    for info, content in members:
        yield from out(info.tobuf(format=tarfile.PAX_FORMAT))
        if content is not None:
            for piece in _exactly(content(), info.size):
                yield from out(piece)
            yield from out(bytes(-info.size % _BLOCK))
    yield from out(bytes(2 * _BLOCK))
    pending.append(compressor.flush())
    yield b"".join(pending)


def _read(path: str, size: int) -> Content:
    def pieces() -> Iterator[bytes]:
        with open(path, "rb") as src:
            while size > src.tell() and (piece := src.read(min(CHUNK, size - src.tell()))):
                yield piece
    return pieces


def directory_members(root: str) -> Iterator[tuple[tarfile.TarInfo, Content | None]]:
    """Regular files and directories under `root`, named relative to it, in name order; links and
    special files are left out (never followed)."""
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        relative = os.path.relpath(directory, root)
        for name in sorted(subdirs) + sorted(files):
            path = os.path.join(directory, name)
            member = name if relative == "." else os.path.join(relative, name)
            try:
                found = os.lstat(path)
            except FileNotFoundError:  # removed while the archive is made
                continue
            if stat.S_ISDIR(found.st_mode):
                info = tarfile.TarInfo(member)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(found.st_mtime)
                yield info, None
            elif stat.S_ISREG(found.st_mode):
                yield file_member(member, found.st_size, found.st_mtime), _read(path, found.st_size)
