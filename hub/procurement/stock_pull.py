"""Stock levels pulled from the ERPs that are asked to (connector option `pull_stock_levels=true`).

Each connector is called outside any transaction (no database lock is held across the network), then
what it returned is recorded in one transaction with its job run, keyed by (connector's job, slot): a
slot pulls once. A failing ERP is recorded as a failed run and retried at the next slot; it never
stops the others. The next pull asks for what changed after the newest level the last one got.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import transaction
from hub.domain.errors import ConnectorError, HubError
from hub.erp.connectors import connector_for
from hub.exchanges.erp_inbound import parse_stock_levels, record_stock_levels
from hub.jobruns.models import JobOutcome
from hub.jobruns.service import claim_slot, finish, runs
from hub.jobruns.slots import slot_key
from hub.models import ErpConnector

SessionFactory = Callable[[], Session]
OPTION = "pull_stock_levels"


def _job(connector: ErpConnector) -> str:
    return f"pull_stock_levels:{connector.id}"


def pulling_connectors(session: Session) -> list[ErpConnector]:
    rows = session.scalars(select(ErpConnector).where(ErpConnector.active.is_(True)))
    return [r for r in rows if (r.settings or {}).get("options", {}).get(OPTION) in (True, "true", "1")]


def _since(session: Session, connector: ErpConnector) -> str | None:
    done = [r for r in runs(session, _job(connector), limit=20) if r.outcome == JobOutcome.done]
    return next((r.details.get("newest") for r in done if r.details.get("newest")), None)


def pull(sessions: SessionFactory, *, at: datetime, every: timedelta, secret_key: str) -> dict[str, Any]:
    """Pull every asking connector's stock levels for the slot containing `at`; what each did.
    `secret_key` (Settings.secret_key) opens the connectors' encrypted secrets."""
    with sessions() as session:
        targets = [(row, _since(session, row)) for row in pulling_connectors(session)]
        session.expunge_all()
    return {row.name: _pull_one(sessions, row, since, slot_key(at, every), secret_key)
            for row, since in targets}


def _pull_one(sessions: SessionFactory, row: ErpConnector, since: str | None, slot: str,
              secret_key: str) -> dict[str, Any]:
    try:
        records = connector_for(row, secret_key=secret_key).fetch("stock_levels", since)
        levels = parse_stock_levels([{**r, "as_of": r.get("as_of") or r.get("updated_at")} for r in records])
    except (ConnectorError, HubError) as exc:
        return _record(sessions, row, slot, outcome=JobOutcome.failed, error=exc.message)
    newest = max((level.as_of for level in levels), default=None)
    return _record(sessions, row, slot, levels=levels, newest=newest.isoformat() if newest else since)


def _record(sessions: SessionFactory, row: ErpConnector, slot: str, *, outcome: JobOutcome = JobOutcome.done,
            levels: list[Any] | None = None, **details: Any) -> dict[str, Any]:
    with sessions() as session, transaction(session):
        job_run = claim_slot(session, _job(row), slot)
        if job_run is None:
            return {"skipped": f"slot {slot} already pulled"}
        connector = session.get(ErpConnector, row.id)
        assert connector is not None
        counts = record_stock_levels(session, levels or [], connector=connector,
                                     actor=f"system:pull:{connector.name}") if levels else {}
        finish(job_run, outcome=outcome, **counts, **details)
        return {"outcome": outcome, **counts, **details}
