"""Retention's scheduled job: once a day (keyed by job and day), purge under the policy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from hub.db import get_engine, new_session, transaction
from hub.retention import service

log = logging.getLogger(__name__)


def add_jobs(scheduler: Any, app: Flask) -> None:
    """Add the purge to the leader's scheduler when a class has a policy (HUB_RETENTION_*_DAYS)."""
    if app.config["HUB_SETTINGS"].retention.ages():
        scheduler.add_job(lambda: purge(app), "interval", id=service.JOB, hours=1,
                          misfire_grace_time=3600)


def purge(app: Flask, now: datetime | None = None) -> dict[str, Any] | None:
    """The day's purge in its own transaction, then the SQLite file compacted when anything went."""
    session = new_session(app)
    try:
        with transaction(session):
            report = service.scheduled_purge(session, app.config["HUB_SETTINGS"].retention,
                                             now or datetime.now(UTC))
    finally:
        session.close()
    if report is not None:
        log.info("retention purge: %s", {k: v["purged"] for k, v in report["classes"].items()})
        if service.purged_anything(report):
            service.compact(get_engine(app))
    return report
