"""A budget of worker slots shared by processes: never more workers than slots, slots back however a pool ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from process_sessions import GONE_WITHIN, forkservers_and_workers, kill_session, live_processes
from storage import Store, executor, make_worker_budget, worker_slots

_OWNER = textwrap.dedent("""
    import json, os, sys, time
    from storage import Store, executor, shutdown_workers

    def worker_pid(index):
        time.sleep(0.2)
        return os.getpid()

    if __name__ == "__main__":
        executor.IDLE_SECONDS = 600  # an idle pool keeps its slots: only shutting down or dying gives them back
        store = Store(sys.argv[1], workers=2, inline_rows=0, worker_slots=sys.argv[2])
        if sys.argv[3] == "prestart":
            store.start_workers()
        else:
            print(json.dumps(sorted(set(store.parallel(worker_pid, [(i,) for i in range(8)])))), flush=True)
        if sys.argv[3] == "shutdown":
            shutdown_workers()
        print("ready", flush=True)
        time.sleep(600)
""")


@pytest.fixture
def budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A budget of two slots; this process's pool keeps its slots while idle, and is shut down afterwards."""
    executor.shutdown()
    monkeypatch.setattr(executor, "IDLE_SECONDS", 600.0)
    yield make_worker_budget(str(tmp_path / "slots"), 2)
    executor.shutdown()


def soon(condition: Callable[[], object]) -> bool:
    """Whether `condition()` holds within GONE_WITHIN seconds."""
    deadline = time.monotonic() + GONE_WITHIN
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def free_slots(budget: str) -> int:
    """How many slots of `budget` are free now (taken and given back at once)."""
    taken = worker_slots.take(budget, 100)
    worker_slots.give_back(taken)
    return len(taken)


def budget_store(tmp_path: Path, budget: str) -> Store:
    return Store(str(tmp_path / "data"), workers=2, inline_rows=0, worker_slots=budget)


def pids_and_results(store: Store, name: str) -> tuple[set[int], bool]:
    """Map a table of 8 partitions (a slow map, so that every worker of the pool takes part): which processes
    ran it, and whether its results are right."""
    table = store.create_table("ns", name, 8)
    table.put_all((i, i) for i in range(16))
    ran = table.map_values(lambda v: (time.sleep(0.05), os.getpid())[1])
    plus_one = table.map_values(lambda v: v + 1)
    return set(dict(ran.collect()).values()), dict(plus_one.collect()) == {i: i + 1 for i in range(16)}


def all_workers() -> list[int]:
    """The worker processes of this process and of the processes it started (owners)."""
    return forkservers_and_workers(os.getpid())[1]


class Owner:
    """A process that takes slots of the budget for a pool of two workers (see _OWNER), in its own session."""

    def __init__(self, tmp_path: Path, budget: str, mode: str) -> None:
        script = tmp_path / "owner.py"
        script.write_text(_OWNER)
        self.proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "owner_data"), budget, mode],
                                     stdout=subprocess.PIPE, text=True, start_new_session=True, cwd=os.getcwd())
        assert self.proc.stdout is not None
        self.worker_pids = json.loads(self.proc.stdout.readline()) if mode != "prestart" else []
        assert self.proc.stdout.readline() == "ready\n"

    def live_workers(self) -> list[int]:
        live = {process.pid for process in live_processes()}
        return [pid for pid in self.worker_pids if pid in live]

    def stop(self) -> None:
        kill_session(self.proc.pid)
        self.proc.wait(10)


@pytest.fixture
def owners() -> Iterator[list[Owner]]:
    started: list[Owner] = []
    yield started
    for owner in started:
        owner.stop()


def test_make_worker_budget_sets_the_number_of_slots(tmp_path: Path) -> None:
    directory = str(tmp_path / "slots")
    assert make_worker_budget(directory, 3) == directory
    assert free_slots(directory) == 3
    held = worker_slots.take(directory, 1)
    make_worker_budget(directory, 2)  # a node restarted with fewer workers
    assert free_slots(directory) == 1  # the slot still held stays taken
    worker_slots.give_back(held)
    assert free_slots(directory) == 2
    make_worker_budget(directory, 0)
    assert free_slots(directory) == len(os.sched_getaffinity(0))


