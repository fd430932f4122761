"""Liveness and readiness: the load balancer's view of the hub."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from hub.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok", scheduler=current_app.extensions.get("hub.scheduler") is not None)
