"""The audit trail: events appended in the caller's transaction, then sealed into a hash chain.

Appending takes no lock, so concurrent requests commit in parallel (and PostgreSQL can group their
commits). Sealing runs in one place at a time (the scheduler, and `flask hub audit-verify`): it gives
each unsealed event, in id order, the next chain position and its HMAC under the audit key over the
previous hash and its own canonical content. Once sealed, changing or removing an event breaks the
chain; checkpoints outside the database (`hub.audit.anchor`) catch a cut tail.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import logging
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.orm import Session

from hub.audit.models import AuditEvent
from hub.bulk import insert_values, json_texts, stored_now
from hub.db import transaction, utcnow
from hub.domain.audit import (
    GENESIS_HASH,
    KEYED_MARKER_ACTION,
    AuditRecord,
    BrokenLink,
    SealedEvent,
    chain_hash,
    legacy_boundary,
    legacy_hash,
    verify_chain,
)
from hub.domain.errors import HubError

log = logging.getLogger(__name__)
DEFAULT_BACKDATE_GRACE = timedelta(hours=1)

# Any constant works; it only has to be the same in every process appending to the chain.
_AUDIT_LOCK_KEY = 0x4855_4241_5544  # "HUBAUD"


def record_event(session: Session, *, actor: str, action: str, object_type: str, object_id: str,
                 partner_id: int | None = None, details: dict[str, Any] | None = None) -> None:
    """Append one event to the chain; the lock is held until the caller's transaction ends."""
    record_events(session, [EventSpec(actor, action, object_type, str(object_id), partner_id,
                                      details or {})])


# Not frozen: a frozen dataclass's __init__ costs a call per field, and a reconciliation run appends
# 180,000 events (0.45 s of its time).
@dataclass(slots=True)
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
    details = json_texts([spec.details for spec in specs])
    insert_values(session, AuditEvent, _EVENT_COLUMNS, [
        (at, spec.actor, spec.action, spec.object_type, spec.object_id, spec.partner_id,
         "null" if text_ is None else text_) for spec, text_ in zip(specs, details, strict=True)])


_EVENT_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "partner_id", "details")


class AuditKeyMismatch(HubError):
    """The chain's head does not verify with this process's audit key: sealing stops."""

    code = "AUDIT_KEY_MISMATCH"


def seal(session: Session, key: bytes, *, limit: int = 20_000,
         backdate_grace: timedelta = DEFAULT_BACKDATE_GRACE, allow_upgrade: bool = False) -> int:
    """Chain the committed, unsealed events in id order; returns how many were sealed.

    The caller commits. One sealer at a time: an advisory lock on PostgreSQL; elsewhere the
    unique `seq` makes a second, concurrent sealer fail instead of forking the chain. Events that
    do not fit (dated before the head by more than `backdate_grace`, or claiming the reserved
    marker action) are left unsealed for `flask hub audit-verify` to report. A head hashed
    unkeyed (a chain from before keying) gets a keyed marker first when `allow_upgrade`.
    """
    _lock_chain(session)
    head = session.scalars(select(AuditEvent).where(AuditEvent.seq.is_not(None))
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq: int = (head.seq or 0) if head else 0
    prev: str = (head.hash or GENESIS_HASH) if head else GENESIS_HASH
    pending = [event for event in session.scalars(
        select(AuditEvent).where(AuditEvent.hash.is_(None), AuditEvent.seq.is_(None))
        .order_by(AuditEvent.id).limit(limit)).all()
        if not _misfit(event, head, backdate_grace)]
    if head is not None and not _head_is_keyed(head, key):
        pending.insert(0, _upgrade_marker(session, head, allow_upgrade))
    updates = []
    for event in pending:
        seq += 1
        record = as_record(event, prev)
        prev = chain_hash(record, key)
        updates.append({"id": event.id, "seq": seq, "prev_hash": record.prev_hash, "hash": prev})
    if updates:
        session.execute(update(AuditEvent), updates)
    return len(updates)


def _head_is_keyed(head: AuditEvent, key: bytes) -> bool:
    return hmac.compare_digest(chain_hash(as_record(head), key), head.hash or "")


def _upgrade_marker(session: Session, head: AuditEvent, allowed: bool) -> AuditEvent:
    """The keyed event that vouches for the unkeyed chain up to `head`, added unsealed."""
    if not (allowed and legacy_hash(as_record(head)) == head.hash):
        raise AuditKeyMismatch(
            f"the audit chain's head (event {head.id}, seq {head.seq}) does not verify with this "
            "audit key: the key is not the one that sealed the chain, or the head was changed; "
            "sealing stopped (run `flask hub audit-verify`)")
    marker = AuditEvent(at=utcnow(), actor="hub", action=KEYED_MARKER_ACTION,
                        object_type="audit_chain", object_id=str(head.seq),
                        details={"legacy_until_seq": head.seq, "legacy_head_hash": head.hash})
    session.add(marker)
    session.flush()
    log.warning("audit chain: events up to seq %s keep their unkeyed SHA-256 hashes; every "
                "event from now on is keyed (marker event %s)", head.seq, marker.id)
    return marker


def misfit_reason(event: AuditEvent, head: AuditEvent | None, grace: timedelta) -> str | None:
    """Why an unsealed event cannot be a genuine one waiting to be sealed, or None."""
    if event.hash is not None or event.seq is not None:
        return "it carries a hash or a chain position it was never given by the sealer"
    if event.action == KEYED_MARKER_ACTION:
        return "it claims the reserved action only the sealer writes"
    if head is not None and event.at < head.at - grace:
        return (f"it is dated {event.at.isoformat()}, before the chain's head (seq {head.seq}, "
                f"{head.at.isoformat()}): a backdated insert")
    return None


def _misfit(event: AuditEvent, head: AuditEvent | None, grace: timedelta) -> bool:
    reason = misfit_reason(event, head, grace)
    if reason and event.id not in _reported_misfits:
        _reported_misfits.add(event.id)
        log.error("audit event %s is not sealed: %s", event.id, reason)
    return reason is not None


_reported_misfits: set[int] = set()  # logged once per process, reported by audit-verify each run


def seal_all(session: Session, key: bytes, *, backdate_grace: timedelta = DEFAULT_BACKDATE_GRACE,
             allow_upgrade: bool = False) -> int:
    """Seal until nothing is left; commits after each batch."""
    total = 0
    while True:
        with transaction(session):
            done = seal(session, key, backdate_grace=backdate_grace, allow_upgrade=allow_upgrade)
        total += done
        if done == 0:
            return total


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})


