"""Bank statements fetched on a schedule from the connectors asked to (option `statements=true`): a
`file` connector's `<inbox>/statements/` folder, where a bank or ERP drops statement files; any other
connector's `fetch("statements", since)` (a REST ERP's `GET /statements?since=`), records holding
each file base64-encoded, asked for what came after the newest `updated_at` already fetched.

One run per connector and slot (job `fetch_statements:<connector id>`, keyed by slot through
`hub.jobruns`), so two schedulers fetch once. Each file is imported in its own transaction (a bad
file never stops the others; it is stored failed with its problems, like an upload) and then moved
to `<archive>/statements/`: a crash between the two re-imports the file at the next slot, which the
import's idempotency turns into nothing new. Options `statements_format` and `statements_profile`
fix the format and the CSV profile when sniffing is not wanted.
"""

from __future__ import annotations

import base64
import binascii
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

from connectors.base import Connector
from hub.db import new_session, transaction
from hub.domain.errors import ConnectorError, HubError
from hub.erp.connectors import connector_for
from hub.jobruns.models import JobOutcome, JobRun
from hub.jobruns.service import claim_slot, finish, runs
from hub.jobruns.slots import slot_key
from hub.models import ErpConnector
from hub.reconciliation.imports import Source, import_in_transaction
from hub.reconciliation.statements.csv_profiles import CsvProfile, load_profiles

log = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]
OPTION = "statements"
FORMAT_OPTION, PROFILE_OPTION = "statements_format", "statements_profile"
OPTIONS = (OPTION, FORMAT_OPTION, PROFILE_OPTION)  # the connector options this module reads
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
                   profiles=load_profiles(settings.statement_profiles or None),
                   secret_key=settings.secret_key)
    if result:
        log.info("statements fetched: %s", result)


def fetching_connectors(session: Session) -> list[ErpConnector]:
    rows = session.scalars(select(ErpConnector).where(ErpConnector.active.is_(True))
                           .order_by(ErpConnector.id))
    return [r for r in rows if (r.settings or {}).get("options", {}).get(OPTION) in (True, "true", "1")]


def fetch(sessions: SessionFactory, *, at: datetime, every: timedelta,
          profiles: dict[str, CsvProfile], secret_key: str) -> dict[str, Any]:
    """Import every asking connector's statement files for the slot containing `at`. `secret_key`
    (Settings.secret_key) opens the connectors' encrypted secrets."""
    with sessions() as session:
        targets = fetching_connectors(session)
        session.expunge_all()
    return {row.name: _fetch_one(sessions, row, slot_key(at, every), profiles, secret_key)
            for row in targets}


def _fetch_one(sessions: SessionFactory, row: ErpConnector, slot: str,
               profiles: dict[str, CsvProfile], secret_key: str) -> dict[str, Any]:
    job = f"fetch_statements:{row.id}"
    with sessions() as session, transaction(session):
        since = _since(session, job)
        job_run = claim_slot(session, job, slot)
        if job_run is None:
            return {"skipped": f"slot {slot} already fetched"}
        run_id = job_run.id
    details: dict[str, Any]
    try:
        connector = connector_for(row, secret_key=secret_key)
        if row.key == "file":
            details = {"files": [_import_file(sessions, row, connector, p, profiles)
                                 for p in _inbox(connector)]}
        else:
            details = _import_records(sessions, row, connector, since, profiles)
        outcome = JobOutcome.done
    except (ConnectorError, OSError) as exc:
        message = exc.message if isinstance(exc, ConnectorError) else str(exc)
        outcome, details = JobOutcome.failed, {"error": message}
    with sessions() as session, transaction(session):
        job_run = session.get(JobRun, run_id)
        assert job_run is not None
        finish(job_run, outcome=outcome, **details)
    return {"outcome": outcome, **details}


def _since(session: Session, job: str) -> str | None:
    """The newest `updated_at` an earlier run of a REST connector got: the next asks for what came after."""
    done = [r for r in runs(session, job, limit=20) if r.outcome == JobOutcome.done]
    return next((r.details.get("newest") for r in done if r.details.get("newest")), None)


def _inbox(connector: Connector) -> list[Path]:
    folder = Path(connector.inbox) / FOLDER  # type: ignore[attr-defined]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _import(sessions: SessionFactory, row: ErpConnector, data: bytes, name: str, given: dict[str, Any],
            profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    """Import one file in its own transaction; what happened (HubError: nothing was stored). `given`:
    the connector's options, or a fetched record's own `format` and `profile`."""
    source = Source(actor=f"system:fetch:{row.name}", filename=name[:300], connector_id=row.id)
    with sessions() as session:
        outcome = import_in_transaction(session, data, source=source,
                                        fmt=given.get(FORMAT_OPTION) or given.get("format") or None,
                                        profile=given.get(PROFILE_OPTION) or given.get("profile")
                                        or None, profiles=profiles)
        summary: dict[str, Any] = {"file": name, "exchange_id": outcome.exchange.id, **outcome.counts()}
        if outcome.error is not None:
            summary["error"] = outcome.error.message
    return summary


def _import_file(sessions: SessionFactory, row: ErpConnector, connector: Connector, path: Path,
                 profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    options = (row.settings or {}).get("options", {})
    try:
        summary = _import(sessions, row, path.read_bytes(), path.name, options, profiles)
    except HubError as exc:  # nothing stored (empty, not a statement): set aside with the reason
        _archive(connector, path, "rejected")
        return {"file": path.name, "error": exc.message}
    _archive(connector, path, FOLDER)
    return summary


def _import_records(sessions: SessionFactory, row: ErpConnector, connector: Connector, since: str | None,
                    profiles: dict[str, CsvProfile]) -> dict[str, Any]:
    """A REST (or SOAP) connector's `statements` records: `{"id", "content": base64 of the file,
    "filename", "format", "profile", "updated_at"}`; each imported on its own."""
    options = (row.settings or {}).get("options", {})
    records = connector.fetch("statements", since)
    files, newest = [], since
    for index, record in enumerate(records):
        name = str(record.get("filename") or record.get("id") or f"statements[{index}]")
        try:
            data = base64.b64decode(str(record.get("content") or ""), validate=True)
            files.append(_import(sessions, row, data, name, {**options, **record}, profiles))
        except (binascii.Error, ValueError):
            files.append({"file": name, "error": f"statements[{index}].content is not base64"})
        except HubError as exc:
            files.append({"file": name, "error": exc.message})
        stamp = str(record.get("updated_at") or "")
        newest = max(newest or stamp, stamp) or None
    return {"files": files, "newest": newest}


def _archive(connector: Connector, path: Path, kind: str) -> None:
    folder = Path(connector.archive) / kind  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{time.time_ns()}{path.suffix}"
    os.replace(path, target)
