"""`fate-flow server`: start a node (gRPC services) and the REST layer in front of it."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import ssl
import sys
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from fate_runtime import ConfigError, load_conf_file
from flow_api import demo
from flow_api.app import create_app
from flow_api.auth import Keys
from flow_api.board.access import new_board_token, token_path

if TYPE_CHECKING:
    from fate_runtime import Node
    from fate_runtime.node.config import NodeConfig


TRUST_MODEL = """\
security (README, "Security model"):
  REST API      --rest-host, loopback by default; any other address needs --app-key/--secret-key
                (FATE's request signature); --rest-https adds TLS with the node's certificate.
  local socket  <data dir>/run/node.sock: the node's own services (tables, jobs, logs) for its REST
                layer and task processes only; other users of the machine cannot enter its folder.
  peer port     --host:--grpc-port: only the job control plane and federation pushes for other
                parties. With --tls-cert/--tls-key/--tls-ca (mutual TLS) every call is tied to the
                party its certificate names: only a job's initiator drives it, a party sends only
                as itself. Without TLS a call about a job needs only the job's secret token, which
                travels in clear text: keep such a port on a network the parties trust.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fate-flow", description="Run a FATE-Flow compatible node.")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="start a node: gRPC services and the REST API", epilog=TRUST_MODEL,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    server.add_argument("--conf", help="JSON file with any of the settings below (options win over it)")
    server.add_argument("--standalone", action="store_true", help="one node hosts every party (work_mode 0)")
    server.add_argument("--data-dir", dest="data_dir", help="where tables, jobs and logs live")
    server.add_argument("--host", help="address the gRPC port for other parties listens on (default 127.0.0.1)")
    server.add_argument("--rest-host", dest="rest_host",
                        help="address the REST API listens on (default 127.0.0.1: this machine only; "
                             "any other address needs the app key and secret key)")
    server.add_argument("--grpc-port", dest="grpc_port", type=int, help="gRPC port (default 9360; 0 picks one)")
    server.add_argument("--http-port", dest="http_port", type=int, help="REST port (default 9380; 0 picks one)")
    server.add_argument("--base-dir", dest="base_dir",
                        help="where relative file paths in requests resolve (default: the current directory)")
    server.add_argument("--allow-dir", dest="allow_dirs", action="append",
                        help="another directory upload may read and download may write (repeatable)")
    server.add_argument("--map-size", dest="map_size", type=int, help="initial LMDB map size per partition, bytes")
    server.add_argument("--workers", type=int, help="worker processes for partition work (default: CPU count)")
    server.add_argument("--computing", choices=("lmdb", "spark"),
                        help="the backend of jobs and uploads that name none (default lmdb; spark needs "
                             "--spark-storage-dir)")
    server.add_argument("--spark-master", dest="spark_master", metavar="MASTER",
                        help="Spark's master: local[N] (default local[2]) or spark://HOST:PORT of a standalone cluster")
    server.add_argument("--spark-storage-dir", dest="spark_storage_dir", metavar="DIR",
                        help="where Spark tables live: a directory every Spark executor can read and write")
    server.add_argument("--party-id", dest="party_ids", action="append",
                        help="a party id this node serves (cluster mode; repeatable)")
    server.add_argument("--route", dest="routes", action="append", metavar="PARTY_ID=HOST:PORT",
                        help="where another party's node listens for gRPC (repeatable)")
    server.add_argument("--tls-cert", dest="tls_cert", help="this node's certificate (PEM) for mutual TLS")
    server.add_argument("--tls-key", dest="tls_key", help="the certificate's private key (PEM)")
    server.add_argument("--tls-ca", dest="tls_ca", help="the CA certificate that signed every node's certificate")
    server.add_argument("--rest-https", dest="rest_https", action="store_true", default=None,
                        help="serve the REST API over HTTPS with the node's --tls-cert and --tls-key")
    server.add_argument("--app-key", dest="http_app_key",
                        help="FATE's http_app_key: every REST request must be signed with it and the secret key")
    server.add_argument("--secret-key", dest="http_secret_key",
                        help="FATE's http_secret_key; other users of this machine can read command lines, "
                             "so better give http_secret_key in the --conf file")
    demo_command = commands.add_parser("demo", help="run FATE's hetero LR example on nodes started for it",
                                       description=demo.__doc__)
    demo.add_arguments(demo_command)
    return parser


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_conf_file(args.conf) if args.conf else {}
    for name in ("data_dir", "host", "grpc_port", "http_port", "base_dir", "allow_dirs", "map_size", "workers",
                 "party_ids", "tls_cert", "tls_key", "tls_ca", "rest_host", "rest_https", "http_app_key",
                 "http_secret_key", "computing"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    for name in ("master", "storage_dir"):
        value = getattr(args, f"spark_{name}")
        if value is not None and isinstance(settings.setdefault("spark", {}), dict):  # (else the check names it)
            settings["spark"][name] = value
    if args.routes:
        settings["routes"] = [*_route_texts(settings.get("routes", {})), *args.routes]
    if args.standalone:
        settings["work_mode"] = 0
    elif settings.get("party_ids") and "work_mode" not in settings:
        settings["work_mode"] = 1
    return settings


def _route_texts(routes: Any) -> list[str]:
    """Routes from a conf file (a {party: address} object or ["party=address", ...]) as strings."""
    if isinstance(routes, dict):
        return [f"{party}={address}" for party, address in routes.items()]
    return list(routes) if isinstance(routes, list) else [str(routes)]


class RestRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, passing on FATE's APP_KEY header (werkzeug drops names with underscores)."""

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        app_key = self.headers.get_all("APP_KEY")
        if app_key:
            environ["HTTP_APP_KEY"] = ",".join(app_key)
        return environ


class _HandshakeInRequestThread(ssl.SSLContext):
    """TLS whose handshake runs in each connection's own thread, so a silent client cannot stall the accept loop."""

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:  # type: ignore[override]
        kwargs["do_handshake_on_connect"] = False
        return super().wrap_socket(sock, *args, **kwargs)


def https_context(config: NodeConfig) -> ssl.SSLContext:
    """The REST layer's TLS server context: the node's own certificate and key, TLS 1.2 or later."""
    context = _HandshakeInRequestThread(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(config.tls_cert, config.tls_key)
    except ssl.SSLError as exc:
        raise ConfigError(f"tls_cert and tls_key cannot serve HTTPS: {exc.reason or exc}") from None
    return context


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _rest_server(node: Node) -> BaseWSGIServer:
    """The REST server on rest_host:http_port, bound here: werkzeug would print and exit on a busy port."""
    config = node.config
    host, port = config.rest_host, config.http_port
    context = https_context(config) if config.rest_https else None
    keys = Keys(config.http_app_key, config.http_secret_key) if config.http_app_key else None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        raise OSError(f"cannot listen on {url_host(host)}:{port} (REST): {exc.strerror or exc}") from None
    board_token = new_board_token(config.data_dir) if keys is not None else None
    with listener:  # werkzeug works on a duplicate of the descriptor
        app = create_app(node.local_target, keys=keys, board_token=board_token)
        return make_server(host, port, app, threaded=True, request_handler=RestRequestHandler,
                           ssl_context=context, fd=listener.fileno())


def _log_requests_to_node_log() -> None:
    """HTTP access lines go to the node's log file, not to the terminal."""
    access = logging.getLogger("werkzeug")
    for handler in logging.getLogger("fate_flow").handlers:
        access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


def serve(settings: dict[str, Any]) -> None:
    """Run until SIGTERM or SIGINT, then stop the REST layer and the node cleanly."""
    from fate_runtime import start_node  # here, so a component module that cannot load is a ConfigError of main()

    node = start_node(settings)
    _log_requests_to_node_log()
    try:
        http = _rest_server(node)
    except (OSError, ConfigError):
        node.stop(0)
        raise
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    thread = threading.Thread(target=http.serve_forever, name="rest", daemon=True)
    thread.start()
    if node.config.tls is None and node.config.local_parties is not None:
        notice = (f"the peer port {node.grpc_address} runs without TLS: a call about a job needs only the job's token, "
                  "which travels in clear text; keep the port on a network the parties trust or add --tls-cert, "
                  "--tls-key and --tls-ca (README: Security model)")
        logging.getLogger("fate_flow.node").warning("%s", notice)
        print(f"fate-flow: note: {notice}", file=sys.stderr, flush=True)
    scheme = "https" if node.config.rest_https else "http"
    rest_url = f"{scheme}://{url_host(node.config.rest_host)}:{http.port}"
    print(f"fate-flow node ready: REST {rest_url} "
          f"gRPC {node.grpc_address} local {node.local_target} data {node.config.data_dir}", flush=True)
    if node.config.http_app_key:
        print(f"fate-flow board: {rest_url}/board/?token=<the text of {token_path(node.config.data_dir)}>",
              flush=True)
    else:
        print(f"fate-flow board: {rest_url}/board/", flush=True)
    # A signal that lands on another thread only marks its handler for the main thread, which runs it the next time
    # it runs Python code: waking each second makes sure it does.
    while not stopping.wait(1.0):
        pass
    http.shutdown()
    thread.join()
    node.stop()
    print("fate-flow node stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return demo.main(args)
    try:
        serve(_settings(args))
    except ConfigError as exc:
        print(f"fate-flow: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"fate-flow: cannot start: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
