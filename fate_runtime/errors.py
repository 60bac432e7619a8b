"""Errors of the node's business logic; the gRPC layer turns each into one status code."""

from __future__ import annotations

import errno
import os


class ConfigError(ValueError):
    """A node setting that cannot work, named in the message."""


class FlowError(Exception):
    """A request the node refuses, with one short sentence saying why."""

    def __init__(self, message: str, job_id: str = "") -> None:
        super().__init__(message)
        self.job_id = job_id


class BadRequest(FlowError):
    """The request itself is wrong: a missing or invalid field, a refused path."""


class NotFound(FlowError):
    """The request names a table, job or file that does not exist."""


class Conflict(FlowError):
    """The request would overwrite something that already exists."""


class JobFailed(FlowError):
    """The job started and then failed."""


def missing_arguments(names: list[str]) -> BadRequest:
    return BadRequest("the following arguments are required: " + ", ".join(names))


class Forbidden(FlowError):
    """The calling party may not do this (TLS: the party its certificate names)."""


def disk_full(exc: BaseException) -> str | None:
    """One sentence when `exc` (or what caused it) is the disk running out of space; None otherwise."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen)
        if getattr(seen, "errno", None) == errno.ENOSPC or "No space left on device" in text \
                or "database or disk is full" in text:
            where = getattr(seen, "filename", None)
            place = f"the disk holding {os.path.dirname(str(where))}" if where else "the node's disk"
            return f"no space left on {place}; free some space and try again"
        seen = seen.__cause__ or seen.__context__
    return None
