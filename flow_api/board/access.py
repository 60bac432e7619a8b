"""Who may open the board, and how.

The board follows the REST layer's rule, in the only way a browser can:

- Without app keys the REST layer takes unsigned requests (the node allows that only on a loopback bind), and so
  does the board: no login. The Host header must then name this machine (127.0.0.1, [::1] or localhost), so that
  a web page elsewhere cannot reach the board through a DNS name it points at 127.0.0.1.
- With app keys every REST request must carry FATE's signature, which a browser cannot make. The board then needs
  the node's board token instead: a random secret `fate-flow server` makes at each start and writes to
  <data dir>/run/board_token, which only the node's user can read. Opening /board/?token=<it> once sets a cookie
  (HttpOnly, SameSite=Strict, Secure over HTTPS, for /board only) and redirects to the page without the token;
  the cookie opens every board page and API call until the node restarts. A REST app made with keys but no board
  token refuses the board with a page that says so.
- Stopping a job (POST) needs more: the request's Origin header must be this server's own origin (browsers send
  it with every POST a page makes), so that a page of another site cannot stop jobs.

Refusals are HTTP 403 (401 for a missing or wrong token), a JSON envelope for the API and the event stream, a
short HTML page for the board's pages.
"""

from __future__ import annotations

import hmac
import html
import os
import secrets
from urllib.parse import urlencode

from flask import Request, Response, redirect
from werkzeug.wrappers import Response as BaseResponse

from flow_api.auth import AUTHENTICATION_ERROR
from flow_api.envelope import ApiError

COOKIE = "fate_board"
TOKEN_FILE = "board_token"  # in <data dir>/run
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "[::1]", "localhost"})


class BoardRefused(Exception):
    """A board request its access rule refuses; `status` is its HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _host_name(host: str) -> str:
    """The Host header without its port."""
    if host.startswith("["):
        return host[:host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class BoardAccess:
    """The board's access rule for a REST app: open (`signed` false), by `token`, or refused (signed, no token)."""

    def __init__(self, signed: bool, token: str | None) -> None:
        self.signed = signed
        self._token = token

    def _has_token(self, given: str | None) -> bool:
        return bool(self._token and given and hmac.compare_digest(given.encode(), self._token.encode()))

    def check(self, request: Request) -> BaseResponse | None:
        """None when the request may go on; a redirect that sets the cookie for a page opened with the token;
        BoardRefused otherwise."""
        if not self.signed:
            if _host_name(request.host.lower()) not in _LOOPBACK_HOSTS:
                raise BoardRefused(f"the board answers only at this machine's own names (127.0.0.1, [::1] or "
                                   f"localhost), not {request.host[:100]}", 403)
            return None
        if self._token is None:
            raise BoardRefused("this node requires signed REST requests, which a browser cannot make, and its board "
                               "has no token: start the node with fate-flow server to get one", 403)
        if self._has_token(request.cookies.get(COOKIE)):
            return None
        if self._has_token(request.args.get("token")):
            return self._cookie_redirect(request)
        raise BoardRefused("the board needs this node's board token: open /board/?token= followed by the text of "
                           f"<data dir>/run/{TOKEN_FILE} on the node", 401)

    def _cookie_redirect(self, request: Request) -> BaseResponse:
        """The same page without the token in its address, the cookie set."""
        rest = [(name, value) for name, value in request.args.items(multi=True) if name != "token"]
        response = redirect(request.path + ("?" + urlencode(rest) if rest else ""), code=303)
        response.set_cookie(COOKIE, self._token or "", httponly=True, samesite="Strict", secure=request.is_secure,
                            path="/board")
        return response


def new_board_token(data_dir: str) -> str:
    """A fresh board token, written to <data dir>/run/board_token where only the node's user can read it."""
    token = secrets.token_urlsafe(32)
    path = token_path(data_dir)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    partial = path + ".new"
    if os.path.lexists(partial):
        os.unlink(partial)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(token + "\n")
    os.replace(partial, path)
    return token


def token_path(data_dir: str) -> str:
    return os.path.join(data_dir, "run", TOKEN_FILE)


def check_same_origin(request: Request) -> None:
    """A request that changes something must come from a page of this server (its Origin header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        raise ApiError("stopping a job from the board needs the request's Origin header (a browser sends it)",
                       http_status=403)
    if origin != request.host_url.rstrip("/"):
        raise ApiError(f"a page of {origin[:100]} may not stop jobs on this node", http_status=403)


def refusal_page(message: str, status: int) -> Response:
    body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>FATE board: not open</title>"
            f"</head><body><h1>The board is not open</h1><p>{html.escape(message)}</p></body></html>")
    return Response(body, status=status, mimetype="text/html")


def refusal_reply(message: str, status: int) -> ApiError:
    return ApiError(message, AUTHENTICATION_ERROR, http_status=status)
