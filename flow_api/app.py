"""The Flask application: FATE-Flow's /v1 REST endpoints, each forwarded to the node over gRPC."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from federation import TlsConfig
from flow_api import (client_routes, data_routes, job_routes, model_routes, pipeline_routes, serving_routes,
                      table_routes, tracking_routes)
from flow_api.auth import AUTHENTICATION_ERROR, AuthenticationError, Authenticator, Keys
from flow_api.board import routes as board_routes
from flow_api.board.access import BoardAccess
from flow_api.board.events import StreamSlots
from flow_api.envelope import NOT_FOUND, ApiError, error_reply
from flow_api.node_client import NodeClient
from flow_api.request_fields import BODY_TOO_LARGE, limit_body

log = logging.getLogger("fate_flow.rest")


def create_app(node_target: str, tls: TlsConfig | None = None, party: str | None = None, *,
               keys: Keys | None = None, board_token: str | None = None) -> Flask:
    """The REST app for the node whose gRPC services listen at `node_target` (host:port), over TLS as `party`.

    With `keys`, every request must carry FATE's signature made with them (else retcode 109, HTTP 401), but the
    board's, which need `board_token` instead (flow_api/board/access.py). A body's size is checked first, then the
    signature, both before any handler runs.
    """
    app = Flask("fate_flow")
    app.config["NODE"] = NodeClient(node_target, tls, party)
    app.config["BOARD_ACCESS"] = BoardAccess(keys is not None, board_token)
    app.config["BOARD_STREAMS"] = StreamSlots()
    app.before_request(lambda: limit_body(request))
    if keys is not None:
        authenticator = Authenticator(keys)
        app.before_request(lambda: None if request.blueprint == "board" else authenticator.check_request(request))
    app.register_blueprint(data_routes.blueprint, url_prefix="/v1/data")
    app.register_blueprint(table_routes.blueprint, url_prefix="/v1/table")
    app.register_blueprint(job_routes.blueprint, url_prefix="/v1/job")
    app.register_blueprint(tracking_routes.blueprint, url_prefix="/v1/tracking")
    app.register_blueprint(pipeline_routes.blueprint, url_prefix="/v1/pipeline")
    app.register_blueprint(model_routes.blueprint, url_prefix="/v1/model")
    app.register_blueprint(client_routes.blueprint, url_prefix="/v1")
    app.register_blueprint(serving_routes.blueprint, url_prefix="/federation/v1")
    app.register_blueprint(board_routes.blueprint, url_prefix="/board")

    @app.errorhandler(ApiError)
    def refused(error: ApiError) -> Any:
        log.info("%s %s refused: %s", request.method, request.path, error.retmsg)
        return error_reply(error)

    @app.errorhandler(AuthenticationError)
    def unauthenticated(error: AuthenticationError) -> Any:
        log.warning("%s %s from %s refused: %s", request.method, request.path, request.remote_addr, error)
        return error_reply(ApiError(str(error), AUTHENTICATION_ERROR, http_status=401))

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError) -> Any:
        return error_reply(ApiError("the request is nested too deeply to read"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code == 413 and request.mimetype != "multipart/form-data":  # (an upload's form has its own limits)
            return error_reply(ApiError(BODY_TOO_LARGE, http_status=413))
        if error.code == 404:
            return error_reply(ApiError(f"unknown endpoint {request.path}", NOT_FOUND, http_status=404))
        if error.code == 405:
            return error_reply(ApiError(f"{request.path} does not accept {request.method}", http_status=405))
        return error_reply(ApiError(f"bad request: {error.name.lower()}", http_status=error.code or 400))

    @app.errorhandler(Exception)
    def failed(error: Exception) -> Any:
        log.exception("%s %s failed", request.method, request.path)
        return error_reply(ApiError("the REST layer failed to handle the request; the node log has the details"))

    return app
