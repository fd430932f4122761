"""Procurement's scheduled jobs: the replenishment run of each slot, and sending released orders."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from hub.db import new_session
from hub.procurement import service, stock_pull

log = logging.getLogger(__name__)
SEND_EVERY_SECONDS = 10


def add_jobs(scheduler: Any, app: Flask) -> None:
    """Add procurement's jobs to the hub's scheduler (the leader's only)."""
    settings = app.config["HUB_SETTINGS"]
    if not settings.procurement.replenish_enabled:
        return
    every = settings.procurement.replenish_every_minutes
    # a run missed by less than its slot still happens (once, keyed by its slot)
    scheduler.add_job(lambda: replenish(app), "interval", id="replenish", minutes=every,
                      misfire_grace_time=every * 60)
    scheduler.add_job(lambda: send(app), "interval", id="send_purchase_orders", seconds=SEND_EVERY_SECONDS)


def replenish(app: Flask) -> None:
    """Pull stock from the ERPs asked to, then the run of this slot."""
    hub_settings = app.config["HUB_SETTINGS"]
    settings = hub_settings.procurement
    pulled = stock_pull.pull(lambda: new_session(app), at=datetime.now(UTC),
                             every=timedelta(minutes=settings.replenish_every_minutes),
                             secret_key=hub_settings.secret_key)
    if pulled:
        log.info("stock levels pulled: %s", pulled)
    result = service.scheduled_replenishment(lambda: new_session(app), settings)
    log.info("replenishment: %s", {k: v for k, v in result.items() if k != "orders"})


def send(app: Flask) -> None:
    result = service.send_released(lambda: new_session(app), app.config["HUB_SETTINGS"])
    if result["sent"] or result["failed"]:
        log.info("purchase orders: %d sent, %d not sendable", len(result["sent"]), len(result["failed"]))
