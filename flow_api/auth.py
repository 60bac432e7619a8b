"""FATE-Flow's HTTP request signature (FATE 1.7+): an app key and a secret shared by client and node.

A signed request carries four headers: TIMESTAMP (milliseconds since the epoch), NONCE (any
string used once, FATE's clients send a UUID), APP_KEY, and SIGNATURE = base64(HMAC-SHA1(secret,
the lines TIMESTAMP, NONCE, APP_KEY, path[?query], the raw body of a JSON request, the sorted
urlencoded fields of a form)). A multipart upload signs neither its body nor its form: only its
path and query string, where FATE's clients put the upload conf.

Standard library only: the CLI signs with it too. The REST app checks every request with
`Authenticator.check_request` before any handler runs.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import heapq
import hmac
import re
import threading
import time
import uuid
from typing import TYPE_CHECKING, Callable, Iterable, Mapping
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

AUTHENTICATION_ERROR = 109  # FATE's retcode for a request that fails the signature check
WINDOW_SECONDS = 60
MAX_NONCE_LENGTH = 128
NONCE_CAPACITY = 100_000
HEADERS = ("TIMESTAMP", "NONCE", "APP_KEY", "SIGNATURE")
_MILLISECONDS = re.compile(r"[0-9]{1,15}")


class AuthenticationError(Exception):
    """A request refused by the signature check; the message names what is wrong in one sentence."""


@dataclasses.dataclass(frozen=True)
class Keys:
    app_key: str
    secret_key: str = dataclasses.field(repr=False)


def _bytes(text: str) -> bytes:
    """Header text as bytes (FATE's clients send ASCII; anything else simply fails to match)."""
    return text.encode("utf-8", "surrogatepass")


def sign(secret_key: str, timestamp: str, nonce: str, app_key: str, path_url: bytes, body: bytes = b"",
         form: bytes = b"") -> str:
    """The SIGNATURE of a request: base64 of HMAC-SHA1 over the signed lines, keyed with the secret."""
    message = b"\n".join([_bytes(timestamp), _bytes(nonce), _bytes(app_key), path_url, body, form])
    return base64.b64encode(hmac.new(_bytes(secret_key), message, hashlib.sha1).digest()).decode("ascii")


def form_text(fields: Iterable[tuple[str, str]]) -> bytes:
    """A form's signed line: its fields sorted and urlencoded as FATE's clients do."""
    return urlencode(sorted(fields), quote_via=quote, safe="-._~").encode("ascii")


def signed_headers(keys: Keys, path_url: bytes, body: bytes = b"", form: bytes = b"") -> dict[str, str]:
    """The four headers that sign a request now, with a fresh nonce."""
    timestamp, nonce = str(round(time.time() * 1000)), str(uuid.uuid4())
    return {"TIMESTAMP": timestamp, "NONCE": nonce, "APP_KEY": keys.app_key,
            "SIGNATURE": sign(keys.secret_key, timestamp, nonce, keys.app_key, path_url, body, form)}


@dataclasses.dataclass(frozen=True)
class SignedHeaders:
    """A request's four signature headers, read and checked."""

    timestamp: str
    nonce: str
    app_key: str
    signature: str

    @property
    def sent(self) -> float:
        """The TIMESTAMP in seconds."""
        return int(self.timestamp) / 1000


def read_headers(keys: Keys, headers: Mapping[str, str], now: float) -> SignedHeaders:
    """The signature headers, checked against the keys and the clock `now` (AuthenticationError names what is wrong)."""
    for name in HEADERS:
        if not headers.get(name):
            raise AuthenticationError(f"the request has no {name} header")
    signed = SignedHeaders(*(headers[name] for name in HEADERS))
    if not hmac.compare_digest(_bytes(signed.app_key), _bytes(keys.app_key)):
        raise AuthenticationError("the APP_KEY is not this node's app key")
    if not _MILLISECONDS.fullmatch(signed.timestamp):
        raise AuthenticationError("the request's TIMESTAMP is not a time in milliseconds")
    if abs(now - signed.sent) > WINDOW_SECONDS:
        raise AuthenticationError(f"the request's TIMESTAMP is more than {WINDOW_SECONDS} s from the server's clock")
    if len(signed.nonce) > MAX_NONCE_LENGTH:
        raise AuthenticationError(f"the NONCE is longer than {MAX_NONCE_LENGTH} characters")
    return signed


def verify_signature(keys: Keys, signed: SignedHeaders, path_url: bytes, body: bytes, form: bytes) -> None:
    """AuthenticationError unless the SIGNATURE is the one the secret gives for this request."""
    expected = sign(keys.secret_key, signed.timestamp, signed.nonce, signed.app_key, path_url, body, form)
    if not hmac.compare_digest(_bytes(signed.signature), expected.encode("ascii")):
        raise AuthenticationError("the SIGNATURE does not match")


class NonceCache:
    """The nonces of accepted requests, each kept until its request's TIMESTAMP leaves the window (<= 2 min).

    Nothing older is kept, and at most `capacity` nonces at once: beyond that a request is refused
    (only signed requests get here, so only a key holder can fill it).
    """

    def __init__(self, capacity: int = NONCE_CAPACITY, clock: Callable[[], float] = time.time) -> None:
        self._capacity = capacity
        self._clock = clock
        self._seen: set[str] = set()
        self._expiry: list[tuple[float, str]] = []  # a heap: the next nonce to forget first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def add(self, nonce: str, forget_at: float) -> None:
        """Remember `nonce` until `forget_at`; AuthenticationError if it is already known or the cache is full."""
        with self._lock:
            now = self._clock()
            while self._expiry and self._expiry[0][0] < now:
                self._seen.discard(heapq.heappop(self._expiry)[1])
            if nonce in self._seen:
                raise AuthenticationError("the NONCE was used before")
            if len(self._seen) >= self._capacity:
                raise AuthenticationError("the node has taken too many signed requests in the last two minutes; "
                                          "try again shortly")
            self._seen.add(nonce)
            heapq.heappush(self._expiry, (forget_at, nonce))


def signed_parts(request: Request) -> tuple[bytes, bytes, bytes]:
    """(path[?query], body, form) of a request as its client signed them.

    A JSON request signs its raw body and a urlencoded form its fields, as FATE does; a multipart
    upload signs neither. Any other body would go unsigned, so it is refused.
    """
    path_url = quote(request.path).encode("ascii") + (b"?" + request.query_string if request.query_string else b"")
    if request.mimetype == "multipart/form-data":
        return path_url, b"", b""
    if request.mimetype == "application/x-www-form-urlencoded":
        return path_url, b"", form_text(request.form.items())
    body = request.get_data(cache=True)
    if body and not request.is_json:
        raise AuthenticationError("a signed request's body must be JSON (Content-Type application/json)")
    return path_url, body, b""


class Authenticator:
    """Checks FATE's signature on every request of a REST app (its before_request hook)."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self._nonces = NonceCache()

    def check_request(self, request: Request) -> None:
        """Refuse (AuthenticationError) a request that is not signed with this node's keys, or is replayed.

        The headers are checked before the body is read; the nonce is remembered only once the signature matched.
        """
        headers = {name: request.headers.get(name, "") for name in HEADERS}
        signed = read_headers(self.keys, headers, time.time())
        verify_signature(self.keys, signed, *signed_parts(request))
        self._nonces.add(signed.nonce, signed.sent + WINDOW_SECONDS)
