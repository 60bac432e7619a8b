"""The compat tests' helpers: fate-client 1.6.0's `flow` in its own cached virtualenv.

fate-client 1.6.0 pins Flask 1 and Click 7, so it lives in its own virtualenv (never the
project's), built once by pip and kept in tests/compat/.flow-venv (gitignored; another place
with $FATE_COMPAT_FLOW_VENV). If pip cannot install it (no package index), the tests skip.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from integration_helpers import run_cli

HERE = Path(__file__).resolve().parent
FATE_CLIENT = "fate-client==1.6.0"
# fate-client 1.6.0 declares tensorflow, torch and more (for its pipeline SDK); `flow` needs only these.
FLOW_DEPENDENCIES = ("click==7.1.2", "requests", "requests_toolbelt==0.9.1", "ruamel.yaml<0.17", "loguru<0.6",
                     "flask<2", "jinja2<3.1", "markupsafe<2.1", "itsdangerous<2.1", "werkzeug<2.1", "urllib3<2")
FLOW_VENV = Path(os.environ.get("FATE_COMPAT_FLOW_VENV", HERE / ".flow-venv"))
BUILT_MARKER = "fate-client-1.6.0.built"
PIP_OPTIONS = ("--quiet", "--timeout", "20", "--retries", "1", "--disable-pip-version-check")
PIP_TIMEOUT = 600.0


def _pip(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", *PIP_OPTIONS, *args],
                          capture_output=True, text=True, timeout=PIP_TIMEOUT)


def _last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def build_flow_venv(venv: Path = FLOW_VENV) -> Path:
    """The virtualenv with fate-client 1.6.0's `flow`, built once (under a lock); skips if pip cannot install it."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / (venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be building it right now
        if (venv / BUILT_MARKER).is_file() and (venv / "bin" / "flow").is_file():
            return venv
        shutil.rmtree(venv, ignore_errors=True)  # a build that did not finish
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.fail(f"could not create the virtualenv {venv} for fate-client: {made.stderr or made.stdout}")
        for step in (("--no-deps", FATE_CLIENT), FLOW_DEPENDENCIES):
            try:
                done = _pip(venv, *step)
            except subprocess.TimeoutExpired:
                shutil.rmtree(venv, ignore_errors=True)
                pytest.skip(f"pip could not install {FATE_CLIENT} within {PIP_TIMEOUT:.0f} s (package index unreachable?)")
            if done.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                pytest.skip(f"pip could not install {' '.join(step)} (package index unreachable?): "
                            f"{_last_line(done.stderr or done.stdout)}")
        if not (venv / "bin" / "flow").is_file():
            pytest.fail(f"{FATE_CLIENT} installed no `flow` command in {venv / 'bin'}")
        (venv / BUILT_MARKER).write_text(f"{FATE_CLIENT} {time.ctime()}\n")
        return venv


class Flow:
    """The `flow` command of fate-client 1.6.0, with this session's own settings.yaml."""

    def __init__(self, venv: Path, home: Path) -> None:
        self.command = [str(venv / "bin" / "flow")]
        self.home = home  # holds this session's copy of the flow_client package
        self.env = {"PYTHONPATH": str(home), "PYTHONDONTWRITEBYTECODE": "1"}

    @property
    def settings(self) -> Path:
        return self.home / "flow_client" / "settings.yaml"

    def run(self, *args: str) -> tuple[int, dict[str, Any]]:
        """(exit code, the JSON reply flow printed)."""
        return run_cli(args, env=self.env, command=self.command)

    def ok(self, *args: str) -> dict[str, Any]:
        """Run flow and check it succeeded: exit code 0 and retcode 0."""
        code, reply = self.run(*args)
        assert code == 0 and reply["retcode"] == 0, f"flow {' '.join(args)}: exit {code}, reply {reply}"
        return reply


def ended(rows: list[dict[str, Any]]) -> dict[str, str]:
    """{role: f_status} of a job's rows."""
    return {row["f_role"]: row["f_status"] for row in rows}
