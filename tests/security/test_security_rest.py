"""The REST layer's access control on real nodes: loopback by default, FATE's request signature beyond it
(our CLI and PyPI fate-client 1.11's `flow` sign; unsigned, forged, stale and replayed requests are refused
and change nothing), and HTTPS with the node's own certificate."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import requests

from compat_helpers import Flow
from flow_api.auth import Keys, sign, signed_headers
from integration_helpers import (BREAST_HEADER, HTTP_TIMEOUT, Node, ServerProcess, assert_refused, breast_rows,
                                 node_args, running_node, upload_conf, write_conf, write_csv)
from tls_files import make_tls_files

pytestmark = pytest.mark.integration

KEYS = Keys("security-app-key", "security-secret-0123456789")
SIGNING = {"FATE_FLOW_APP_KEY": KEYS.app_key, "FATE_FLOW_SECRET_KEY": KEYS.secret_key}
NS = "security_rest"


def keys_conf(path: Path, **settings: Any) -> Path:
    """A node conf file with the keys (the way the help recommends: not on the command line)."""
    return write_conf(path, {"http_app_key": KEYS.app_key, "http_secret_key": KEYS.secret_key, **settings})


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    base = tmp_path_factory.mktemp("signed-node")
    conf = keys_conf(base / "node.json")
    with running_node(base, [*node_args(base / "data", base / "files"), "--conf", str(conf)]) as started:
        yield started


def send(node: Node, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
    """A POST to the node as prepared by `requests` (what fate-client sends), with the given headers."""
    prepped = requests.Request("post", node.url + path, headers=headers, **kwargs).prepare()
    with requests.Session() as session:
        return session.send(prepped, timeout=HTTP_TIMEOUT)


def signed(node: Node, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A signed JSON POST's reply."""
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **signed_headers(KEYS, path.encode(), raw)}
    return send(node, path, headers=headers, data=raw).json()


def table_count(node: Node, name: str) -> int | None:
    reply = signed(node, "/v1/table/table_info", {"namespace": NS, "table_name": name})
    assert reply["retcode"] == 0, reply
    return None if reply["data"]["partition"] is None else reply["data"]["count"]


def history_jobs(node: Node) -> list[str]:
    reply = signed(node, "/v1/data/upload/history", {"limit": 1000})
    assert reply["retcode"] == 0, reply
    return [job for record in reply.get("data", []) for job in record]


def refused(response: requests.Response, sentence: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"retcode": 109, "retmsg": sentence}


def test_beyond_loopback_a_node_needs_both_keys_to_start(tmp_path: Path) -> None:
    """Nothing is started (no data dir) and the one line names the settings to add."""
    files = tmp_path / "files"
    files.mkdir()
    for extra, sentence in (
            (["--rest-host", "0.0.0.0"],
             "the REST layer on 0.0.0.0 is reachable beyond this machine, so it needs http_app_key and "
             "http_secret_key in the conf file (or --app-key and --secret-key)"),
            (["--rest-host", "0.0.0.0", "--app-key", "k"],
             "REST authentication needs both http_app_key and http_secret_key (--app-key, --secret-key)")):
        server = ServerProcess([*node_args(tmp_path / "data", files), *extra])
        try:
            assert server.proc.wait(60) == 2
        finally:
            server.kill()
        server.wait_ready_or_exit(10)
        assert server.match is None and server.output.strip() == f"fate-flow: {sentence}", server.output
        assert not (tmp_path / "data").exists()


def test_unsigned_forged_and_stale_requests_change_nothing(node: Node) -> None:
    csv = write_csv(node.files / "refused.csv", "id," + BREAST_HEADER, breast_rows(range(20)))
    conf = upload_conf(csv, NS, "refused")
    before = history_jobs(node)
    with csv.open("rb") as content:  # the multipart upload of `flow data upload`, unsigned
        refused(send(node, "/v1/data/upload", params=json.dumps(conf), files={"file": ("refused.csv", content)}),
                "the request has no TIMESTAMP header")
    refused(send(node, "/v1/data/upload", json=conf), "the request has no TIMESTAMP header")
    raw = json.dumps(conf).encode()
    json_type = {"Content-Type": "application/json"}
    forged = signed_headers(Keys(KEYS.app_key, "a guessed secret"), b"/v1/data/upload", raw)
    refused(send(node, "/v1/data/upload", headers={**json_type, **forged}, data=raw), "the SIGNATURE does not match")
    stale_time, nonce = str(round((time.time() - 300) * 1000)), "stale-nonce"
    stale = {"TIMESTAMP": stale_time, "NONCE": nonce, "APP_KEY": KEYS.app_key,
             "SIGNATURE": sign(KEYS.secret_key, stale_time, nonce, KEYS.app_key, b"/v1/data/upload", raw)}
    refused(send(node, "/v1/data/upload", headers={**json_type, **stale}, data=raw),
            "the request's TIMESTAMP is more than 60 s from the server's clock")
    other_key = signed_headers(Keys("someone-else", KEYS.secret_key), b"/v1/data/upload", raw)
    refused(send(node, "/v1/data/upload", headers={**json_type, **other_key}, data=raw),
            "the APP_KEY is not this node's app key")
    assert table_count(node, "refused") is None
    assert f"{NS}/refused" not in node.stored_tables()
    assert history_jobs(node) == before


