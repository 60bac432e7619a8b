"""Moving objects and whole tables between parties over gRPC: routes, TLS, remote/get."""

from federation.channels import MAX_MESSAGE, open_channel
from federation.client import FederationClient, Party
from federation.errors import FederationError, PeerUnreachable, TransferRefused, TransferTimeout
from federation.receiver import JobView, Receiver
from federation.routes import RouteTable, parse_route
from federation.sender import JOB_TOKEN, RetryPolicy
from federation.servicer import FederationServicer
from federation.tls import TlsConfig
from federation.transfers import TransferLog
from federation.variables import Declarations, TransferVariable

__all__ = [
    "JOB_TOKEN", "MAX_MESSAGE", "Declarations", "FederationClient", "FederationError", "FederationServicer", "JobView", "Party",
    "PeerUnreachable", "Receiver", "RetryPolicy", "RouteTable", "TlsConfig", "TransferLog", "TransferRefused",
    "TransferTimeout", "TransferVariable", "open_channel", "parse_route",
]
