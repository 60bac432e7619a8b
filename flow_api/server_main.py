"""`fate-flow server`: start a node (gRPC services) and the REST layer in front of it."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, make_server

from fate_runtime import ConfigError, load_conf_file
from flow_api.app import create_app

if TYPE_CHECKING:
    from fate_runtime import Node


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fate-flow", description="Run a FATE-Flow compatible node.")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="start a node: gRPC services and the REST API")
    server.add_argument("--conf", help="JSON file with any of the settings below (options win over it)")
    server.add_argument("--standalone", action="store_true", help="one node hosts every party (work_mode 0)")
    server.add_argument("--data-dir", dest="data_dir", help="where tables, jobs and logs live")
    server.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--grpc-port", dest="grpc_port", type=int, help="gRPC port (default 9360; 0 picks one)")
    server.add_argument("--http-port", dest="http_port", type=int, help="REST port (default 9380; 0 picks one)")
    server.add_argument("--base-dir", dest="base_dir",
                        help="where relative file paths in requests resolve (default: the current directory)")
    server.add_argument("--allow-dir", dest="allow_dirs", action="append",
                        help="another directory upload may read and download may write (repeatable)")
    server.add_argument("--map-size", dest="map_size", type=int, help="initial LMDB map size per partition, bytes")
    server.add_argument("--workers", type=int, help="worker processes for partition work (default: CPU count)")
    server.add_argument("--party-id", dest="party_ids", action="append",
                        help="a party id this node serves (cluster mode; repeatable)")
    server.add_argument("--route", dest="routes", action="append", metavar="PARTY_ID=HOST:PORT",
                        help="where another party's node listens for gRPC (repeatable)")
    server.add_argument("--tls-cert", dest="tls_cert", help="this node's certificate (PEM) for mutual TLS")
    server.add_argument("--tls-key", dest="tls_key", help="the certificate's private key (PEM)")
    server.add_argument("--tls-ca", dest="tls_ca", help="the CA certificate that signed every node's certificate")
    return parser


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_conf_file(args.conf) if args.conf else {}
    for name in ("data_dir", "host", "grpc_port", "http_port", "base_dir", "allow_dirs", "map_size", "workers",
                 "party_ids", "tls_cert", "tls_key", "tls_ca"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
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


def _rest_server(host: str, port: int, node: Node) -> BaseWSGIServer:
    """The REST server on host:port. The socket is bound here: werkzeug would print and exit on a busy port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port} (REST): {exc.strerror or exc}") from None
    with listener:  # werkzeug works on a duplicate of the descriptor
        app = create_app(node.grpc_address, node.config.tls, next(iter(node.config.party_ids), None))
        return make_server(host, port, app, threaded=True, fd=listener.fileno())


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
        http = _rest_server(node.config.host, node.config.http_port, node)
    except OSError:
        node.stop(0)
        raise
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    thread = threading.Thread(target=http.serve_forever, name="rest", daemon=True)
    thread.start()
    print(f"fate-flow node ready: REST http://{node.config.host}:{http.port} "
          f"gRPC {node.grpc_address} data {node.config.data_dir}", flush=True)
    stopping.wait()
    http.shutdown()
    thread.join()
    node.stop()
    print("fate-flow node stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
