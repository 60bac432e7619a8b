"""Talking to a FATE-Flow REST server (standard library only): JSON requests, and archive downloads.

Every request is signed as FATE's clients sign them when the server has keys; https:// URLs are
checked against the given CA (or the system's). Connection problems never raise: they come back as
a retcode 100 reply, as FATE's client prints them.
"""

from __future__ import annotations

import dataclasses
import gzip
import http.client
import json
import os
import shutil
import socket
import ssl
import tarfile
import tempfile
import urllib.error
import urllib.request
import uuid
import zlib
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import urlencode

from flow_api.auth import Keys, signed_headers

API_VERSION = "v1"
# The header of a streamed download (/data/download/stream) that names its job: JSON with job_id, header_lines
# (the lines before the rows) and the job's files.
DOWNLOAD_HEADER = "X-Fate-Download"
TIMEOUT_SECONDS = 3600
_COPY_CHUNK = 1 << 20

Reply = dict[str, Any]
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Server:
    """A REST server as this client reaches it: its URL, the keys to sign with, the TLS context for https://."""

    url: str
    keys: Keys | None = None
    tls: ssl.SSLContext | None = None


class UnsafeArchive(Exception):
    """An archive member would land outside the target directory, or is not a plain file or directory."""


class ExtractError(Exception):
    """The archive is fine but its files cannot be written (permissions, a file in the way, a full disk)."""


def _envelope(raw: bytes, status: int) -> Reply:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"retcode": 100, "retmsg": f"the server answered HTTP {status} with a body that is not JSON"}
    if not isinstance(body, dict):
        return {"retcode": 100, "retmsg": f"the server answered HTTP {status} with an unexpected body"}
    return body


def _request(server: Server, endpoint: str, body: dict[str, Any], method: str) -> urllib.request.Request:
    data = json.dumps(body).encode()
    request = urllib.request.Request(f"{server.url.rstrip('/')}/{API_VERSION}{endpoint}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    if server.keys is not None:  # the selector is the path and query the request line will carry
        for name, value in signed_headers(server.keys, request.selector.encode("utf-8"), data).items():
            request.add_header(name, value)
    return request


def _exchange(server: Server, request: urllib.request.Request,
              on_response: Callable[[http.client.HTTPResponse], T]) -> T | Reply:
    """on_response(response) for a 2xx answer; an error status's JSON body or a connection problem as a reply."""
    url = server.url
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=server.tls) as response:
            return on_response(response)
    except urllib.error.HTTPError as exc:
        return _envelope(exc.read(), exc.code)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            return {"retcode": 100, "retmsg": f"Connection refused, please check that the fate flow server "
                                              f"at {url} is started"}
        return {"retcode": 100, "retmsg": f"cannot reach the fate flow server at {url}: {reason}"}
    except (socket.timeout, TimeoutError):
        return {"retcode": 100, "retmsg": f"the fate flow server at {url} did not answer in time"}
    except ssl.SSLError as exc:
        return {"retcode": 100, "retmsg": f"the TLS connection to the fate flow server at {url} failed: "
                                          f"{exc.reason or type(exc).__name__}"}
    except ConnectionError as exc:
        return {"retcode": 100, "retmsg": f"the connection to the fate flow server at {url} failed: "
                                          f"{exc.strerror or type(exc).__name__}"}
    except http.client.HTTPException as exc:  # e.g. IncompleteRead: the server cut the reply off
        return {"retcode": 100, "retmsg": f"the reply of the fate flow server at {url} was cut off "
                                          f"({type(exc).__name__})"}


def post_json(server: Server, endpoint: str, body: dict[str, Any]) -> Reply:
    """POST `body` to <server>/v1<endpoint>; connection problems become a retcode 100 reply."""
    return _exchange(server, _request(server, endpoint, body, "POST"),
                     lambda response: _envelope(response.read(), response.status))


