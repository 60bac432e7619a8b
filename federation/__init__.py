"""Moving objects and whole tables between parties over gRPC: routes, TLS, remote/get."""

from federation.channels import MAX_MESSAGE, open_channel, server_options
from federation.client import FederationClient, Party
from federation.errors import FederationError, JobEnded, PeerUnreachable, TransferRefused, TransferTimeout
from federation.receiver import JobView, Receiver
from federation.routes import RouteTable, parse_route
from federation.job_token import JOB_TOKEN, call_token, token_metadata
from federation.sender import RetryPolicy
from federation.servicer import FederationServicer
from federation.tls import TlsConfig
from federation.transfers import TransferRecords
from federation.variables import Declarations, TransferVariable

__all__ = [
    "JOB_TOKEN", "MAX_MESSAGE", "Declarations", "FederationClient", "FederationError", "FederationServicer",
    "JobEnded", "JobView", "Party", "PeerUnreachable", "Receiver", "RetryPolicy", "RouteTable", "TlsConfig",
    "TransferRecords", "TransferRefused", "TransferTimeout", "TransferVariable", "call_token", "open_channel",
    "parse_route", "server_options", "token_metadata",
]
