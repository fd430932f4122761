"""Liveness, readiness and metrics: the load balancer's and the monitoring's view of the hub."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text

from hub.access import Permission, may
from hub.api.auth import request_principal
from hub.db import get_session, new_session, utcnow
from hub.observability.metrics import backlogs, registry_for

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the database answers (one trivial query); whether this process runs the scheduler."""
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok", scheduler=current_app.extensions.get("hub.scheduler") is not None)


def _is_staff() -> bool:
    return may(request_principal(), Permission.read_all)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Readiness: 503 when a queue holds more than HUB_READY_MAX_WAITING items or its oldest has
    waited longer than HUB_READY_MAX_AGE_SECONDS; the queues' figures for a staff token."""
    settings = current_app.config["HUB_SETTINGS"]
    now = utcnow()
    queues = backlogs(get_session())
    over = [q.name for q in queues if q.waiting > settings.ready_max_waiting
            or q.age_seconds(now) > settings.ready_max_age_seconds]
    body: dict[str, object] = {"status": "unready" if over else "ready"}
    if _is_staff():
        body.update(backlogged=over, limits={"waiting": settings.ready_max_waiting,
                                             "age_seconds": settings.ready_max_age_seconds},
                    queues={q.name: {"waiting": q.waiting, "oldest_age_seconds": round(q.age_seconds(now), 1)}
                            for q in queues})
    return jsonify(body), 503 if over else 200


def _registry(app: Flask) -> CollectorRegistry:
    registry: CollectorRegistry | None = app.extensions.get("hub.metrics")
    if registry is None:
        registry = app.extensions["hub.metrics"] = registry_for(lambda: new_session(app))
    return registry


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: exchanges by state and type, latencies, queue depths and ages."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return Response(generate_latest(_registry(app)), mimetype=CONTENT_TYPE_LATEST)
