"""`fate_flow_client` / `python fate_flow_client.py -f FUNCTION ...`: FATE-Flow's command-line client.

Flags and output are FATE's: the conf file (-c) is the request body, flags override its
fields, and the reply is printed as indented JSON. The server is `--server URL`, else the
FATE_FLOW_SERVER environment variable, else http://127.0.0.1:9380. The exit code is 0 when
the reply's retcode is 0, and 1 otherwise. With an app key and secret key (options or
FATE_FLOW_APP_KEY / FATE_FLOW_SECRET_KEY) every request carries FATE's signature; an https://
server is checked against --ca-file (or FATE_FLOW_CA_FILE), else the system's CAs.

Most functions are one POST (FUNCTIONS: the endpoint and body). A few do more (ACTIONS):
download writes the table the node streams into output_path where this client runs,
query_job trims the rows it prints, job_config writes the job's files, job_log and
component_output_data download a tar.gz and extract it under -o, export writes a model archive
under -o and import sends one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import ssl
import sys
import tarfile
import tempfile
import zlib
from typing import Any, Callable, Iterator

from flow_api.auth import Keys
from flow_api.http_client import (DOWNLOAD_HEADER, ExtractError, Server, UnsafeArchive, download as download_file,
                                  fetch_file, post_file, post_json, safe_extract)

DEFAULT_SERVER = "http://127.0.0.1:9380"

Body = dict[str, Any]


class UsageError(Exception):
    """The command line lacks something the function needs."""


def _required(args: argparse.Namespace, *names: str) -> None:
    missing = [name for name in names if getattr(args, name) in (None, "")]
    if missing:
        raise UsageError("the following arguments are required: " + ", ".join(missing))


def _json_file(given: str, what: str) -> Body:
    path = os.path.abspath(given)
    try:
        with open(path, encoding="utf-8") as src:
            content = json.load(src)
    except FileNotFoundError:
        raise UsageError(f"{what} file {given} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{what} file {given} is a directory") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise UsageError(f"{what} file {given} is not valid JSON{where}") from None
    if not isinstance(content, dict):
        raise UsageError(f"{what} file {given} must hold a JSON object")
    return content


def _conf(args: argparse.Namespace) -> Body:
    if not args.config:
        raise UsageError("the following arguments are required: config (-c)")
    return _json_file(args.config, "conf")


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


# ---- jobs and tasks ---------------------------------------------------------------------

COMPONENT_FLAGS = ("job_id", "component_name", "role", "party_id")


def submit_job(args: argparse.Namespace) -> tuple[str, Body]:
    conf = _conf(args)
    parameters = conf.get("job_parameters")
    predict = isinstance(parameters, dict) and parameters.get("job_type") == "predict"
    if not args.dsl and not predict:
        raise UsageError("the following arguments are required: dsl (-d)")
    dsl = _json_file(args.dsl, "dsl") if args.dsl else {}
    return "/job/submit", {"job_dsl": dsl, "job_runtime_conf": conf}


def stop_job(args: argparse.Namespace) -> tuple[str, Body]:
    _required(args, "job_id")
    return "/job/stop", _with_flags({}, args, "job_id")


def clean_job(args: argparse.Namespace) -> tuple[str, Body]:
    _required(args, "job_id")
    return "/job/clean", _with_flags({}, args, "job_id", "role", "party_id", "component_name")


def data_view_query(args: argparse.Namespace) -> tuple[str, Body]:
    return "/job/data/view/query", _with_flags({}, args, "job_id", "role", "party_id", "status")


def query_task(args: argparse.Namespace) -> tuple[str, Body]:
    return "/job/task/query", _with_flags({}, args, "job_id", "component_name", "role", "party_id", "status")


def _component_request(endpoint: str) -> Callable[[argparse.Namespace], tuple[str, Body]]:
    def build(args: argparse.Namespace) -> tuple[str, Body]:
        _required(args, *COMPONENT_FLAGS)
        return endpoint, _with_flags({}, args, *COMPONENT_FLAGS)
    return build


def _conf_request(endpoint: str) -> Callable[[argparse.Namespace], tuple[str, Body]]:
    """A function whose request is the conf file as it is (load, bind)."""
    def build(args: argparse.Namespace) -> tuple[str, Body]:
        return endpoint, _conf(args)
    return build


FUNCTIONS: dict[str, Callable[[argparse.Namespace], tuple[str, Body]]] = {
    "upload": upload,
    "upload_history": upload_history,
    "table_info": table_info,
    "table_delete": table_delete,
    "submit_job": submit_job,
    "stop_job": stop_job,
    "clean_job": clean_job,
    "data_view_query": data_view_query,
    "query_task": query_task,
    "component_parameters": _component_request("/tracking/component/parameters"),
    "component_metric_all": _component_request("/tracking/component/metric/all"),
    "component_metrics": _component_request("/tracking/component/metrics"),
    "component_output_model": _component_request("/tracking/component/output/model"),
    "component_output_data_table": _component_request("/tracking/component/output/data/table"),
    "load": _conf_request("/model/load"),
    "bind": _conf_request("/model/bind"),
    "store": _conf_request("/model/store"),
    "restore": _conf_request("/model/restore"),
}


# ---- functions that do more than one POST ---------------------------------------------------


def _downloaded(directory: str) -> Body:
    return {"retcode": 0, "directory": directory,
            "retmsg": f"download successfully, please check {directory} directory"}


def _download_into(server: Server, endpoint: str, body: Body, directory: str) -> Body:
    """Download a tar.gz and extract it into `directory`; the reply to print."""
    archive, reply = download_file(server, endpoint, body)
    if archive is None:
        return reply
    try:
        safe_extract(archive, directory)
    except UnsafeArchive as exc:
        return {"retcode": 100, "retmsg": f"download refused: {exc}"}
    except ExtractError as exc:
        return {"retcode": 100, "retmsg": str(exc)}
    except (tarfile.TarError, EOFError, OSError, zlib.error):
        return {"retcode": 100, "retmsg": "download failed, please check if the parameters are correct"}
    finally:
        os.unlink(archive)
    return _downloaded(directory)


def _count_lines(path: str) -> int:
    lines = 0
    with open(path, "rb") as src:
        while piece := src.read(1 << 20):
            lines += piece.count(b"\n")
    return lines


class _Aside:
    """A file written beside its place, moved there once complete."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.kept = False

    def keep(self, target: str) -> None:
        os.chmod(self.path, 0o644)
        os.replace(self.path, target)
        self.kept = True