def post_file(server: Server, endpoint: str, fields: dict[str, Any], path: str) -> Reply:
    """POST the file at `path` as the multipart field `file`, streamed from disk, with `fields` in the query string
    (which the signature covers, as it does not cover a multipart body). OSError when the file cannot be read."""
    boundary = uuid.uuid4().hex
    name = "".join(c for c in os.path.basename(path) if c.isprintable()).replace('"', "%22")
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    source = open(path, "rb")
    size = os.fstat(source.fileno()).st_size

    def body() -> Iterator[bytes]:
        with source:
            yield head
            while piece := source.read(_COPY_CHUNK):
                yield piece
            yield tail

    query = urlencode({name: str(value) for name, value in fields.items()})
    request = urllib.request.Request(
        f"{server.url.rstrip('/')}/{API_VERSION}{endpoint}?{query}", data=body(), method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                 "Content-Length": str(len(head) + size + len(tail))})
    if server.keys is not None:
        for header, value in signed_headers(server.keys, request.selector.encode("utf-8")).items():
            request.add_header(header, value)
    try:
        return _exchange(server, request, lambda response: _envelope(response.read(), response.status))
    finally:
        source.close()


def fetch_file(server: Server, endpoint: str, body: dict[str, Any], path: str,
               method: str = "POST") -> tuple[http.client.HTTPMessage | None, Reply]:
    """Send `body` and stream a file reply into `path` (overwritten).

    Returns (the reply's headers, {}) once the whole file is in `path`, or (None, reply) when the server
    answered with a JSON envelope (an error) or could not be reached, or the transfer broke off (then
    `path` may hold part of it). Failures to write `path` raise OSError.
    """

    def save(response: http.client.HTTPResponse) -> Reply | http.client.HTTPMessage:
        if response.headers.get_content_type() == "application/json":
            return _envelope(response.read(), response.status)
        with open(path, "wb") as target:
            shutil.copyfileobj(response, target, _COPY_CHUNK)
        return response.headers

    outcome = _exchange(server, _request(server, endpoint, body, method), save)
    if isinstance(outcome, http.client.HTTPMessage):
        return outcome, {}
    return None, outcome


def download(server: Server, endpoint: str, body: dict[str, Any], method: str = "GET") -> tuple[str | None, Reply]:
    """Send `body` (as FATE's client does: a GET with a JSON body) and stream a file reply to a temporary file.

    Returns (path, {}) for a file (the caller removes it), or (None, reply) when the server answered
    with a JSON envelope (an error) or could not be reached, or the transfer broke off.
    """
    handle, path = tempfile.mkstemp(prefix="fate_flow_", suffix=".tar.gz")
    os.close(handle)
    headers, reply = fetch_file(server, endpoint, body, path, method)
    if headers is not None:
        return path, {}
    os.unlink(path)
    return None, reply


def _check_member(member: tarfile.TarInfo, root: str) -> None:
    name = member.name.replace("\\", "/")
    if name.startswith("/") or os.path.isabs(member.name) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"the archive member {member.name!r} has an absolute path")
    if ".." in name.split("/"):
        raise UnsafeArchive(f"the archive member {member.name!r} points outside the output directory")
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchive(f"the archive member {member.name!r} is not a plain file or directory")
    target = os.path.realpath(os.path.join(root, name))
    if target != root and not target.startswith(root + os.sep):
        raise UnsafeArchive(f"the archive member {member.name!r} points outside the output directory")


def safe_extract(archive: str, directory: str) -> list[str]:
    """Extract a tar(.gz) into `directory` (created if needed); the member names, in archive order.

    Every member is checked before anything is written: absolute paths, '..' parts, links and
    special files refuse the whole archive (UnsafeArchive). A damaged archive raises
    tarfile.TarError, EOFError, zlib.error or OSError; a failure to write raises ExtractError.
    """
    root = os.path.realpath(directory)
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()  # reads the whole archive: damage shows here
        for member in members:
            _check_member(member, root)
        try:
            os.makedirs(root, exist_ok=True)
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: the standard library checks again
                tar.extractall(root, members=members, filter="data")
            else:
                tar.extractall(root, members=members)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
            raise
        except OSError as exc:
            raise ExtractError(f"cannot write into {directory}: {exc.strerror or exc}") from None
    return [member.name for member in members]
