"""The security tests start real nodes with tests/integration's helpers (and use tests/jobs', tests/compat's and
tests/flow_api's), so those directories go on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
for helpers in ("integration", "jobs", "compat", "flow_api", "federation"):
    sys.path.insert(0, str(TESTS / helpers))