@contextlib.contextmanager
def _written_aside(directory: str, prefix: str) -> Iterator[_Aside]:
    """A temporary file in `directory` (created if needed), removed on exit unless kept."""
    os.makedirs(directory, exist_ok=True)
    handle, path = tempfile.mkstemp(dir=directory, prefix=prefix)
    os.close(handle)
    aside = _Aside(path)
    try:
        yield aside
    finally:
        if not aside.kept:
            os.unlink(path)


def _download_job(headers: Any) -> Body | None:
    """The download's job as the node describes it in the reply's header; None when the header is not there."""
    try:
        job = json.loads(headers.get(DOWNLOAD_HEADER) or "")
    except json.JSONDecodeError:
        return None
    return job if isinstance(job, dict) and isinstance(job.get("header_lines"), int) else None


def download(args: argparse.Namespace, server: Server) -> Body:
    """The table streamed from the node into output_path where this client runs (relative to its working
    directory), written aside first and renamed into place once complete."""
    body = _with_flags(_conf(args), args, "namespace", "table_name", "work_mode", "output_path")
    given = body.pop("output_path", None)
    if not given:
        raise UsageError("the following arguments are required: output_path")
    target = os.path.abspath(str(given))
    if os.path.isdir(target):
        return {"retcode": 100, "retmsg": f"output_path {given} is a directory"}
    try:
        with _written_aside(os.path.dirname(target), ".download-") as temp:
            headers, reply = fetch_file(server, "/data/download/stream", body, temp.path)
            if headers is None:
                return reply
            job = _download_job(headers)
            if job is None:
                return {"retcode": 100, "retmsg": "the server's download reply does not say which job sent it"}
            count = _count_lines(temp.path) - job.pop("header_lines")
            temp.keep(target)
    except OSError as exc:
        return {"retcode": 100, "retmsg": f"cannot write {target}: {exc.strerror or exc}"}
    return {"retcode": 0, "retmsg": "success", "jobId": job.pop("job_id", ""),
            "data": {"output_path": target, "count": count, **job}}


