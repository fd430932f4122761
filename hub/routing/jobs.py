"""Routing's scheduled job: close the partners' outbound batches whose window has ended, once per
slot (keyed by job and slot, so two schedulers or a manual run beside it close each batch once)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.db import new_session, transaction
from hub.jobruns.service import run_in_slot
from hub.routing import batching

log = logging.getLogger(__name__)
JOB = "close_batches"
EVERY = timedelta(seconds=15)


def add_jobs(scheduler: Any, app: Flask) -> None:
    """Add routing's job to the hub's scheduler (the leader's only)."""
    scheduler.add_job(lambda: close_batches(lambda: new_session(app), app.config["HUB_SETTINGS"]),
                      "interval", id=JOB,
                      seconds=int(EVERY.total_seconds()), misfire_grace_time=60)


def close_batches(make_session: Callable[[], Session], settings: Settings,
                  now: datetime | None = None) -> int:
    """The run of the slot containing `now`: close every due batch; how many were closed (0 when
    none was due, or the slot was run already). A slot is claimed only when a batch is due."""
    at = now or datetime.now(UTC)
    with make_session() as session:
        if not batching.any_due(session, at):
            return 0
        closed: list[dict[str, Any]] = []

        def effect(inner: Session, _run: Any) -> dict[str, Any]:
            closed.extend(batching.close_due(inner, at, settings=settings))
            return {"closed": closed}

        with transaction(session):
            run_in_slot(session, JOB, at, EVERY, effect)
    if closed:
        log.info("outbound batches closed: %d", len(closed))
    return len(closed)
