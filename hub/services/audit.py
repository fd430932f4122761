"""Appending to and reading the audit chain. Appends happen in the caller's transaction."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, text
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.domain.audit import GENESIS_HASH, AuditRecord, BrokenLink, chain_hash, verify_chain
from hub.models import AuditEvent

# Any constant works; it only has to be the same in every process appending to the chain.
_AUDIT_LOCK_KEY = 0x4855_4241_5544  # "HUBAUD"


def record_event(session: Session, *, actor: str, action: str, object_type: str, object_id: str,
                 partner_id: int | None = None, details: dict[str, Any] | None = None) -> None:
    """Append one event to the chain; the lock is held until the caller's transaction ends."""
    record_events(session, [EventSpec(actor, action, object_type, str(object_id), partner_id,
                                      details or {})])


@dataclass(frozen=True)
class EventSpec:
    """What the caller says about an event; time and hashes are added when it is appended."""

    actor: str
    action: str
    object_type: str
    object_id: str
    partner_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record_events(session: Session, specs: list[EventSpec]) -> None:
    """Append several events in order with one lock, one read of the chain's head, one INSERT."""
    if not specs:
        return
    _lock_chain(session)
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) \
        or GENESIS_HASH
    at = utcnow()
    rows = []
    for spec in specs:
        record = AuditRecord(at=at, actor=spec.actor, action=spec.action,
                             object_type=spec.object_type, object_id=spec.object_id,
                             partner_id=spec.partner_id, details=spec.details, prev_hash=prev)
        prev = chain_hash(record)
        rows.append({"at": at, "actor": spec.actor, "action": spec.action,
                     "object_type": spec.object_type, "object_id": spec.object_id,
                     "partner_id": spec.partner_id, "details": spec.details,
                     "prev_hash": record.prev_hash, "hash": prev})
    # Rows go in chain order, so their ids follow it: verification walks ids in order.
    session.execute(insert(AuditEvent), rows)


def _lock_chain(session: Session) -> None:
    """Serialise appends so two transactions never link to the same previous event."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
    # SQLite serialises writers itself; the unique prev_hash catches anything that slips through.


def _as_record(event: AuditEvent) -> AuditRecord:
    return AuditRecord(at=event.at, actor=event.actor, action=event.action,
                       object_type=event.object_type, object_id=event.object_id,
                       partner_id=event.partner_id, details=event.details or {},
                       prev_hash=event.prev_hash)


def verify(session: Session, batch: int = 5000) -> tuple[int, BrokenLink | None]:
    """Check the whole chain in id order; returns (events checked, first broken link or None)."""
    checked = 0

    def stream() -> Iterator[tuple[int, AuditRecord, str]]:
        nonlocal checked
        last_id = 0
        while True:
            rows = session.scalars(select(AuditEvent).where(AuditEvent.id > last_id)
                                   .order_by(AuditEvent.id).limit(batch)).all()
            if not rows:
                return
            for event in rows:
                checked += 1
                yield event.id, _as_record(event), event.hash
            last_id = rows[-1].id
            session.expunge_all()

    broken = verify_chain(stream())
    return checked, broken


@dataclass
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    partner_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def filtered(flt: AuditFilter) -> Select[AuditEvent]:
    """The SELECT for events matching the filter, oldest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.action:
        stmt = stmt.where(AuditEvent.action == flt.action)
    if flt.object_type:
        stmt = stmt.where(AuditEvent.object_type == flt.object_type)
    if flt.object_id:
        stmt = stmt.where(AuditEvent.object_id == flt.object_id)
    if flt.partner_id is not None:
        stmt = stmt.where(AuditEvent.partner_id == flt.partner_id)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEvent.at < flt.until)
    return stmt


def event_as_dict(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(), "actor": event.actor, "action": event.action,
            "object_type": event.object_type, "object_id": event.object_id,
            "partner_id": event.partner_id, "details": event.details, "hash": event.hash,
            "prev_hash": event.prev_hash}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formula injection: a cell that could start a formula gets a quote."""
    text_value = "" if value is None else str(value)
    return "'" + text_value if text_value.startswith(_FORMULA_START) else text_value


CSV_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "partner_id", "details",
               "hash")


def export_csv(events: list[AuditEvent]) -> str:
    """The events as CSV text, every cell made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        row = event_as_dict(e)
        row["details"] = json.dumps(e.details, sort_keys=True, ensure_ascii=False)
        writer.writerow([csv_safe(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()
