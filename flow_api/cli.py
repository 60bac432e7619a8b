"""`fate_flow_client` / `python fate_flow_client.py -f FUNCTION ...`: FATE-Flow's command-line client.

Flags and output are FATE's: the conf file (-c) is the request body, flags override its
fields, and the reply is printed as indented JSON. The server is `--server URL`, else the
FATE_FLOW_SERVER environment variable, else http://127.0.0.1:9380. The exit code is 0 when
the reply's retcode is 0, and 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable

from flow_api.http_client import post_json

DEFAULT_SERVER = "http://127.0.0.1:9380"

Body = dict[str, Any]


class UsageError(Exception):
    """The command line lacks something the function needs."""


def _required(args: argparse.Namespace, *names: str) -> None:
    missing = [name for name in names if getattr(args, name) in (None, "")]
    if missing:
        raise UsageError("the following arguments are required: " + ", ".join(missing))


def _conf(args: argparse.Namespace) -> Body:
    if not args.config:
        raise UsageError("the following arguments are required: config (-c)")
    path = os.path.abspath(args.config)
    try:
        with open(path, encoding="utf-8") as src:
            conf = json.load(src)
    except FileNotFoundError:
        raise UsageError(f"conf file {args.config} does not exist") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"conf file {args.config} is not valid JSON (line {exc.lineno})") from None
    if not isinstance(conf, dict):
        raise UsageError(f"conf file {args.config} must hold a JSON object")
    return conf


def _with_flags(body: Body, args: argparse.Namespace, *names: str) -> Body:
    """The body with every given flag among `names` overriding the field of the same name."""
    for name in names:
        value = getattr(args, name)
        if value is not None:
            body[name] = value
    return body


def upload(args: argparse.Namespace) -> tuple[str, Body]:
    body = _with_flags(_conf(args), args, "namespace", "table_name", "work_mode", "file", "drop")
    return "/data/upload", body


def download(args: argparse.Namespace) -> tuple[str, Body]:
    body = _with_flags(_conf(args), args, "namespace", "table_name", "work_mode", "output_path")
    if body.get("output_path"):
        body["output_path"] = os.path.abspath(str(body["output_path"]))
    return "/data/download", body


def upload_history(args: argparse.Namespace) -> tuple[str, Body]:
    return "/data/upload/history", _with_flags({}, args, "job_id", "limit")


def table_info(args: argparse.Namespace) -> tuple[str, Body]:
    _required(args, "namespace", "table_name")
    return "/table/table_info", _with_flags({}, args, "namespace", "table_name")


def table_delete(args: argparse.Namespace) -> tuple[str, Body]:
    body = _with_flags({}, args, "namespace", "table_name", "job_id", "component_name", "role", "party_id")
    if not body:
        raise UsageError("table_delete needs -n and -t, or -j")
    return "/table/delete", body


FUNCTIONS: dict[str, Callable[[argparse.Namespace], tuple[str, Body]]] = {
    "upload": upload,
    "download": download,
    "upload_history": upload_history,
    "table_info": table_info,
    "table_delete": table_delete,
}


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="fate_flow_client", allow_abbrev=False,
                                  description="FATE-Flow command-line client")
    cli.add_argument("-f", "--function", required=True, choices=sorted(FUNCTIONS), help="what to do")
    cli.add_argument("-c", "--config", help="conf file (JSON)")
    cli.add_argument("-d", "--dsl", help="DSL file (JSON)")
    cli.add_argument("-j", "--job_id")
    cli.add_argument("-r", "--role")
    cli.add_argument("-p", "--party_id")
    cli.add_argument("-cpn", "--component_name")
    cli.add_argument("-s", "--status")
    cli.add_argument("-n", "--namespace")
    cli.add_argument("-t", "--table_name")
    cli.add_argument("-w", "--work_mode", type=int)
    cli.add_argument("-i", "--file")
    cli.add_argument("-o", "--output_path")
    cli.add_argument("-limit", "--limit", type=int)
    cli.add_argument("-drop", "--drop", type=int, choices=[0, 1, 2])
    cli.add_argument("--server", default=os.environ.get("FATE_FLOW_SERVER") or DEFAULT_SERVER,
                     help="FATE-Flow REST address (default: $FATE_FLOW_SERVER or %(default)s)")
    return cli


def run(argv: list[str] | None = None) -> Body:
    """Parse the command line, call the server, return its reply."""
    args = parser().parse_args(argv)
    try:
        endpoint, body = FUNCTIONS[args.function](args)
    except UsageError as exc:
        return {"retcode": 100, "retmsg": str(exc)}
    return post_json(args.server, endpoint, body)


def main(argv: list[str] | None = None) -> int:
    reply = run(argv)
    print(json.dumps(reply, indent=4, ensure_ascii=False))
    print()
    return 0 if reply.get("retcode") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