def as_record(event: AuditEvent, prev_hash: str | None = None) -> AuditRecord:
    """What is hashed of a stored event (with `prev_hash` when it is being sealed)."""
    return AuditRecord(at=event.at, actor=event.actor, action=event.action,
                       object_type=event.object_type, object_id=event.object_id,
                       partner_id=event.partner_id, details=event.details or {},
                       prev_hash=prev_hash if prev_hash is not None else event.prev_hash or "")


@dataclass
class ChainReport:
    """What walking the sealed chain found."""

    checked: int = 0
    last_seq: int = 0
    broken: BrokenLink | None = None


def verify(session: Session, key: bytes, *, batch: int = 5000) -> ChainReport:
    """Check the sealed chain in order (keyed; unkeyed only up to a genuine marker)."""
    report = ChainReport()

    def stream() -> Iterator[SealedEvent]:
        last_seq = 0
        while True:
            rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > last_seq)
                                   .order_by(AuditEvent.seq).limit(batch)).all()
            if not rows:
                return
            for event in rows:
                sealed = _as_sealed(event)
                report.checked += 1
                report.last_seq = sealed.seq
                yield sealed
            last_seq = rows[-1].seq or last_seq
            session.expunge_all()

    report.broken = verify_chain(stream(), key, _legacy_until(session, key))
    return report


def _as_sealed(event: AuditEvent) -> SealedEvent:
    return SealedEvent(event.id, event.seq or 0, as_record(event), event.hash or "")


def _legacy_until(session: Session, key: bytes) -> int:
    """The last unkeyed position, from the chain's first marker when it is genuine."""
    marker = session.scalars(select(AuditEvent).where(AuditEvent.action == KEYED_MARKER_ACTION,
                                                      AuditEvent.seq.is_not(None))
                             .order_by(AuditEvent.seq).limit(1)).first()
    return legacy_boundary(_as_sealed(marker), key) if marker is not None else 0


def hashes_at(session: Session, positions: Collection[int]) -> dict[int, str]:
    """The stored hash at each of the chain positions given (missing ones are left out)."""
    wanted = sorted(positions)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 1000):
        rows = session.execute(select(AuditEvent.seq, AuditEvent.hash)
                               .where(AuditEvent.seq.in_(wanted[start:start + 1000])))
        found.update({seq or 0: hash_ or "" for seq, hash_ in rows})
    return found


def misfits(session: Session, grace: timedelta, limit: int = 10) -> list[tuple[int, str]]:
    """Unsealed events the sealer refuses, with why (the first `limit`)."""
    head = session.scalars(select(AuditEvent).where(AuditEvent.seq.is_not(None))
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    found: list[tuple[int, str]] = []
    for event in session.scalars(select(AuditEvent).where(
            (AuditEvent.hash.is_(None)) | (AuditEvent.seq.is_(None))).order_by(AuditEvent.id)):
        reason = misfit_reason(event, head, grace)
        if reason:
            found.append((event.id, reason))
            if len(found) >= limit:
                break
    return found


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
