"""Bank statements fetched on a schedule from the connectors asked to (option `statements=true` on a
`file` connector: its `<inbox>/statements/` folder, where a bank or ERP drops statement files).

One run per connector and slot (job `fetch_statements:<connector id>`, keyed by slot through
`hub.jobruns`), so two schedulers fetch once. Each file is imported in its own transaction (a bad
file never stops the others; it is stored failed with its problems, like an upload) and then moved
to `<archive>/statements/`: a crash between the two re-imports the file at the next slot, which the
import's idempotency turns into nothing new. Options `statements_format` and `statements_profile`
fix the format and the CSV profile when sniffing is not wanted.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import new_session
from hub.domain.errors import ConnectorError, HubError
from hub.jobruns.models import JobRun
from hub.jobruns.service import claim_slot, finish
from hub.jobruns.slots import slot_key
from hub.models import ErpConnector
from hub.reconciliation.imports import Source, import_in_transaction
from hub.reconciliation.statements.csv_profiles import CsvProfile, load_profiles
from hub.services.connectors_admin import connector_for

log = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]
OPTION = "statements"
FOLDER = "statements"


def add_jobs(scheduler: Any, app: Flask) -> None:
    """Add the statement fetch to the hub's scheduler (the leader's only)."""
    every = app.config["HUB_SETTINGS"].statement_fetch_minutes
    if every > 0:
        scheduler.add_job(lambda: run(app), "interval", id="fetch_statements", minutes=every,
                          misfire_grace_time=every * 60)


def run(app: Flask) -> None:
    settings = app.config["HUB_SETTINGS"]
    result = fetch(lambda: new_session(app), at=datetime.now(UTC),
                   every=timedelta(minutes=settings.statement_fetch_minutes),
                   profiles=load_profiles(settings.statement_profiles or None))
    if result:
        log.info("statements fetched: %s", result)


def fetching_connectors(session: Session) -> list[ErpConnector]:
    rows = session.scalars(select(ErpConnector).where(ErpConnector.active.is_(True))
                           .order_by(ErpConnector.id))
    return [r for r in rows if (r.settings or {}).get("options", {}).get(OPTION) in (True, "true", "1")]


def fetch(sessions: SessionFactory, *, at: datetime, every: timedelta,
          profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    """Import every asking connector's statement files for the slot containing `at`."""
    with sessions() as session:
        targets = fetching_connectors(session)
        session.expunge_all()
    return {row.name: _fetch_one(sessions, row, slot_key(at, every), profiles) for row in targets}


def _fetch_one(sessions: SessionFactory, row: ErpConnector, slot: str,
               profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    with sessions() as session:
        job_run = claim_slot(session, f"fetch_statements:{row.id}", slot)
        if job_run is None:
            return {"skipped": f"slot {slot} already fetched"}
        session.commit()
        run_id = job_run.id
    details: dict[str, Any]
    try:
        files = _inbox(row)
        outcome, details = "done", {"files": [_import_file(sessions, row, p, profiles) for p in files]}
    except (ConnectorError, OSError) as exc:
        message = exc.message if isinstance(exc, ConnectorError) else str(exc)
        outcome, details = "failed", {"error": message}
    with sessions() as session:
        job_run = session.get(JobRun, run_id)
        assert job_run is not None
        finish(job_run, outcome=outcome, **details)
        session.commit()
    return {"outcome": outcome, **details}


def _inbox(row: ErpConnector) -> list[Path]:
    if row.key != "file":
        raise ConnectorError(f"connector {row.name}: statements=true needs a file connector", retryable=False)
    folder = Path(connector_for(row).inbox) / FOLDER  # type: ignore[attr-defined]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _import_file(sessions: SessionFactory, row: ErpConnector, path: Path,
                 profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    options = (row.settings or {}).get("options", {})
    source = Source(actor=f"system:fetch:{row.name}", filename=path.name, connector_id=row.id)
    try:
        with sessions() as session:
            outcome = import_in_transaction(session, path.read_bytes(), source=source,
                                            fmt=options.get("statements_format") or None,
                                            profile=options.get("statements_profile") or None,
                                            profiles=profiles)
            summary: dict[str, Any] = {"file": path.name, "exchange_id": outcome.exchange.id,
                                       **outcome.counts()}
            if outcome.error is not None:
                summary["error"] = outcome.error.message
    except HubError as exc:  # nothing stored (empty, not a statement): set aside with the reason
        _archive(row, path, "rejected")
        return {"file": path.name, "error": exc.message}
    _archive(row, path, FOLDER)
    return summary


def _archive(row: ErpConnector, path: Path, kind: str) -> None:
    folder = Path(connector_for(row).archive) / kind  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{time.time_ns()}{path.suffix}"
    os.replace(path, target)
