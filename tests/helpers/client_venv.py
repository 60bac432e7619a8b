"""A PyPI fate-client release in its own cached virtualenv, built once under a file lock.

fate-client declares its pipeline SDK's dependencies too (pandas, poetry, ...); `flow` needs only a
few, so the release is installed without dependencies and then exactly those. The virtualenv lives
beside this file (gitignored) and is reused by later sessions. The tests skip only when pip cannot
reach the package index; any other pip failure fails them.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
VENVS = HERE.parent / "compat"  # where the cached virtualenvs live (gitignored)
PIP_TIMEOUT = 600.0
# What pip prints when it cannot reach an index (not when the index lacks the package).
_UNREACHABLE = re.compile(r"NewConnectionError|ConnectTimeoutError|ReadTimeoutError|ProxyError|Max retries exceeded|"
                          r"Temporary failure in name resolution|Name or service not known|Network is unreachable")


@dataclasses.dataclass(frozen=True)
class ClientRelease:
    requirement: str  # e.g. "fate-client==1.11.3.post1"
    dependencies: tuple[str, ...]  # what its `flow` command imports
    venv: Path

    @property
    def flow(self) -> Path:
        return self.venv / "bin" / "flow"

    def _pip(self, *args: str) -> None:
        """pip install; skips the test when the index cannot be reached, fails it on any other error."""
        command = [str(self.venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--timeout", "20",
                   "--retries", "1", "--disable-pip-version-check", *args]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT)
        except subprocess.TimeoutExpired:
            shutil.rmtree(self.venv, ignore_errors=True)
            pytest.skip(f"pip could not install {self.requirement} within {PIP_TIMEOUT:.0f} s (no package index?)")
        if done.returncode == 0:
            return
        shutil.rmtree(self.venv, ignore_errors=True)
        output = done.stderr + done.stdout
        last = next((line for line in reversed(output.splitlines()) if line.strip()), "(no output)")
        if _UNREACHABLE.search(output):
            pytest.skip(f"pip cannot reach the package index for {self.requirement}: {last}")
        pytest.fail(f"pip install {' '.join(args)} failed: {last}")

    def build(self) -> Path:
        """The virtualenv with this release's `flow`: built unless a finished build is there."""
        marker = self.venv / "built.txt"
        self.venv.parent.mkdir(parents=True, exist_ok=True)
        with open(self.venv.parent / (self.venv.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be building it right now
            if marker.is_file() and self.flow.is_file():
                return self.venv
            shutil.rmtree(self.venv, ignore_errors=True)  # a build that did not finish
            made = subprocess.run([sys.executable, "-m", "venv", str(self.venv)], capture_output=True, text=True)
            if made.returncode != 0:
                pytest.fail(f"could not create the virtualenv {self.venv}: {made.stderr or made.stdout}")
            self._pip("--no-deps", self.requirement)
            self._pip(*self.dependencies)
            if not self.flow.is_file():
                pytest.fail(f"{self.requirement} installed no `flow` command in {self.venv / 'bin'}")
            marker.write_text(f"{self.requirement} {' '.join(self.dependencies)} {time.ctime()}\n")
            return self.venv


# fate-client 1.11's `flow` (FATE's HTTP signature since 1.7): its commands import click 7, requests,
# requests_toolbelt (multipart upload), ruamel.yaml < 0.17 and loguru (through the pipeline SDK).
FATE_CLIENT_1_11 = ClientRelease(
    "fate-client==1.11.3.post1",
    ("click==7.1.2", "requests>=2.24,<3", "requests_toolbelt>=0.9", "ruamel.yaml>=0.16.10,<0.17", "loguru>=0.6"),
    Path(os.environ.get("FATE_COMPAT_FLOW_111_VENV", VENVS / ".flow-venv-1.11")))
