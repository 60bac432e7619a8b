"""The board on a node that requires FATE's signature: the board token (given once, then an HttpOnly cookie) instead
of a signature, refusals that say how to open the board, the REST API still signed; the token file."""

from __future__ import annotations

import os
import stat
from typing import Any, Iterator

import pytest
from flask import Flask

from flow_api.app import create_app
from flow_api.board.access import COOKIE, new_board_token, token_path
from flow_api_fakes import KEYS, FakeFlow, job_rows, returns
from protos import flow_pb2

TOKEN = "board-token-for-the-test"
JOB = "20261201000000000001"


@pytest.fixture(scope="module")
def board_app(grpc_node: tuple[FakeFlow, str]) -> Iterator[Flask]:
    app = create_app(grpc_node[1], keys=KEYS, board_token=TOKEN)
    yield app
    app.config["NODE"].close()


@pytest.fixture
def board(board_app: Flask, fake: FakeFlow) -> Any:
    return board_app.test_client()


def _json_refusal(response: Any, status: int, retmsg: str) -> None:
    assert response.status_code == status and response.get_json()["retcode"] == 109, response.data
    assert retmsg in response.get_json()["retmsg"]


def test_without_the_token_the_board_is_refused_saying_how_to_open_it(board: Any, fake: FakeFlow) -> None:
    page = board.get(f"/board/jobs/{JOB}")
    assert page.status_code == 401 and page.mimetype == "text/html"
    assert b"open /board/?token= followed by the text of &lt;data dir&gt;/run/board_token" in page.data
    _json_refusal(board.get("/board/api/jobs"), 401, "the board needs this node's board token")
    _json_refusal(board.get("/board/events"), 401, "the board needs this node's board token")
    _json_refusal(board.get("/board/api/jobs?token=wrong"), 401, "the board needs this node's board token")
    board.set_cookie(COOKIE, "wrong", path="/board")
    _json_refusal(board.get("/board/api/jobs"), 401, "the board needs this node's board token")
    assert fake.calls == []
    assert board.get("/board/static/app.js").status_code == 200  # the app's own files are no secret


def test_the_token_once_sets_a_strict_http_only_cookie_that_opens_the_board(board: Any, fake: FakeFlow) -> None:
    response = board.get(f"/board/jobs/{JOB}?token={TOKEN}&tab=log")
    assert response.status_code == 303 and response.headers["Location"] == f"/board/jobs/{JOB}?tab=log"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}={TOKEN};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/board" in cookie and "Secure" not in cookie  # (plain HTTP here)
    fake.answers["SearchJobs"] = job_rows()
    assert board.get("/board/api/jobs").get_json() == {"jobs": []}  # no signature: the cookie
    assert board.get(f"/board/jobs/{JOB}").status_code == 200
    fake.answers["StopJob"] = returns(flow_pb2.StopJobReply(status="killed"))
    assert board.post(f"/board/api/jobs/{JOB}/stop", headers={"Origin": "http://localhost"}).status_code == 200
    _json_refusal(board.post("/v1/job/query", json={"job_id": JOB}), 401, "the request has no TIMESTAMP header")


def test_over_https_the_cookie_is_secure(board: Any) -> None:
    response = board.get(f"/board/?token={TOKEN}", base_url="https://localhost")
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]


def test_a_signed_node_without_a_board_token_refuses_the_board(grpc_node: tuple[FakeFlow, str],
                                                              fake: FakeFlow) -> None:
    app = create_app(grpc_node[1], keys=KEYS)
    try:
        client = app.test_client()
        page = client.get(f"/board/?token={TOKEN}")
        assert page.status_code == 403 and b"its board has no token" in page.data
        _json_refusal(client.get("/board/api/jobs"), 403, "its board has no token")
    finally:
        app.config["NODE"].close()
    assert fake.calls == []


def test_each_start_writes_a_new_token_only_the_node_s_user_can_read(tmp_path: Any) -> None:
    first = new_board_token(str(tmp_path))
    path = token_path(str(tmp_path))
    assert open(path).read() == first + "\n" and len(first) >= 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = new_board_token(str(tmp_path))
    assert second != first and open(path).read() == second + "\n"
