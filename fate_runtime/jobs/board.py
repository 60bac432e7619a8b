"""What the board reads that the flow API does not: the job list by status and a part of the id, every job change
as it happens, and a component's log from an offset (its live tail)."""

from __future__ import annotations

import os
import re
from typing import Iterator

from fate_runtime import identifiers
from fate_runtime.errors import BadRequest
from fate_runtime.jobs.component_queries import ComponentQueries
from fate_runtime.state.job_store import STATUSES, JobRecord, JobStore
from fate_runtime.tasks.job_changes import JobChanges, Subscription

DEFAULT_JOBS = 100
MAX_JOBS = 1000
DEFAULT_KEEPALIVE = 15.0
MAX_LOG_PIECE = 256 << 10
_JOB_ID_PART = re.compile(r"[0-9]{0,40}")


def _utf8_boundary(data: bytes) -> int:
    """The length of `data` without a UTF-8 sequence cut off at its end."""
    end = len(data)
    start = max(0, end - 3)
    for index in range(end - 1, start - 1, -1):
        byte = data[index]
        if byte & 0xC0 != 0x80:  # the first byte of a sequence (or ASCII)
            width = 1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            return end if index + width <= end else index
    return end


def log_piece(path: str, offset: int) -> tuple[str, int]:
    """Whole lines of the file at `path` from byte `offset` (at most MAX_LOG_PIECE bytes; a line longer than that
    comes in pieces), and the offset after them; nothing yet when the file does not exist."""
    if offset < 0:
        raise BadRequest(f"the log offset {offset} is negative")
    try:
        with open(path, "rb") as log_file:
            log_file.seek(offset)
            data = log_file.read(MAX_LOG_PIECE)
    except FileNotFoundError:
        return "", offset
    whole_lines = data.rfind(b"\n") + 1
    if whole_lines:
        data = data[:whole_lines]
    elif len(data) == MAX_LOG_PIECE:
        data = data[:_utf8_boundary(data)]
    else:
        data = b""  # a line still being written
    return data.decode("utf-8", "replace"), offset + len(data)


class BoardQueries:
    def __init__(self, jobs: JobStore, components: ComponentQueries, changes: JobChanges) -> None:
        self._jobs = jobs
        self._components = components
        self._changes = changes

    def search(self, status: str, job_id_part: str, limit: int) -> list[JobRecord]:
        if status and status not in STATUSES:
            raise BadRequest(f"status {identifiers.shown(status)} is not a job status ({', '.join(STATUSES)})")
        if not _JOB_ID_PART.fullmatch(job_id_part):
            raise BadRequest(f"{identifiers.shown(job_id_part)} is not a part of a job id (up to 40 digits)")
        if not 0 <= limit <= MAX_JOBS:
            raise BadRequest(f"the limit must be from 1 to {MAX_JOBS} (0: {DEFAULT_JOBS})")
        return self._jobs.search(status, job_id_part, limit or DEFAULT_JOBS)

    def subscribe(self) -> Subscription:
        return self._changes.subscribe()

    def unsubscribe(self, subscription: Subscription) -> None:
        self._changes.unsubscribe(subscription)

    def changes(self, subscription: Subscription, keepalive: float) -> Iterator[JobRecord | None]:
        """The rows of each job that changes, as it changes; None when nothing changed for `keepalive` seconds.
        Ends when the subscription is closed."""
        while (changed := subscription.next(keepalive or DEFAULT_KEEPALIVE)) is not None:
            if not changed:
                yield None
            for job_id in changed:
                yield from self._jobs.jobs({"job_id": job_id})

    def component_log(self, job_id: str, component: str, role: str, party_id: str, offset: int) -> tuple[str, int]:
        """A piece of the component's log on the party (its INFO.log, as the task writes it)."""
        self._components.module(job_id, component, role, party_id)
        path = os.path.join(self._jobs.logs_dir(job_id), role, party_id, component, "INFO.log")
        return log_piece(path, offset)
