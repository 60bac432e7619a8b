"""The compat tests' helpers: fate-client 1.6.0's `flow` in its own cached virtualenv.

fate-client 1.6.0 pins Flask 1 and Click 7, so it lives in its own virtualenv (never the
project's), built once by pip and kept in tests/compat/.flow-venv (gitignored; another place
with $FATE_COMPAT_FLOW_VENV). The tests skip only when pip cannot reach the package index.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from client_venv import ClientRelease
from integration_helpers import run_cli

HERE = Path(__file__).resolve().parent
FATE_CLIENT = "fate-client==1.6.0"
# fate-client 1.6.0 declares tensorflow, torch and more (for its pipeline SDK); `flow` needs only these.
FLOW_DEPENDENCIES = ("click==7.1.2", "requests", "requests_toolbelt==0.9.1", "ruamel.yaml<0.17", "loguru<0.6",
                     "flask<2", "jinja2<3.1", "markupsafe<2.1", "itsdangerous<2.1", "werkzeug<2.1", "urllib3<2")
FLOW_VENV = Path(os.environ.get("FATE_COMPAT_FLOW_VENV", HERE.parent / "compat" / ".flow-venv"))
FATE_CLIENT_1_6 = ClientRelease(FATE_CLIENT, FLOW_DEPENDENCIES, FLOW_VENV)


def build_flow_venv() -> Path:
    """The virtualenv with fate-client 1.6.0's `flow`, built once (under a lock); skips only when pip cannot
    reach the package index."""
    return FATE_CLIENT_1_6.build()


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
