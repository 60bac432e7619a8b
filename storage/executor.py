"""Runs per-partition work in a pool of worker processes.

The pool's processes are forked from a clean `forkserver` process, never from the caller:
the caller may hold gRPC threads and open LMDB environments, neither of which survives a
fork. They die with the process that created the pool (worker_lifeline). Work runs inline
when a worker itself asks for parallel work, when the caller says the job is too small to be
worth a process hop, or when worker processes could not start: like every non-fork start
method, forkserver re-imports the main module in each worker, which is impossible for a
script read from stdin. Scripts that use the store must keep their top-level work under
`if __name__ == "__main__":`.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence

from storage.codec import registered_modules
from storage.lmdb_env import environments
from storage.worker_lifeline import die_with, start_time

_PRELOAD = ["storage.operations"]


class WorkerDied(RuntimeError):
    """A worker process exited while running partition work."""


_in_worker = False
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def _start_worker(creator: int, creator_started: str | None) -> None:
    """Initialiser of each worker process: it is a worker, and dies with the process that created its pool."""
    global _in_worker
    _in_worker = True
    die_with(creator, creator_started)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def _main_importable() -> bool:
    """Whether worker processes can re-import the main module (they must, under forkserver)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                        initargs=(os.getpid(), start_time(os.getpid())))
            _pool_size = workers
        return _pool


def _discard_pool(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _ready() -> bool:
    return True


def prestart(workers: int) -> None:
    """Start the worker processes now, in the background, so the first parallel call does not wait."""
    if workers > 1 and not _in_worker and _main_importable():
        pool = _get_pool(workers)
        for _ in range(workers):
            pool.submit(_ready)


def shutdown() -> None:
    """Stop the worker processes (they are started again on the next parallel call)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


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


def run_all(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], workers: int, inline: bool = False
) -> list[Any]:
    """`[fn(*args) for args in calls]`, spread over `workers` processes unless `inline`."""
    if inline or _in_worker or workers <= 1 or len(calls) <= 1 or not _main_importable():
        return [fn(*args) for args in calls]
    pool = _get_pool(workers)
    try:
        futures = [pool.submit(_in_worker_process, fn, args, registered_modules()) for args in calls]
        wait(futures)  # every task has ended before anyone cleans up after a failed one
        return [future.result() for future in futures]
    except BrokenProcessPool as exc:
        _discard_pool(pool)
        raise WorkerDied("a storage worker process died while running partition work") from exc
