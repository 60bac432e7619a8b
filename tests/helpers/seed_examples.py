"""FATE's fate_flow examples (the seed's confs) and its breast data, uploaded to a test node as FATE's confs say."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from integration_helpers import FATE_EXAMPLES, ROOT, Node, upload_conf, write_conf
from jobs_helpers import cli_ok, wait_job

DATA = ROOT / "examples" / "data"
MODEL_OPS = ROOT.parent / "shared" / "fate_examples" / "v1.4.0_model_ops"  # FATE 1.4's model-ops confs (CI: ../shared)


def example(name: str) -> dict[str, Any]:
    """One of FATE's example confs, as shipped."""
    return dict(json.loads((FATE_EXAMPLES / name).read_text()))


def model_ops_example(name: str) -> dict[str, Any]:
    """One of FATE 1.4's model-ops confs (store_model.json, restore_model.json, import_model.json), as shipped: the
    shared copy if present, else the repository's."""
    directory = MODEL_OPS if (MODEL_OPS / name).is_file() else ROOT / "examples" / "fate_flow_examples"
    return dict(json.loads((directory / name).read_text()))


def upload_breast(node: Node) -> Node:
    """breast_b (guest) and breast_a (host) uploaded with upload_guest.json's and upload_host.json's names."""
    for entry in ("upload_guest.json", "upload_host.json"):
        conf = example(entry)
        copied = node.files / Path(conf["file"]).name
        shutil.copyfile(DATA / copied.name, copied)
        cli_ok(node, "-f", "upload", "-c", str(write_conf(node.files / entry, upload_conf(
            copied, conf["namespace"], conf["table_name"], partition=conf.get("partition", 4)))))
    return node


def job_succeeded(node: Node, tmp: Path, conf: dict[str, Any], dsl: dict[str, Any] | None = None) -> str:
    """Submit a job through the CLI (its conf and DSL written into `tmp`), wait for it; its id once it succeeded."""
    args = ["-f", "submit_job", "-c", str(write_conf(tmp / "conf.json", conf))]
    if dsl is not None:
        args += ["-d", str(write_conf(tmp / "dsl.json", dsl))]
    job_id = str(cli_ok(node, *args)["jobId"])
    rows = wait_job(node, job_id, timeout=240)
    assert {row["f_status"] for row in rows} == {"success"}, [(row["f_role"], row["f_retmsg"]) for row in rows]
    return job_id