def test_without_a_budget_no_slot_is_free(tmp_path: Path) -> None:
    assert worker_slots.take(str(tmp_path / "none"), 2) == []


def test_two_processes_share_a_budget_of_two(tmp_path: Path, budget: str, owners: list[Owner]) -> None:
    owners.append(owner := Owner(tmp_path, budget, "hold"))
    assert len(owner.worker_pids) == 2 and owner.proc.pid not in owner.worker_pids
    assert len(forkservers_and_workers(owner.proc.pid)[1]) == 2
    assert free_slots(budget) == 0

    pids, right = pids_and_results(budget_store(tmp_path, budget), "t")
    assert pids == {os.getpid()}  # no slot left: inline, in this process
    assert right
    assert sorted(all_workers()) == owner.worker_pids  # two in all


def test_slots_come_back_when_the_pool_shuts_down(tmp_path: Path, budget: str, owners: list[Owner]) -> None:
    owners.append(owner := Owner(tmp_path, budget, "shutdown"))
    assert len(owner.worker_pids) == 2
    assert forkservers_and_workers(owner.proc.pid)[1] == []
    assert free_slots(budget) == 2

    pids, right = pids_and_results(budget_store(tmp_path, budget), "t")
    assert len(pids) == 2 and os.getpid() not in pids
    assert right
    assert len(all_workers()) == 2


def test_slots_come_back_when_the_pool_owner_is_killed(tmp_path: Path, budget: str, owners: list[Owner]) -> None:
    owners.append(owner := Owner(tmp_path, budget, "hold"))
    store = budget_store(tmp_path, budget)
    assert pids_and_results(store, "before") == ({os.getpid()}, True)

    for pid in owner.worker_pids:  # stopped, the workers cannot end yet when their owner is killed
        os.kill(pid, signal.SIGSTOP)
    owner.proc.kill()
    owner.proc.wait(10)
    assert free_slots(budget) == 0  # the slots go with the last of their processes, not with the owner
    for pid in owner.worker_pids:
        os.kill(pid, signal.SIGCONT)
    assert soon(lambda: free_slots(budget) == 2 and owner.live_workers() == [])

    pids, right = pids_and_results(store, "after")
    assert len(pids) == 2 and os.getpid() not in pids
    assert right


def test_a_pool_takes_more_slots_once_they_are_free(tmp_path: Path, budget: str) -> None:
    held = worker_slots.take(budget, 1)
    store = budget_store(tmp_path, budget)
    pids, right = pids_and_results(store, "one")
    assert len(pids) == 1 and os.getpid() not in pids and right
    assert len(all_workers()) == 1

    worker_slots.give_back(held)
    pids, right = pids_and_results(store, "two")
    assert len(pids) == 2 and os.getpid() not in pids and right
    assert len(all_workers()) == 2


def test_an_idle_pool_gives_its_slots_back(tmp_path: Path, budget: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "IDLE_SECONDS", 0.3)
    store = budget_store(tmp_path, budget)
    pids, _ = pids_and_results(store, "first")
    assert len(pids) == 2 and free_slots(budget) == 0
    assert soon(lambda: free_slots(budget) == 2)
    assert all_workers() == []

    pids, right = pids_and_results(store, "again")
    assert len(pids) == 2 and os.getpid() not in pids and right


def test_prestart_under_a_budget_starts_the_forkserver_and_takes_no_slot(tmp_path: Path, budget: str,
                                                                         owners: list[Owner]) -> None:
    owners.append(owner := Owner(tmp_path, budget, "prestart"))
    # (started, the forkserver may not have executed its command line yet)
    assert soon(lambda: forkservers_and_workers(owner.proc.pid)[0])
    forkservers, workers = forkservers_and_workers(owner.proc.pid)
    assert len(forkservers) == 1 and workers == []
    assert free_slots(budget) == 2