def query_job(args: argparse.Namespace, server: Server) -> Body:
    reply = post_json(server, "/job/query", _with_flags({}, args, "job_id", "role", "party_id", "status"))
    rows = reply.get("data")
    if isinstance(rows, list):  # like FATE's client: the DSL and conf would drown the rest
        for row in rows:
            if isinstance(row, dict):
                row.pop("f_runtime_conf", None)
                row.pop("f_dsl", None)
    return reply


def _safe_file_name(key: str) -> bool:
    return bool(key) and key not in (".", "..") and os.path.basename(key) == key and "\\" not in key


def job_config(args: argparse.Namespace, server: Server) -> Body:
    _required(args, "job_id", "role", "party_id", "output_path")
    reply = post_json(server, "/job/config", _with_flags({}, args, "job_id", "role", "party_id"))
    data = reply.get("data")
    if reply.get("retcode") != 0 or not isinstance(data, dict):
        return reply
    job_id = str(data.get("job_id") or args.job_id)
    directory = os.path.join(os.path.abspath(args.output_path), f"job_{job_id}_config")
    try:
        os.makedirs(directory, exist_ok=True)
        for key, value in data.items():
            if key == "job_id" or not _safe_file_name(str(key)):
                continue
            with open(os.path.join(directory, f"{key}.json"), "w", encoding="utf-8") as target:
                json.dump(value, target, indent=4, ensure_ascii=False)
    except OSError as exc:
        return {"retcode": 100, "retmsg": f"cannot write into {directory}: {exc.strerror or exc}"}
    data.pop("dsl", None)
    data.pop("runtime_conf", None)
    return {**reply, **_downloaded(directory)}


def job_log(args: argparse.Namespace, server: Server) -> Body:
    _required(args, "job_id", "output_path")
    directory = os.path.join(os.path.abspath(args.output_path), f"job_{args.job_id}_log")
    return _download_into(server, "/job/log", {"job_id": args.job_id}, directory)


def component_output_data(args: argparse.Namespace, server: Server) -> Body:
    _required(args, *COMPONENT_FLAGS, "output_path")
    body = _with_flags({}, args, *COMPONENT_FLAGS, "limit")
    name = f"job_{args.job_id}_{args.component_name}_{args.role}_{args.party_id}_output_data"
    directory = os.path.join(os.path.abspath(args.output_path), name)
    return _download_into(server, "/tracking/component/output/data/download", body, directory)


def export_model(args: argparse.Namespace, server: Server) -> Body:
    """The party's model archive written into the directory output_path (-o) where this client runs, under the
    file name the node gives it."""
    body = _with_flags(_conf(args), args, "role", "party_id", "output_path")
    given = body.pop("output_path", None)
    if not given:
        raise UsageError("the following arguments are required: output_path")
    directory = os.path.abspath(str(given))
    try:
        with _written_aside(directory, ".export-") as temp:
            headers, reply = fetch_file(server, "/model/export", body, temp.path, method="GET")
            if headers is None:
                return reply
            name = headers.get_filename() or ""
            if not _safe_file_name(name):
                return {"retcode": 100, "retmsg": "the server's export reply names no plain file name"}
            target = os.path.join(directory, name)
            temp.keep(target)
    except OSError as exc:
        return {"retcode": 100, "retmsg": f"cannot write into {directory}: {exc.strerror or exc}"}
    return {"retcode": 0, "file": target, "retmsg": f"download successfully, please check {target}"}


