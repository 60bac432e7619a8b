"""One LMDB environment handle per partition path per process, with safe map growth.

py-lmdb refuses to open one environment twice in a process, and an environment must
not be resized while another thread of the process has a transaction on it; this module
owns both rules. A full map is doubled and the write retried; a map grown by another
process is adopted. At most `MAX_OPEN` environments stay open per process: the least
recently used idle ones are closed (their handle objects stay, and reopen on next use),
so a process that touches many tables does not run out of file descriptors.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import lmdb

from storage.errors import InvalidTableArgument, StorageError

DEFAULT_MAP_SIZE = 1 << 30
MAX_OPEN = 256
MAX_KEY_BYTES = 511
_DATA_FILE = "data.mdb"
_OPEN_ATTEMPTS = 20


class PartitionMissing(FileNotFoundError):
    """The partition's directory does not exist (its table was destroyed or never made)."""


def _open_env(path: str, map_size: int, create: bool) -> lmdb.Environment:
    for _ in range(_OPEN_ATTEMPTS):
        try:
            return lmdb.open(path, map_size=map_size, subdir=True, create=create, sync=False,
                             metasync=False, readahead=False, max_dbs=0, max_readers=1024)
        except lmdb.MapResizedError:
            continue  # another process grew the map while this one opened it: open again
        except lmdb.Error as exc:
            if not os.path.isdir(path):
                raise PartitionMissing(path) from exc
            raise
    raise StorageError(f"partition {path} kept changing size while being opened")


class PartitionEnv:
    """The handle of one partition's LMDB environment, opened on demand.

    Every use holds a share of the handle; growing the map, or closing the environment to
    free its descriptors, waits until no share is held.
    """

    def __init__(self, path: str, map_size: int, inode: int, on_open: Callable[[int], None]) -> None:
        self.path = path
        self.inode = inode
        self._map_size = map_size
        self._on_open = on_open
        self._env: lmdb.Environment | None = None
        self._cond = threading.Condition(threading.Lock())
        self._active = 0
        self._exclusive = False
        self._writer = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._env is not None

    def open(self, create: bool) -> None:
        with self._cond:
            self._ensure_open(create)

    def _ensure_open(self, create: bool = False) -> lmdb.Environment:
        if self._env is None:
            self._env = _open_env(self.path, self._map_size, create)
            self._on_open(1)
        return self._env

    @contextmanager
    def _shared(self) -> Iterator[lmdb.Environment]:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            env = self._ensure_open()
            self._active += 1
        try:
            yield env
        finally:
            with self._cond:
                self._active -= 1
                if self._active == 0:
                    self._cond.notify_all()

    @contextmanager
    def _alone(self) -> Iterator[lmdb.Environment]:
        with self._cond:
            while self._exclusive or self._active:
                self._cond.wait()
            env = self._ensure_open()
            self._exclusive = True
        try:
            yield env
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()

    def close_if_idle(self) -> bool:
        """Close the environment if no one uses it now; True if it was closed."""
        with self._cond:
            if self._env is None or self._active or self._exclusive:
                return False
            self._close_locked()
            return True

    def close(self) -> None:
        """Close now (the table is going away; users still reading will get an error)."""
        with self._cond:
            self._close_locked()

    def _close_locked(self) -> None:
        env, self._env = self._env, None
        if env is not None:
            env.close()
            self._on_open(-1)

    @contextmanager
    def reading(self) -> Iterator[lmdb.Transaction]:
        """A read transaction (values as bytes)."""
        while True:
            with self._shared() as env:
                try:
                    txn = env.begin(buffers=False)
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
        """Put (key, value) pairs in one transaction; grow the map if it is full."""
        try:
            return self._write(lambda txn: txn.cursor().putmulti(pairs, append=append)[1])
        except lmdb.BadValsizeError:
            raise InvalidTableArgument(f"keys can be at most {MAX_KEY_BYTES} bytes once encoded") from None

    def delete(self, key: bytes) -> bool:
        return self._write(lambda txn: txn.delete(key))

    def _write(self, action: Callable[[lmdb.Transaction], Any]) -> Any:
        with self._writer:
            while True:
                with self._shared() as env:
                    try:
                        with env.begin(write=True) as txn:
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
        with self._alone() as env:
            self._map_size = env.info()["map_size"] * 2
            env.set_mapsize(self._map_size)

    def _adopt_new_size(self) -> None:
        with self._alone() as env:
            env.set_mapsize(0)
            self._map_size = env.info()["map_size"]

    def entries(self) -> int:
        with self._shared() as env:
            return env.stat()["entries"]

    def sync(self) -> None:
        with self._shared() as env:
            env.sync(True)

    def copy_to(self, directory: str) -> None:
        """A consistent copy of this environment (one read transaction) into an existing empty directory.

        Written through an ordinary file descriptor: LMDB's own `copy(path)` writes with O_DIRECT, which
        leaves the copy's pages out of the page cache, and this store reads with readahead off, so the
        first reads of such a copy (the next append's copy of it) fault it in a page at a time.
        """
        fd = os.open(os.path.join(directory, _DATA_FILE), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with self._shared() as env:
                env.copyfd(fd)
        finally:
            os.close(fd)


class _EnvCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handles: OrderedDict[str, PartitionEnv] = OrderedDict()
        self._open_count = 0
        self._count_lock = threading.Lock()
        self._pid = os.getpid()

    def _count(self, delta: int) -> None:
        with self._count_lock:
            self._open_count += delta

    def get(self, path: str, create: bool, map_size: int) -> PartitionEnv:
        """The handle for `path`; a new one if the directory was replaced since."""
        with self._lock:
            if self._pid != os.getpid():  # inherited through fork: never reuse
                self._handles = OrderedDict()
                self._open_count = 0
                self._pid = os.getpid()
            if self._open_count > MAX_OPEN:
                self._close_idle(MAX_OPEN * 3 // 4)
            inode = _data_inode(path)
            handle = self._handles.get(path)
            if handle is not None and inode is not None and handle.inode == inode:
                self._handles.move_to_end(path)
                return handle
            if handle is not None:
                handle.close()
                del self._handles[path]
            if inode is None and not create:
                raise PartitionMissing(path)
            handle = PartitionEnv(path, map_size, 0, self._count)
            handle.open(create)
            handle.inode = _data_inode(path) or 0
            self._handles[path] = handle
            return handle

    def _close_idle(self, keep: int) -> None:
        for handle in list(self._handles.values()):
            if self._open_count <= keep:
                return
            handle.close_if_idle()

    def close_idle(self) -> None:
        """Close every environment not in use right now (they reopen when used again)."""
        with self._lock:
            self._close_idle(0)

    def close_under(self, directory: str) -> None:
        """Forget every handle below `directory` (before it is removed or renamed)."""
        prefix = os.path.join(directory, "")
        with self._lock:
            for path in [p for p in self._handles if p.startswith(prefix)]:
                self._handles.pop(path).close()


def _data_inode(path: str) -> int | None:
    try:
        return os.stat(os.path.join(path, _DATA_FILE)).st_ino
    except FileNotFoundError:
        return None


environments = _EnvCache()
