"""The compat tests' helpers: PyPI fate-client's `flow` (1.6.0 and 1.11.3.post1), each in its own cached virtualenv.

fate-client 1.6.0 pins Flask 1 and Click 7, so each release lives in its own virtualenv (never the project's),
built once by pip and kept in tests/compat/.flow-venv and .flow-venv-1.11 (gitignored; elsewhere with
$FATE_COMPAT_FLOW_VENV and $FATE_COMPAT_FLOW_111_VENV). The tests skip only when pip cannot reach the package index.
`flow init` writes the server address into settings.yaml inside the flow_client package, so each `Flow` runs with a
private copy of that package (first on PYTHONPATH): the cached virtualenv is never written to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from client_venv import FATE_CLIENT_1_11, ClientRelease
from integration_helpers import CLI_TIMEOUT, ROOT

HERE = Path(__file__).resolve().parent
# fate-client 1.6.0 declares tensorflow, torch and more (for its pipeline SDK); `flow` needs only these.
FLOW_DEPENDENCIES = ("click==7.1.2", "requests", "requests_toolbelt==0.9.1", "ruamel.yaml<0.17", "loguru<0.6",
                     "flask<2", "jinja2<3.1", "markupsafe<2.1", "itsdangerous<2.1", "werkzeug<2.1", "urllib3<2")
FLOW_VENV = Path(os.environ.get("FATE_COMPAT_FLOW_VENV", HERE.parent / "compat" / ".flow-venv"))
FATE_CLIENT_1_6 = ClientRelease("fate-client==1.6.0", FLOW_DEPENDENCIES, FLOW_VENV)
RELEASES = {"1.6": FATE_CLIENT_1_6, "1.11": FATE_CLIENT_1_11}
TOY = ROOT / "examples" / "toy_example"
TOY_DSL, TOY_CONF = TOY / "toy_example_dsl.json", TOY / "toy_example_conf.json"
TOY_COMPONENT = "secure_add_example_0"
PARTY = "10000"  # the toy example's guest and host
# What fate-client 1.11's pipeline SDK prints before every reply when torch is missing (`flow` does not need it).
TORCH_NOTICE = "Import torch failed"


class Flow:
    """The `flow` command of one fate-client release, with its own settings.yaml, run in `cwd` (where `flow job
    log` leaves its archive for a moment and `flow test toy` its logs)."""

    def __init__(self, version: str, home: Path, cwd: Path) -> None:
        venv = RELEASES[version].build()
        packages = sorted(venv.glob("lib/python*/site-packages/flow_client"))
        assert packages, f"no flow_client package in {venv}"
        shutil.copytree(packages[0], home / "flow_client", ignore=shutil.ignore_patterns("__pycache__"))
        self.version = version
        self.command = [str(venv / "bin" / "flow")]
        self.home = home  # holds this flow's copy of the flow_client package
        self.cwd = cwd
        self.env = {**os.environ, "PYTHONPATH": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
        self.env.pop("FATE_FLOW_SERVER", None)

    @property
    def settings(self) -> Path:
        return self.home / "flow_client" / "settings.yaml"

    def output(self, *args: str, cwd: Path | None = None) -> tuple[int, str]:
        """(exit code, what flow printed, without the pipeline SDK's notice about torch)."""
        done = subprocess.run([*self.command, *args], cwd=cwd or self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=CLI_TIMEOUT)
        printed = "".join(line for line in done.stdout.splitlines(keepends=True) if not line.startswith(TORCH_NOTICE))
        return done.returncode, printed

    def run(self, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
        """(exit code, the JSON reply flow printed)."""
        code, printed = self.output(*args, cwd=cwd)
        try:
            reply = json.loads(printed)
        except json.JSONDecodeError:
            pytest.fail(f"flow {' '.join(args)} did not print a JSON reply (exit {code}): {printed}")
        assert isinstance(reply, dict) and "retcode" in reply, reply
        return code, reply

    def ok(self, *args: str, cwd: Path | None = None) -> dict[str, Any]:
        """Run flow and check it succeeded: exit code 0 and retcode 0."""
        code, reply = self.run(*args, cwd=cwd)
        assert code == 0 and reply["retcode"] == 0, f"flow {' '.join(args)}: exit {code}, reply {reply}"
        return reply


def ended(rows: list[dict[str, Any]]) -> dict[str, str]:
    """{role: f_status} of a job's rows."""
    return {row["f_role"]: row["f_status"] for row in rows}


def submit(flow: Flow, conf: Path, dsl: Path) -> str:
    """`flow job submit`: the job's id."""
    reply = flow.ok("job", "submit", "-c", str(conf), "-d", str(dsl))
    job_id = reply["jobId"]
    assert job_id and reply["data"]["model_info"]["model_version"] == job_id, reply
    return job_id
