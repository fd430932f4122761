"""One place that turns errors into JSON answers: no HTML error pages, no 500 for bad input."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from hub.domain.errors import HubError

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HubError)
    def hub_error(exc: HubError) -> tuple[Response, int]:
        return jsonify(error=exc.as_dict()), exc.http_status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        code = exc.code or 500
        name = (exc.name or "error").upper().replace(" ", "_")
        return jsonify(error={"code": name, "message": exc.description}), code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return jsonify(error={"code": "INTERNAL_ERROR",
                              "message": "the hub hit an unexpected error; it is logged"}), 500