def test_a_replayed_request_is_refused(node: Node) -> None:
    csv = write_csv(node.files / "replayed.csv", "id," + BREAST_HEADER, breast_rows(range(30)))
    raw = json.dumps(upload_conf(csv, NS, "replayed", drop=0)).encode()
    headers = {"Content-Type": "application/json", **signed_headers(KEYS, b"/v1/data/upload", raw)}
    first = send(node, "/v1/data/upload", headers=headers, data=raw).json()
    assert first["retcode"] == 0 and first["data"]["count"] == 30, first
    uploads = history_jobs(node)
    refused(send(node, "/v1/data/upload", headers=headers, data=raw), "the NONCE was used before")
    assert history_jobs(node) == uploads and table_count(node, "replayed") == 30


def test_our_cli_signs_its_requests(node: Node, tmp_path: Path) -> None:
    csv = write_csv(node.files / "cli.csv", "id," + BREAST_HEADER, breast_rows(range(40)))
    conf = write_conf(tmp_path / "upload.json", upload_conf(csv, NS, "cli"))
    code, reply = node.cli("-f", "upload", "-c", str(conf), env=SIGNING)
    assert code == 0 and reply["data"]["count"] == 40, reply
    code, info = node.cli("-f", "table_info", "-n", NS, "-t", "cli", "--app-key", KEYS.app_key,
                          "--secret-key", KEYS.secret_key)
    assert code == 0 and info["data"]["count"] == 40, info
    code, history = node.cli("-f", "upload_history", "-j", reply["jobId"], env=SIGNING)
    assert code == 0 and list(history["data"][0]) == [reply["jobId"]], history
    code, unsigned = node.cli("-f", "table_info", "-n", NS, "-t", "cli")
    assert code == 1
    assert_refused(unsigned, 109, "no TIMESTAMP header")


@pytest.fixture(scope="module")
def flow_111(tmp_path_factory: pytest.TempPathFactory) -> Flow:
    """fate-client 1.11.3.post1's `flow`, with this module's own copy of its settings."""
    return Flow("1.11", tmp_path_factory.mktemp("flow-111-home"), tmp_path_factory.mktemp("flow-111"))


def test_fate_client_1_11_flow_signs_and_works(node: Node, flow_111: Flow, tmp_path: Path) -> None:
    address = urlsplit(node.url)
    init = ["init", "--ip", str(address.hostname), "--port", str(address.port)]
    assert "initialized successfully" in flow_111.ok(*init, "--app-key", KEYS.app_key,
                                                     "--secret-key", KEYS.secret_key)["retmsg"]
    csv = write_csv(tmp_path / "flow.csv", "id," + BREAST_HEADER, breast_rows(range(25)))  # on the client side
    conf = write_conf(tmp_path / "upload.json", upload_conf(csv, NS, "flow_111"))
    uploaded = flow_111.ok("data", "upload", "-c", str(conf))  # multipart: the conf in the signed query string
    assert uploaded["data"]["count"] == 25, uploaded
    assert flow_111.ok("table", "info", "-n", NS, "-t", "flow_111")["data"]["count"] == 25
    flow_111.ok(*init, "--secret-key", "not-the-secret")
    code, reply = flow_111.run("table", "info", "-n", NS, "-t", "flow_111")
    assert code == 0 and reply == {"retcode": 109, "retmsg": "the SIGNATURE does not match"}, reply


def test_https_with_the_nodes_certificate(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path, "9999")
    conf = keys_conf(tmp_path / "node.json", rest_https=True, party_ids=["9999"], tls_cert=str(tls.cert),
                     tls_key=str(tls.key), tls_ca=str(tls.ca))
    with running_node(tmp_path, [*node_args(tmp_path / "data", tmp_path / "files"), "--conf", str(conf)]) as https:
        assert https.url.startswith("https://127.0.0.1:"), https.url
        csv = write_csv(https.files / "tls.csv", "id," + BREAST_HEADER, breast_rows(range(15)))
        upload = write_conf(tmp_path / "upload.json", upload_conf(csv, NS, "tls"))
        code, reply = https.cli("-f", "upload", "-c", str(upload), "--ca-file", str(tls.ca), env=SIGNING)
        assert code == 0 and reply["data"]["count"] == 15, reply
        trusting = {**SIGNING, "FATE_FLOW_CA_FILE": str(tls.ca)}
        code, info = https.cli("-f", "table_info", "-n", NS, "-t", "tls", env=trusting)
        assert code == 0 and info["data"]["count"] == 15, info
        code, untrusted = https.cli("-f", "table_info", "-n", NS, "-t", "tls", env=SIGNING)
        assert code == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted["retmsg"], untrusted


def _listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as /proc/net/tcp* gives them) of sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as listing:
            for line in list(listing)[1:]:
                fields = line.split()
                address, hex_port = fields[1].rsplit(":", 1)
                if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                    found.add(address)
    return found


def test_rest_stays_on_loopback_when_the_grpc_port_listens_everywhere(tmp_path: Path) -> None:
    """Attack 4: with --host 0.0.0.0 the REST layer used to listen on every interface too."""
    with running_node(tmp_path, [*node_args(tmp_path / "data", tmp_path / "files"), "--host", "0.0.0.0"]) as started:
        rest_port = urlsplit(started.url).port
        grpc_port = int(started.grpc_address.rsplit(":", 1)[1])
        assert rest_port is not None and urlsplit(started.url).hostname == "127.0.0.1"
        assert _listening_addresses(rest_port) == {"0100007F"}  # 127.0.0.1 only
        everywhere = {"00000000", "0" * 32}  # 0.0.0.0, or :: (dual stack)
        assert _listening_addresses(grpc_port) & everywhere  # while the peer port is on every interface
