"""Posting a JSON request to a FATE-Flow REST server and reading its envelope (standard library only)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

API_VERSION = "v1"
TIMEOUT_SECONDS = 3600


def _envelope(raw: bytes, status: int) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"retcode": 100, "retmsg": f"the server answered HTTP {status} with a body that is not JSON"}
    if not isinstance(body, dict):
        return {"retcode": 100, "retmsg": f"the server answered HTTP {status} with an unexpected body"}
    return body


def post_json(server: str, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body` to <server>/v1<endpoint>; connection problems become a retcode 100 reply."""
    url = f"{server.rstrip('/')}/{API_VERSION}{endpoint}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return _envelope(response.read(), response.status)
    except urllib.error.HTTPError as exc:
        return _envelope(exc.read(), exc.code)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            return {"retcode": 100, "retmsg": f"Connection refused, please check that the fate flow server "
                                              f"at {server} is started"}
        return {"retcode": 100, "retmsg": f"cannot reach the fate flow server at {server}: {reason}"}
    except (socket.timeout, TimeoutError):
        return {"retcode": 100, "retmsg": f"the fate flow server at {server} did not answer in time"}
    except ConnectionError as exc:
        return {"retcode": 100, "retmsg": f"the connection to the fate flow server at {server} failed: "
                                          f"{exc.strerror or type(exc).__name__}"}
