"""Runs per-partition work in a pool of worker processes.

The pool's processes are forked from a clean `forkserver` process, never from the caller:
the caller may hold gRPC threads and open LMDB environments, neither of which survives a
fork. They die with the process that created the pool (worker_lifeline). Work runs inline
when a worker itself asks for parallel work, when the caller says the job is too small to be
worth a process hop, or when worker processes could not start: like every non-fork start
method, forkserver re-imports the main module in each worker, which is impossible for a
script read from stdin. Scripts that use the store must keep their top-level work under
`if __name__ == "__main__":`.

Under a budget (worker_slots: the processes of a node share one), a pool has one worker per slot it
could take when work came, and none - the work runs inline - when every slot was taken. An idle pool
takes more slots, when some are free and it has fewer than it may use, and gives all of them back
after IDLE_SECONDS without work, so that a task waiting on another party does not keep them.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver, reduction
from multiprocessing.context import ForkServerContext
from typing import Any, Callable, Sequence

from storage import worker_slots
from storage.codec import registered_modules
from storage.lmdb_env import environments
from storage.worker_lifeline import die_with, start_time

_PRELOAD = ["storage.operations"]
IDLE_SECONDS = 1.0  # a pool under a budget gives its slots back after this long without work (restarting costs ~20 ms)


class WorkerDied(RuntimeError):
    """A worker process exited while running partition work."""


class _InheritedSlots:
    """The pool's slot descriptors, duplicated into each worker as it is started (unpickled there as a tuple)."""

    def __init__(self, slots: Sequence[int]) -> None:
        self.slots = tuple(slots)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_held, tuple(reduction.DupFd(fd) for fd in self.slots))


def _held(*duplicates: Any) -> tuple[int, ...]:
    """In a worker: the slot descriptors it inherited, open until it exits."""
    return tuple(duplicate.detach() for duplicate in duplicates)


_in_worker = False


def _start_worker(creator: int, creator_started: str | None, slots: object) -> None:
    """Initialiser of each worker process: it is a worker, holds its pool's slots (`slots`: descriptors it leaves
    open) and dies with the process that created its pool."""
    global _in_worker
    _in_worker = True
    die_with(creator, creator_started)


def _context() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class _Pool:
    """Worker processes of this process: `workers` of them, or one per slot taken from the budget `budget`."""

    def __init__(self, workers: int, budget: str, slots: list[int]) -> None:
        self.key = (workers, budget)
        self.slots = slots
        self.size = len(slots) if budget else workers
        self.executor = ProcessPoolExecutor(max_workers=self.size, mp_context=_context(),
                                            initializer=_start_worker,
                                            initargs=(os.getpid(), start_time(os.getpid()), _InheritedSlots(slots)))
        self.users = 0
        self.idle_since = time.monotonic()

    def close(self, wait: bool) -> None:
        """Stop the workers and give the slots back (a slot stays taken until its workers have exited)."""
        self.executor.shutdown(wait=wait, cancel_futures=True)
        with _lock:
            slots, self.slots = self.slots, []
        worker_slots.give_back(slots)


_lock = threading.Lock()
_changed = threading.Condition(_lock)  # the pool was replaced, or has no users any more
_pool: _Pool | None = None


def _set_pool(pool: _Pool | None) -> None:
    global _pool
    _pool = pool
    _changed.notify_all()


def _acquire(workers: int, budget: str) -> _Pool | None:
    """The pool to run on, now in use (`_release` it); None: no slot is free, run inline."""
    with _lock:
        replaced = _pool if _pool is not None and _pool.key != (workers, budget) else None
        if replaced is not None:
            _set_pool(None)
        if _pool is None and not budget:
            _set_pool(_Pool(workers, budget, []))
        elif budget and (_pool is None or (_pool.users == 0 and _pool.size < workers)):
            _grow(workers, budget)
        pool = _pool
        if pool is not None:
            pool.users += 1
    if replaced is not None:
        replaced.close(wait=False)
    return pool


