"""The REST layer's node settings (its own bind address, FATE's signature keys, HTTPS) and how the server applies
them."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from fate_runtime import ConfigError, NodeConfig
from fate_runtime.node.config import is_loopback
from flow_api.server_main import _parser, _settings, https_context, url_host
from flow_api_fakes import FakeFlow, HttpServer, job_ids, job_rows
from tls_files import TlsFiles, make_tls_files

BEYOND = ("the REST layer on 0.0.0.0 is reachable beyond this machine, so it needs http_app_key and "
          "http_secret_key in the conf file (or --app-key and --secret-key)")


def config(**settings: Any) -> NodeConfig:
    return NodeConfig.from_settings(settings)


def test_command_line_options_become_settings(tmp_path: Path) -> None:
    args = _parser().parse_args(["server", "--host", "0.0.0.0", "--rest-host", "127.0.0.2", "--rest-https",
                                 "--app-key", "k", "--secret-key", "s"])
    assert _settings(args) == {"host": "0.0.0.0", "rest_host": "127.0.0.2", "rest_https": True,
                               "http_app_key": "k", "http_secret_key": "s"}
    conf = tmp_path / "node.json"
    conf.write_text('{"rest_host": "0.0.0.0", "rest_https": true, "http_app_key": "k", "http_secret_key": "s"}')
    from_file = _settings(_parser().parse_args(["server", "--conf", str(conf)]))
    assert from_file == {"rest_host": "0.0.0.0", "rest_https": True, "http_app_key": "k", "http_secret_key": "s"}
    overridden = _settings(_parser().parse_args(["server", "--conf", str(conf), "--rest-host", "::1"]))
    assert overridden["rest_host"] == "::1" and overridden["rest_https"] is True


def test_rest_host_is_loopback_by_default_and_apart_from_host() -> None:
    node = config(host="0.0.0.0")
    assert node.rest_host == "127.0.0.1" and node.host == "0.0.0.0"
    assert not node.rest_https and not node.http_app_key


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LocalHost"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)
    assert config(rest_host=host).rest_host == host


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.1.2.3", "192.168.0.1", "fe80::1", "example.org",
                                  "localhost.example.org", "::ffff:127.0.0.1"])
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_beyond_loopback_the_keys_are_required() -> None:
    with pytest.raises(ConfigError) as refused:
        config(rest_host="0.0.0.0")
    assert str(refused.value) == BEYOND
    with pytest.raises(ConfigError, match="^the REST layer on example.org is reachable beyond this machine"):
        config(rest_host="example.org")
    assert config(rest_host="0.0.0.0", http_app_key="k", http_secret_key="s").http_app_key == "k"


@pytest.mark.parametrize("given", [{"http_app_key": "k"}, {"http_secret_key": "s"}])
def test_the_keys_come_in_pairs(given: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=r"^REST authentication needs both http_app_key and http_secret_key "
                                          r"\(--app-key, --secret-key\)$"):
        config(**given)


@pytest.mark.parametrize("settings, message", [
    ({"http_app_key": "k y", "http_secret_key": "s"}, "http_app_key must be printable ASCII without spaces"),
    ({"http_app_key": "k", "http_secret_key": "sécret"}, "http_secret_key must be printable ASCII without spaces"),
    ({"http_app_key": "k", "http_secret_key": 12345}, "http_secret_key must be a string$"),
    ({"rest_host": 1}, "rest_host must be a string, got 1"),
    ({"rest_https": "yes"}, "rest_https must be true or false, got 'yes'"),
    ({"rest_https": True}, r"rest_https needs the node's certificate and key \(--tls-cert, --tls-key\)"),
])
def test_bad_rest_settings(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config(**settings)


def test_the_secret_stays_out_of_the_configs_repr() -> None:
    node = config(http_app_key="the-app", http_secret_key="the-secret-value")
    assert "the-secret-value" not in repr(node) and "the-app" in repr(node)


def test_url_host_brackets_ipv6() -> None:
    assert (url_host("127.0.0.1"), url_host("::1"), url_host("localhost")) == ("127.0.0.1", "[::1]", "localhost")


# ---- HTTPS ------------------------------------------------------------------------------------


def test_a_key_that_is_not_the_certificates_is_a_config_error(tls: TlsFiles, tmp_path: Path) -> None:
    other = make_tls_files(tmp_path, "10000")
    node = NodeConfig(party_ids=("9999",), tls_cert=str(tls.cert), tls_key=str(other.key), tls_ca=str(tls.ca),
                      rest_https=True)
    with pytest.raises(ConfigError, match="^tls_cert and tls_key cannot serve HTTPS: "):
        https_context(node)


def test_a_silent_client_does_not_stall_the_https_server(https_server: HttpServer, tls: TlsFiles,
                                                         fake: FakeFlow) -> None:
    """The TLS handshake runs in each connection's thread: in werkzeug's accept loop, one client that never
    sends a byte would keep every other waiting."""
    fake.answers["QueryJob"] = job_rows({"job_id": "j1"})
    context = ssl.create_default_context(cafile=str(tls.ca))
    with socket.create_connection(("127.0.0.1", https_server.server.port)):
        with urllib.request.urlopen(https_server.url + "/v1/job/query", context=context, timeout=10) as reply:
            assert job_ids(json.loads(reply.read())["data"]) == ["j1"]
