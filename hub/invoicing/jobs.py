"""Invoicing's scheduled job: open invoices past their due date become overdue, once per day."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from hub.db import new_session, transaction
from hub.invoicing import service

log = logging.getLogger(__name__)


def add_jobs(scheduler: Any, app: Flask) -> None:
    """Add invoicing's job to the hub's scheduler (the leader's only); each day's run happens once."""
    scheduler.add_job(lambda: overdue(app), "interval", id="invoices_overdue", hours=1,
                      misfire_grace_time=3600)


def overdue(app: Flask) -> None:
    with new_session(app) as session, transaction(session):
        late = service.mark_overdue(session, datetime.now(UTC))
    if late:
        log.info("invoices overdue: %s", ", ".join(late))
