"""Worker processes (and the forkserver and resource tracker behind them) die with the process that made the pool."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from process_sessions import GONE_WITHIN, kill_session, session_processes, wait_until_gone
from storage.worker_lifeline import start_time

_POOL_OWNER = textwrap.dedent("""
    import os, sys, time
    from storage import Store

    def worker_pid(index):
        return os.getpid()

    if __name__ == "__main__":
        store = Store(sys.argv[1], workers=2, inline_rows=0)
        pids = set(store.parallel(worker_pid, [(i,) for i in range(8)]))
        assert os.getpid() not in pids
        print("ready", flush=True)
        time.sleep(600)
""")


def test_a_killed_pool_owner_leaves_no_process_behind(tmp_path):
    script = tmp_path / "owner.py"
    script.write_text(_POOL_OWNER)
    owner = subprocess.Popen([sys.executable, str(script), str(tmp_path / "data")], stdout=subprocess.PIPE,
                             text=True, start_new_session=True, cwd=os.getcwd())
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "ready\n"
        assert len(session_processes(owner.pid)) >= 4  # the owner, the forkserver, two workers (+ tracker)
        owner.kill()
        owner.wait(10)
        left = wait_until_gone(owner.pid)
        assert not left, f"still running {GONE_WITHIN:.0f} s after the pool's owner was killed: {left}"
    finally:
        kill_session(owner.pid)


def test_start_time_names_one_process():
    assert start_time(os.getpid()) == start_time(os.getpid()) is not None
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert start_time(child.pid) is None
