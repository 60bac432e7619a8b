"""FATE's toy example across two cluster nodes speaking mutual TLS: tasks report, federate and finish."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "federation"))

from federation_helpers import CertificateAuthority  # noqa: E402 - test dirs are not packages
from jobs_helpers import GUEST, HOST, running_cluster, submitted, toy_conf, toy_dsl, wait_job  # noqa: E402


def test_the_toy_example_runs_between_tls_nodes(tmp_path: Path) -> None:
    authority = CertificateAuthority(tmp_path / "pki", "jobs")
    tls_args = {}
    for party in (GUEST, HOST):
        tls = authority.issue(party)
        tls_args[party] = ["--tls-cert", tls.cert, "--tls-key", tls.key, "--tls-ca", tls.ca]
    with running_cluster(tmp_path, (GUEST, HOST), tls_args) as nodes:
        job = submitted(nodes[GUEST].node, tmp_path, toy_dsl(), toy_conf(GUEST, HOST, 1))
        guest_rows = wait_job(nodes[GUEST].node, job)
        assert [(r["f_role"], r["f_status"]) for r in guest_rows] == [("guest", "success")], guest_rows
        host_rows = wait_job(nodes[HOST].node, job)
        assert [(r["f_role"], r["f_status"]) for r in host_rows] == [("host", "success")], host_rows
        code, reply = nodes[GUEST].cli("-f", "component_metric_all", "-j", job, "-r", "guest", "-p", GUEST,
                                       "-cpn", "secure_add_example_0")
        assert code == 0, reply
        assert reply["data"]["secure_add"]["result"]["data"] == [["secure_sum", 2000.0], ["expected", 2000.0]]
