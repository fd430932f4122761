"""Matching's scheduled job: one run per slot (keyed by job and slot), its misfire grace a whole slot."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from hub.db import new_session
from hub.reconciliation import service

log = logging.getLogger(__name__)


def add_jobs(scheduler: Any, app: Flask) -> None:
    """Add the matching run to the hub's scheduler (the leader's only)."""
    settings = app.config["HUB_SETTINGS"].matching
    if not settings.enabled:
        return
    every = settings.every_minutes
    # a run missed by less than its slot still happens (once, keyed by its slot)
    scheduler.add_job(lambda: reconcile(app), "interval", id=service.JOB, minutes=every,
                      misfire_grace_time=every * 60)


def reconcile(app: Flask) -> dict[str, Any]:
    """The run of the current slot, once."""
    result = service.reconcile(lambda: new_session(app), app.config["HUB_SETTINGS"].matching,
                               at=datetime.now(UTC), scheduled=True)
    log.info("reconciliation: %s", result)
    return result
