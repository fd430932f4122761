"""The audit trail: events appended in the caller's transaction, then sealed into a hash chain.

Appending takes no lock, so concurrent requests commit in parallel (and PostgreSQL can group their
commits). Sealing runs in one place at a time (the scheduler, and `flask hub audit-verify`): it gives
each unsealed event, in id order, the next chain position and its hash over the previous hash and
its own canonical content. Once sealed, changing or removing an event breaks the chain.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.orm import Session

from hub.bulk import insert_values, stored_now
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
    """Append events in order (one INSERT); the sealer chains them after they commit."""
    if not specs:
        return
    at = stored_now(session)
    dumps = json.dumps
    insert_values(session, AuditEvent, _EVENT_COLUMNS, [
        (at, spec.actor, spec.action, spec.object_type, spec.object_id, spec.partner_id,
         dumps(spec.details)) for spec in specs])


_EVENT_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "partner_id", "details")


def seal(session: Session, limit: int = 20_000) -> int:
    """Chain the committed, unsealed events in id order; returns how many were sealed.

    The caller commits. One sealer at a time: an advisory lock on PostgreSQL; elsewhere the
    unique `seq` makes a second, concurrent sealer fail instead of forking the chain.
    """
    _lock_chain(session)
    head = session.execute(select(AuditEvent.seq, AuditEvent.hash)
                           .where(AuditEvent.seq.is_not(None))
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq: int = (head[0] or 0) if head else 0
    prev: str = (head[1] or GENESIS_HASH) if head else GENESIS_HASH
    pending = session.scalars(select(AuditEvent).where(AuditEvent.hash.is_(None))
                              .order_by(AuditEvent.id).limit(limit)).all()
    updates = []
    for event in pending:
        seq += 1
        record = _as_record(event, prev)
        prev = chain_hash(record)
        updates.append({"id": event.id, "seq": seq, "prev_hash": record.prev_hash, "hash": prev})
    if updates:
        session.execute(update(AuditEvent), updates)
    return len(updates)


def seal_all(session: Session) -> int:
    """Seal until nothing is left; commits after each batch."""
    total = 0
    while True:
        done = seal(session)
        session.commit()
        total += done
        if done == 0:
            return total


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})


def _as_record(event: AuditEvent, prev_hash: str | None = None) -> AuditRecord:
    return AuditRecord(at=event.at, actor=event.actor, action=event.action,
                       object_type=event.object_type, object_id=event.object_id,
                       partner_id=event.partner_id, details=event.details or {},
                       prev_hash=prev_hash if prev_hash is not None else event.prev_hash or "")


def verify(session: Session, batch: int = 5000) -> tuple[int, BrokenLink | None]:
    """Check the sealed chain in order; returns (events checked, first broken link or None)."""
    checked = 0

    def stream() -> Iterator[tuple[int, AuditRecord, str]]:
        nonlocal checked
        last_seq = 0
        while True:
            rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > last_seq)
                                   .order_by(AuditEvent.seq).limit(batch)).all()
            if not rows:
                return
            for event in rows:
                checked += 1
                yield event.id, _as_record(event), event.hash or ""
            last_seq = rows[-1].seq or last_seq
            session.expunge_all()

    broken = verify_chain(stream())
    return checked, broken


def unsealed(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.hash.is_(None))) or 0


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


def export_csv(events: Iterable[AuditEvent], *, header: bool = True) -> str:
    """The events as CSV text, every cell made safe for spreadsheets; `header=False` for a next part."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(CSV_COLUMNS)
    for e in events:
        row = event_as_dict(e)
        row["details"] = json.dumps(e.details, sort_keys=True, ensure_ascii=False)
        writer.writerow([csv_safe(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()
