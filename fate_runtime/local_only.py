"""Services only the node's own parts may call: under TLS, callers must hold a certificate of a party this node serves.

The Flow service (behind the REST layer) and the Storage service act on this node's own data;
other organisations' nodes reach a node only through the Scheduler and Federation services.
"""

from __future__ import annotations

import functools
from typing import Any

import grpc

from federation.tls import peer_party


class LocalOnly:
    """Wraps a servicer: every RPC method first checks the caller's certificate."""

    def __init__(self, servicer: Any, local_parties: frozenset[str] | None) -> None:
        self._servicer = servicer
        self._local_parties = local_parties

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._servicer, name)
        if name.startswith("_") or not name[:1].isupper() or not callable(method):
            return method

        @functools.wraps(method)
        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            caller = peer_party(context)
            if caller is not None and self._local_parties is not None and caller not in self._local_parties:
                context.abort(grpc.StatusCode.PERMISSION_DENIED, f"party {caller} may not call {name} on this node")
            return method(request, context)

        return guarded