def import_model(args: argparse.Namespace, server: Server) -> Body:
    """The archive file (`file`, where this client runs) sent to the node, the conf's other fields with it."""
    body = _with_flags(_conf(args), args, "role", "party_id", "file")
    given = body.pop("file", None)
    if not given:
        raise UsageError("the following arguments are required: file")
    try:
        return post_file(server, "/model/import", body, os.path.abspath(str(given)))
    except OSError as exc:
        return {"retcode": 100, "retmsg": f"cannot read the model file {given}: {exc.strerror or exc}"}


ACTIONS: dict[str, Callable[[argparse.Namespace, Server], Body]] = {
    "download": download,
    "query_job": query_job,
    "job_config": job_config,
    "job_log": job_log,
    "component_output_data": component_output_data,
    "export": export_model,
    "import": import_model,
}


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="fate_flow_client", allow_abbrev=False,
                                  description="FATE-Flow command-line client")
    cli.add_argument("-f", "--function", required=True, choices=sorted([*FUNCTIONS, *ACTIONS]),
                     help="what to do")
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
    cli.add_argument("--app-key", dest="app_key", default=os.environ.get("FATE_FLOW_APP_KEY"),
                     help="sign every request with this app key (default: $FATE_FLOW_APP_KEY)")
    cli.add_argument("--secret-key", dest="secret_key", default=os.environ.get("FATE_FLOW_SECRET_KEY"),
                     help="the secret key to sign with (default: $FATE_FLOW_SECRET_KEY, the better place: "
                          "other users of this machine can read command lines)")
    cli.add_argument("--ca-file", dest="ca_file", default=os.environ.get("FATE_FLOW_CA_FILE"),
                     help="trust this CA certificate (PEM) for an https:// server (default: $FATE_FLOW_CA_FILE)")
    return cli


def _server(args: argparse.Namespace) -> Server:
    """The server of --server, with the signing keys and the TLS context the options give."""
    if bool(args.app_key) != bool(args.secret_key):
        raise UsageError("signing needs both --app-key and --secret-key "
                         "(or FATE_FLOW_APP_KEY and FATE_FLOW_SECRET_KEY)")
    for key in (args.app_key, args.secret_key):
        if key and not (key.isascii() and key.isprintable()):
            raise UsageError("--app-key and --secret-key must be printable ASCII")
    keys = Keys(args.app_key, args.secret_key) if args.app_key else None
    if not args.ca_file:
        return Server(args.server, keys)
    try:
        tls = ssl.create_default_context(cafile=args.ca_file)
    except FileNotFoundError:
        raise UsageError(f"CA file {args.ca_file} does not exist") from None
    except OSError:  # ssl.SSLError too
        raise UsageError(f"CA file {args.ca_file} is not a PEM certificate this client can read") from None
    return Server(args.server, keys, tls)


def run(argv: list[str] | None = None) -> Body:
    """Parse the command line, call the server, return its reply."""
    args = parser().parse_args(argv)
    try:
        server = _server(args)
        if args.function in ACTIONS:
            return ACTIONS[args.function](args, server)
        endpoint, body = FUNCTIONS[args.function](args)
    except UsageError as exc:
        return {"retcode": 100, "retmsg": str(exc)}
    return post_json(server, endpoint, body)


def main(argv: list[str] | None = None) -> int:
    reply = run(argv)
    print(json.dumps(reply, indent=4, ensure_ascii=False))
    print()
    return 0 if reply.get("retcode") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
