"""The task zygote and its launcher: forked task processes, their exit codes, groups, logs and lifelines.

A task whose data dir holds a FIFO as node_runtime.json blocks in its first read: a task
process that stays alive until the test lets it go (or kills it).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from fate_runtime.node_runtime import FILE_NAME
from fate_runtime.tasks.launcher import LaunchError, TaskLauncher


def _args(data_dir: Path) -> list[str]:
    return ["--data-dir", str(data_dir), "--job-id", "20261201000000000001", "--component", "c", "--role", "guest", "--party-id", "1"]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def launcher() -> Iterator[TaskLauncher]:
    started = TaskLauncher()
    started.start()
    yield started
    started.close()


@pytest.fixture
def blocking_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "blocking"
    data_dir.mkdir()
    os.mkfifo(data_dir / FILE_NAME)
    return data_dir


def test_a_failing_task_reports_its_exit_code_and_writes_its_log(launcher: TaskLauncher, tmp_path: Path) -> None:
    log = tmp_path / "task_process.log"
    task = launcher.launch(["--data-dir", str(tmp_path)], str(log))  # argparse: required arguments missing
    assert task.wait(30) == 2
    assert task.poll() == 2
    assert "the following arguments are required: --job-id" in log.read_text()


def test_a_task_missing_its_node_file_exits_1(launcher: TaskLauncher, tmp_path: Path) -> None:
    log = tmp_path / "task_process.log"
    task = launcher.launch(_args(tmp_path), str(log))
    assert task.wait(30) == 1
    assert FILE_NAME in log.read_text()


def test_each_task_is_its_own_process_group_and_dies_with_it(launcher: TaskLauncher, blocking_dir: Path,
                                                             tmp_path: Path) -> None:
    tasks = [launcher.launch(_args(blocking_dir), str(tmp_path / f"log{i}")) for i in range(2)]
    assert tasks[0].pid != tasks[1].pid
    for task in tasks:
        assert os.getpgid(task.pid) == task.pid
        assert task.poll() is None
    os.killpg(tasks[0].pid, signal.SIGKILL)
    assert tasks[0].wait(30) == -signal.SIGKILL
    assert tasks[1].poll() is None and _alive(tasks[1].pid)
    os.killpg(tasks[1].pid, signal.SIGTERM)
    assert tasks[1].wait(30) == -signal.SIGTERM


def test_tasks_die_with_the_zygote_and_a_new_zygote_starts(launcher: TaskLauncher, blocking_dir: Path,
                                                           tmp_path: Path) -> None:
    task = launcher.launch(_args(blocking_dir), str(tmp_path / "log"))
    zygote_pid = _parent_of(task.pid)
    assert zygote_pid != os.getpid()
    os.kill(zygote_pid, signal.SIGKILL)
    assert task.wait(30) == -signal.SIGKILL
    assert _wait_until(lambda: not _alive(task.pid)), "the task outlived its zygote"
    again = launcher.launch(_args(blocking_dir), str(tmp_path / "log2"))
    assert _parent_of(again.pid) not in (zygote_pid, os.getpid())
    os.killpg(again.pid, signal.SIGKILL)
    assert again.wait(30) == -signal.SIGKILL


def test_closing_the_launcher_stops_the_zygote_and_its_tasks(blocking_dir: Path, tmp_path: Path) -> None:
    launcher = TaskLauncher()
    task = launcher.launch(_args(blocking_dir), str(tmp_path / "log"))
    zygote_pid = _parent_of(task.pid)
    launcher.close()
    assert _wait_until(lambda: not _alive(zygote_pid)), "the zygote outlived close()"
    assert _wait_until(lambda: not _alive(task.pid)), "the task outlived its zygote"
    assert task.wait(30) == -signal.SIGKILL


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[1])


def test_a_zygote_restarted_from_a_passing_thread_outlives_it(launcher: TaskLauncher, blocking_dir: Path,
                                                               tmp_path: Path) -> None:
    first = launcher.launch(_args(blocking_dir), str(tmp_path / "log1"))
    os.kill(_parent_of(first.pid), signal.SIGKILL)
    assert first.wait(30) == -signal.SIGKILL
    started = []
    thread = threading.Thread(target=lambda: started.append(launcher.launch(_args(blocking_dir), str(tmp_path / "l2"))))
    thread.start()
    thread.join(60)
    task = started[0]
    time.sleep(0.5)  # a parent-death signal tied to the ended thread would have killed the new zygote by now
    assert task.poll() is None and _alive(task.pid)
    os.killpg(task.pid, signal.SIGKILL)
    assert task.wait(30) == -signal.SIGKILL


def test_a_closed_launcher_refuses_to_launch(blocking_dir: Path, tmp_path: Path) -> None:
    launcher = TaskLauncher()
    launcher.close()
    with pytest.raises(LaunchError, match="stopping"):
        launcher.launch(_args(blocking_dir), str(tmp_path / "log"))
