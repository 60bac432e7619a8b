"""One LMDB environment handle per partition path per process, with safe map growth.

py-lmdb refuses to open one environment twice in a process, and an environment must
not be resized while another thread of the process has a transaction on it; this module
owns both rules. A full map is doubled and the write retried; a map grown by another
process is adopted.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

import lmdb

DEFAULT_MAP_SIZE = 1 << 30
_DATA_FILE = "data.mdb"


class PartitionMissing(FileNotFoundError):
    """The partition's directory does not exist (its table was destroyed or never made)."""


class _SharedExclusiveLock:
    """Many transactions at once, or one resize alone."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._active = 0
        self._resizing = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._resizing:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                if self._active == 0:
                    self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._resizing or self._active:
                self._cond.wait()
            self._resizing = True
        try:
            yield
        finally:
            with self._cond:
                self._resizing = False
                self._cond.notify_all()


class PartitionEnv:
    """An open LMDB environment for one partition and its in-process guard."""

    def __init__(self, path: str, env: lmdb.Environment, inode: int) -> None:
        self.path = path
        self.env = env
        self.inode = inode
        self._guard = _SharedExclusiveLock()
        self._writer = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[lmdb.Transaction]:
        """A read transaction (values as bytes)."""
        while True:
            with self._guard.shared():
                try:
                    txn = self.env.begin(buffers=False)
                except lmdb.MapResizedError:
                    txn = None
                if txn is not None:
                    try:
                        yield txn
                    finally:
                        txn.abort()
                    return
            self._adopt_new_size()

    def write(self, pairs: list[tuple[bytes, bytes]], append: bool = False) -> int:
        """Put sorted-or-not (key, value) pairs in one transaction; grow the map if full."""
        return self._write(lambda txn: txn.cursor().putmulti(pairs, append=append)[1])

    def delete(self, key: bytes) -> bool:
        return self._write(lambda txn: txn.delete(key))

    def _write(self, action):  # type: ignore[no-untyped-def]
        with self._writer:
            while True:
                with self._guard.shared():
                    try:
                        with self.env.begin(write=True) as txn:
                            return action(txn)
                    except lmdb.MapFullError:
                        grow = True
                    except lmdb.MapResizedError:
                        grow = False
                if grow:
                    self._double_size()
                else:
                    self._adopt_new_size()

    def _double_size(self) -> None:
        with self._guard.exclusive():
            self.env.set_mapsize(self.env.info()["map_size"] * 2)

    def _adopt_new_size(self) -> None:
        with self._guard.exclusive():
            self.env.set_mapsize(0)

    def entries(self) -> int:
        with self._guard.shared():
            return self.env.stat()["entries"]

    def sync(self) -> None:
        with self._guard.shared():
            self.env.sync(True)


class _EnvCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, PartitionEnv] = {}
        self._pid = os.getpid()

    def get(self, path: str, create: bool, map_size: int) -> PartitionEnv:
        """The handle for `path`; reopened if the directory was replaced since."""
        with self._lock:
            if self._pid != os.getpid():  # inherited through fork: never reuse
                self._open = {}
                self._pid = os.getpid()
            inode = _data_inode(path)
            handle = self._open.get(path)
            if handle is not None and inode is not None and handle.inode == inode:
                return handle
            if handle is not None:
                handle.env.close()
                del self._open[path]
            if inode is None and not create:
                raise PartitionMissing(path)
            env = lmdb.open(
                path,
                map_size=map_size,
                subdir=True,
                create=create,
                sync=False,
                metasync=False,
                readahead=False,
                max_dbs=0,
                max_readers=1024,
            )
            handle = PartitionEnv(path, env, _data_inode(path) or 0)
            self._open[path] = handle
            return handle

    def close_under(self, directory: str) -> None:
        """Close every handle below `directory` (before it is removed or renamed)."""
        prefix = os.path.join(directory, "")
        with self._lock:
            for path in [p for p in self._open if p.startswith(prefix)]:
                self._open.pop(path).env.close()


def _data_inode(path: str) -> int | None:
    try:
        return os.stat(os.path.join(path, _DATA_FILE)).st_ino
    except FileNotFoundError:
        return None


environments = _EnvCache()
