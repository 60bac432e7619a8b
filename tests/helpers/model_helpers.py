"""Model versions on test nodes: FATE's load and bind confs naming a trained version, sent through the seed's CLI,
and the seed job trained in cluster mode (guest, host and arbiter each on its own node)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from integration_helpers import Node, upload_conf, write_conf
from jobs_helpers import ARBITER, GUEST, HOST, cli_ok
from seed_examples import DATA, example, job_succeeded

MODEL_ID = "arbiter-10000#guest-10000#host-10000#model"  # what FATE's load and bind examples name
CLUSTER_MODEL_ID = f"arbiter-{ARBITER}#guest-{GUEST}#host-{HOST}#model"
CLUSTER_ROLES = {"guest": [int(GUEST)], "host": [int(HOST)], "arbiter": [int(ARBITER)]}


def model_conf(name: str, version: str, model_id: str = MODEL_ID, **fields: Any) -> dict[str, Any]:
    """FATE's load or bind example naming a trained version (and the other fields given)."""
    conf = example(name)
    conf["job_parameters"].update(model_id=model_id, model_version=version)
    return {**conf, **fields}


def conf_cli(node: Node, tmp: Path, function: str, conf: dict[str, Any]) -> dict[str, Any]:
    """The CLI's reply to `-f function -c conf`."""
    return node.cli("-f", function, "-c", str(write_conf(tmp / f"{function}.json", conf)))[1]


def cluster_conf(conf: dict[str, Any]) -> dict[str, Any]:
    """One of FATE's confs for the cluster of GUEST, HOST and ARBITER: the guest initiates, work mode 1."""
    given = copy.deepcopy(conf)
    given["initiator"] = {"role": "guest", "party_id": int(GUEST)}
    given["role"] = copy.deepcopy(CLUSTER_ROLES)
    given["job_parameters"]["work_mode"] = 1
    return given


def publish(guest: Node, tmp: Path, version: str, function: str, name: str, **fields: Any) -> dict[str, Any]:
    """Load or bind (`function`) the cluster's model version with FATE's conf `name`, sent to the guest's node."""
    return conf_cli(guest, tmp, function, cluster_conf(model_conf(name, version, CLUSTER_MODEL_ID, **fields)))


def trained_in_cluster(cluster: dict[str, Node], tmp: Path) -> str:
    """breast_b uploaded on the guest's node and breast_a on the host's, the seed job trained across the three
    nodes; its model version."""
    for party, entry in ((GUEST, "upload_guest.json"), (HOST, "upload_host.json")):
        conf = example(entry)
        copied = cluster[party].files / Path(conf["file"]).name
        copied.write_bytes((DATA / copied.name).read_bytes())
        cli_ok(cluster[party], "-f", "upload", "-c", str(write_conf(tmp / entry, upload_conf(
            copied, conf["namespace"], conf["table_name"], work_mode=1))))
    return job_succeeded(cluster[GUEST], tmp, cluster_conf(example("test_hetero_lr_job_conf.json")),
                         example("test_hetero_lr_job_dsl.json"))