def _grow(workers: int, budget: str) -> None:
    """Take what free slots there are, up to `workers` in all, and start a pool on them (caller holds _lock).

    An idle pool with fewer slots than `workers` is rebuilt on its slots and the new ones, its old workers gone first.
    """
    held = _pool.slots if _pool is not None else []
    more = worker_slots.take(budget, workers - len(held))
    if not more:
        return
    if _pool is not None:
        _pool.executor.shutdown(wait=True)
        _pool.slots = []  # they go on with the new pool
    _set_pool(_Pool(workers, budget, held + more))
    threading.Thread(target=_close_when_idle, args=(_pool,), name="storage-pool-idle", daemon=True).start()


def _release(pool: _Pool) -> None:
    with _lock:
        pool.users -= 1
        if pool.users == 0:
            pool.idle_since = time.monotonic()
            _changed.notify_all()


def _close_when_idle(pool: _Pool) -> None:
    """Close `pool` once it has had no work for IDLE_SECONDS, unless it is replaced first (a thread per budget pool)."""
    with _lock:
        while _pool is pool:
            idle = time.monotonic() - pool.idle_since
            if pool.users == 0 and idle >= IDLE_SECONDS:
                _set_pool(None)
                break
            _changed.wait(IDLE_SECONDS - idle if pool.users == 0 else None)
        else:
            return
    pool.close(wait=True)


def _detach(pool: _Pool | None = None) -> _Pool | None:
    """Stop using the current pool (only if it is `pool`, when given); returns it, for the caller to close."""
    with _lock:
        current = _pool
        if current is None or (pool is not None and current is not pool):
            return None
        _set_pool(None)
        return current


def _main_importable() -> bool:
    """Whether worker processes can re-import the main module (they must, under forkserver)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


def _ready() -> bool:
    return True


def prestart(workers: int, budget: str = "") -> None:
    """Start the worker processes now, in the background, so the first parallel call does not wait.

    Under a budget only the forkserver they are forked from starts: workers take slots only while there is work.
    """
    if workers <= 1 or _in_worker or not _main_importable():
        return
    if budget:
        _context()
        forkserver.ensure_running()
        return
    pool = _acquire(workers, budget)
    assert pool is not None
    for _ in range(workers):
        pool.executor.submit(_ready)
    _release(pool)


def shutdown() -> None:
    """Stop the worker processes and give their slots back (they are started again on the next parallel call)."""
    pool = _detach()
    if pool is not None:
        pool.close(wait=True)


atexit.register(shutdown)


def _in_worker_process(fn: Callable[..., Any], args: tuple[Any, ...], modules: list[str]) -> Any:
    """Run one task in a worker, then close the environments it opened (tasks share nothing).

    `modules` are those that registered codec data classes in the caller: importing them
    here registers the same classes, so the task can decode their values.
    """
    for module in modules:
        if module not in sys.modules:
            try:
                importlib.import_module(module)
            except ImportError:  # not importable by name here: its classes stay unknown to this task
                pass
    try:
        return fn(*args)
    finally:
        environments.close_idle()


def run_all(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], workers: int, inline: bool = False,
            budget: str = "") -> list[Any]:
    """`[fn(*args) for args in calls]`, spread over `workers` processes unless `inline`.

    With a `budget` (a directory of worker slots), over as many workers as there are free slots, up to `workers`;
    in this process when there are none.
    """
    if inline or _in_worker or workers <= 1 or len(calls) <= 1 or not _main_importable():
        return [fn(*args) for args in calls]
    pool = _acquire(workers, budget)
    if pool is None:
        return [fn(*args) for args in calls]
    try:
        futures = [pool.executor.submit(_in_worker_process, fn, args, registered_modules()) for args in calls]
        wait(futures)  # every task has ended before anyone cleans up after a failed one
        return [future.result() for future in futures]
    except BrokenProcessPool as exc:
        broken = _detach(pool)
        if broken is not None:
            broken.close(wait=False)
        raise WorkerDied("a storage worker process died while running partition work") from exc
    finally:
        _release(pool)
