"""A job's secret token on the wire: every call about a job carries it as the gRPC metadata key "job-token"."""

from __future__ import annotations

import grpc

JOB_TOKEN = "job-token"


def token_metadata(token: str) -> tuple[tuple[str, str], ...]:
    """The gRPC metadata of a call about a job: its token."""
    return ((JOB_TOKEN, token),)


def call_token(context: grpc.ServicerContext) -> str:
    """The job token a call carries ("" when it carries none)."""
    return next((str(value) for key, value in context.invocation_metadata() if key == JOB_TOKEN), "")
