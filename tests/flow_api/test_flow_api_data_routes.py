"""/v1/data/upload as each `flow` version sends it, against a fake node: what its --drop flag means."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

import pytest

from flow_api_fakes import FakeFlow, upload_answer
from protos import flow_pb2

CONF = {"file": "/client/rows.csv", "head": 1, "partition": 4, "work_mode": 0, "namespace": "ns", "table_name": "t"}


@pytest.mark.parametrize("sent, drop, flags", [(1, 1, True), (2, 2, True), (0, 2, True), ("0", 2, True),
                                               (0, 0, False), (None, None, False)],
                         ids=["--drop", "no --drop (1.6)", "no --drop (1.7+)", "as text", "not flow: add rows", "none"])
def test_flow_s_drop_flag_reaches_the_node_as_meant(client: Any, fake: FakeFlow, sent: Any, drop: int | None,
                                                    flags: bool) -> None:
    """flow 1.7+ sends drop 0 without --drop (FATE-Flow 1.7+ then refuses an existing table), 1.6 sends 2; a conf
    without flow's flags (verbose, drop) keeps drop 0: add the rows."""
    received: list[flow_pb2.UploadChunk] = []
    fake.answers["Upload"] = upload_answer(received)
    conf = {**CONF, **({} if sent is None else {"drop": sent}), **({"verbose": 0} if flags else {})}
    response = client.post("/v1/data/upload?" + quote(json.dumps(conf)), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"id,x\n1,2\n"), "rows.csv")})
    assert response.get_json()["retcode"] == 0
    settings = received[0].settings
    assert settings.drop == drop if drop is not None else not settings.HasField("drop")


@pytest.mark.parametrize("conf, backend", [({**CONF, "backend": 1}, 1), ({**CONF, "backend": "0"}, 0), (CONF, None)],
                         ids=["spark", "lmdb as text", "none"])
def test_the_upload_conf_s_backend_reaches_the_node(client: Any, fake: FakeFlow, conf: dict[str, Any],
                                                    backend: int | None) -> None:
    """FATE 1.5's upload conf `backend` (0 eggroll - here LMDB -, 1 Spark) goes to the node; unset stays unset."""
    received: list[flow_pb2.UploadChunk] = []
    fake.answers["Upload"] = upload_answer(received)
    assert client.post("/v1/data/upload", json=conf).get_json()["retcode"] == 0
    settings = received[0].settings
    assert (settings.backend if settings.HasField("backend") else None) == backend
