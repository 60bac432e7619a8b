"""Errors of the node's business logic; the gRPC layer turns each into one status code."""

from __future__ import annotations


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
