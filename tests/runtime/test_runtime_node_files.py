"""What a node holds on to while it runs: its data dir (a lock) and its local socket (a private folder)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from fate_runtime.errors import ConfigError
from fate_runtime.node.data_dir_lock import DataDirLock
from fate_runtime.errors import disk_full
from fate_runtime.node.local_socket import MAX_SOCKET_PATH, LocalSocket


def test_a_data_dir_is_held_by_one_node_at_a_time(tmp_path):
    first = DataDirLock(str(tmp_path / "data"))
    with pytest.raises(ConfigError) as caught:
        DataDirLock(str(tmp_path / "data"))
    assert str(caught.value) == (f"data dir {tmp_path / 'data'} is in use by another node (pid {os.getpid()}); "
                                 "stop it or choose another --data-dir")
    first.release()
    DataDirLock(str(tmp_path / "data")).release()  # free again once the first lets go


def test_the_lock_goes_with_the_process_that_held_it(tmp_path):
    """A node killed with SIGKILL leaves no stale lock behind (the kernel drops it with the process)."""
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from fate_runtime.node.data_dir_lock import "
                               "DataDirLock; held = DataDirLock(sys.argv[1]); print('held', flush=True); time.sleep(60)",
                               str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ConfigError, match=f"pid {holder.pid}"):
            DataDirLock(str(tmp_path))
    finally:
        holder.kill()
        holder.wait()
    DataDirLock(str(tmp_path)).release()


def test_the_local_socket_lives_in_a_folder_only_the_node_s_user_may_enter(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "run").mkdir(mode=0o777)
    socket = LocalSocket(str(data))
    assert socket.path == str(data / "run" / "node.sock") and socket.target == f"unix:{socket.path}"
    assert stat.S_IMODE(os.stat(socket.directory).st_mode) == 0o700
    open(socket.path, "w").close()
    socket.remove()
    assert not os.path.exists(socket.path) and os.path.isdir(socket.directory)


def test_a_data_dir_too_deep_for_a_socket_path_gets_a_private_temporary_folder(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    socket = LocalSocket(str(deep))
    assert len(socket.path) <= MAX_SOCKET_PATH and not socket.path.startswith(str(deep))
    assert stat.S_IMODE(os.stat(socket.directory).st_mode) == 0o700
    socket.remove()
    assert not os.path.exists(socket.directory)


def test_a_full_disk_is_one_sentence_naming_where():
    error = OSError(28, "No space left on device", "/data/fate_flow_data/jobs/1/job_dsl.json")
    assert disk_full(error) == ("no space left on the disk holding /data/fate_flow_data/jobs/1; "
                                "free some space and try again")
    wrapped = RuntimeError("upload failed")
    wrapped.__cause__ = error
    assert disk_full(wrapped) is not None
    assert disk_full(RuntimeError("mdb_put: No space left on device")) == (
        "no space left on the node's disk; free some space and try again")
    assert disk_full(sqlite3.OperationalError("database or disk is full")) is not None
    assert disk_full(OSError(13, "Permission denied")) is None
