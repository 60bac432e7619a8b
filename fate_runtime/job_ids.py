"""Job ids in FATE's format: `%Y%m%d%H%M%S%f` followed by a process-wide counter."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime

_counter = itertools.count(1)
_lock = threading.Lock()


def new_job_id() -> str:
    with _lock:
        return datetime.now().strftime("%Y%m%d%H%M%S%f") + str(next(_counter))
