"""Errors of federation, each one sentence naming the peer, the variable or the job at fault."""

from __future__ import annotations


class FederationError(Exception):
    """A transfer that could not be made."""


class TransferRefused(FederationError):
    """A push the receiver will not accept: unknown job, wrong party, undeclared variable."""


class PeerUnreachable(FederationError):
    """A peer that did not answer after the bounded retries."""


class TransferTimeout(FederationError):
    """A `get` that waited longer than its timeout."""


class JobEnded(FederationError):
    """A transfer of a job that has ended on the node that was asked."""
