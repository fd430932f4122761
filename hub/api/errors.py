"""One place that turns errors into JSON answers: no HTML error pages, no 500 for bad input."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, NotFound

from hub.api.limits import too_large_message
from hub.api.params import MAX_INT, BadParameter
from hub.domain.errors import HubError

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_nul)

    @app.errorhandler(HubError)
    def hub_error(exc: HubError) -> tuple[Response, int, dict[str, str]]:
        # RFC 6750: every 401 names the scheme the client should use
        challenge = getattr(exc, "challenge", 'Bearer realm="ponte"')
        headers = {"WWW-Authenticate": challenge} if exc.http_status == 401 else {}
        return jsonify(error=exc.as_dict()), exc.http_status, headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        code = exc.code or 500
        name = (exc.name or "error").upper().replace(" ", "_")
        message = exc.description
        if code == 413:
            message = too_large_message(current_app.config["HUB_SETTINGS"].max_upload_bytes)
        return jsonify(error={"code": name, "message": message}), code

    @app.errorhandler(OperationalError)
    def busy(exc: OperationalError) -> tuple[Response, int, dict[str, str]]:
        if not is_busy(exc):
            return unexpected(exc)  # type: ignore[return-value]
        log.warning("database busy: answered 503 to %s %s", request.method, request.path)
        return jsonify(error={"code": "DATABASE_BUSY", "message": (
            "the database is busy writing a large file; nothing of this request was stored: "
            f"retry in {RETRY_AFTER_SECONDS} seconds")}), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return jsonify(error={"code": "INTERNAL_ERROR",
                              "message": "the hub hit an unexpected error; it is logged"}), 500


def is_busy(exc: OperationalError) -> bool:
    """SQLite's one writer was busy for longer than the request may wait."""
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def refuse_nul() -> None:
    """No resource has a NUL in its path or an id out of range (404); no parameter holds a NUL
    (400, naming it)."""
    if "\x00" in request.path:
        raise NotFound()
    # an id past the 32-bit columns names nothing (and the database would refuse the number)
    if any(isinstance(v, int) and not 0 <= v <= MAX_INT for v in (request.view_args or {}).values()):
        raise NotFound()
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise BadParameter(f"{name.replace(chr(0), '?')} must not contain a NUL character")
