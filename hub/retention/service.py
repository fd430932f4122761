"""Purging what the retention policy lets go: raw bytes of received files, rendered files the hub
sent, canonical documents. Rows stay (with their digest, size, number and totals) and say when
their content went; what is not final, still awaited, unpaid or younger than the legal minimum for
invoices is kept. The caller owns the transaction; audit events are never purged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from hub.audit.service import EventSpec, record_events
from hub.domain.states import DeliveryState
from hub.erp import service as erp
from hub.erp.models import OutboundDelivery, OutboxEntry
from hub.exchanges import service as exchanges
from hub.invoicing import service as invoicing
from hub.jobruns.service import run_in_slot
from hub.records.models import Document, Exchange
from hub.retention.domain import (
    CLASSES,
    FINAL_INBOUND,
    FINAL_OUTBOUND,
    INVOICE_DOC_TYPES,
    INVOICE_EXCHANGE_TYPES,
    KEPT,
    Candidate,
    RetentionPolicy,
    Verdict,
    verdict,
    years_before,
)

CHUNK = 500
JOB = "retention_purge"


def _documents_of(exchange_id: Any, *where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(Document.exchange_id == exchange_id, *where)


def _busy_document(document_id: Any) -> ColumnElement[bool]:
    """A push delivery not yet sent (pending, retrying or dead: an operator may redeliver it) or
    an entry a polling ERP has not acknowledged."""
    return or_(exists().where(OutboundDelivery.document_id == document_id,
                              OutboundDelivery.state.not_in(FINAL_OUTBOUND)),
               exists().where(OutboxEntry.document_id == document_id, OutboxEntry.acked_at.is_(None)))


def _exchange_flags() -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """(busy, unpaid, invoice) of the Exchange row in the query, as correlated EXISTS."""
    part = aliased(Exchange)
    part_doc = aliased(Document)
    busy = or_(
        exists().where(Document.exchange_id == Exchange.id,
                       or_(Document.held.is_not(None), _busy_document(Document.id))),
        exists().where(part.part_of == Exchange.id, part.state.not_in(FINAL_INBOUND)))
    unpaid = Exchange.id.in_(invoicing.unpaid_exchange_ids())
    invoice = or_(
        Exchange.doc_type.in_(INVOICE_EXCHANGE_TYPES),
        _documents_of(Exchange.id, Document.doc_type.in_(INVOICE_DOC_TYPES)),
        Exchange.id.in_(invoicing.invoice_exchange_ids()),
        exists().where(part.part_of == Exchange.id, or_(
            part.doc_type.in_(INVOICE_EXCHANGE_TYPES),
            exists().where(part_doc.exchange_id == part.id, part_doc.doc_type.in_(INVOICE_DOC_TYPES)))))
    return busy, unpaid, invoice


def _exchange_candidates(session: Session, direction: str, cutoff: datetime) -> list[Candidate]:
    busy, unpaid, invoice = _exchange_flags()
    finals = FINAL_INBOUND if direction == "inbound" else FINAL_OUTBOUND
    rows = session.execute(select(
        Exchange.id, Exchange.received_at, Exchange.state.in_(finals), busy, unpaid, invoice,
        Exchange.size).where(Exchange.direction == direction, Exchange.purged_at.is_(None),
                             Exchange.received_at < cutoff).order_by(Exchange.received_at))
    return [Candidate(r[0], r[1], bool(r[2]), bool(r[3]), bool(r[4]), bool(r[5]), r[6]) for r in rows]


def _document_candidates(session: Session, cutoff: datetime) -> list[Candidate]:
    final = or_(and_(Exchange.direction == "inbound", Exchange.state.in_(FINAL_INBOUND)),
                and_(Exchange.direction == "outbound", Exchange.state.in_(FINAL_OUTBOUND)))
    busy = or_(Document.held.is_not(None), _busy_document(Document.id))
    invoice = or_(Document.doc_type.in_(INVOICE_DOC_TYPES),
                  Document.exchange_id.in_(invoicing.invoice_exchange_ids()))
    rows = session.execute(select(
        Document.id, Document.created_at, final, busy,
        Document.exchange_id.in_(invoicing.unpaid_exchange_ids()), invoice)
        .join(Exchange, Exchange.id == Document.exchange_id)
        .where(Document.purged_at.is_(None), Document.created_at < cutoff)
        .order_by(Document.created_at))
    return [Candidate(r[0], r[1], bool(r[2]), bool(r[3]), bool(r[4]), bool(r[5])) for r in rows]


def _payload_candidates(session: Session, model: Any, cutoff: datetime) -> list[Candidate]:
    """Sent push payloads and acknowledged outbox payloads, with their document's invoice flag."""
    done = model.state == DeliveryState.sent if model is OutboundDelivery else model.acked_at.is_not(None)
    invoice = or_(Document.doc_type.in_(INVOICE_DOC_TYPES),
                  Document.exchange_id.in_(invoicing.invoice_exchange_ids()))
    rows = session.execute(select(model.id, model.created_at, invoice, func.length(model.payload))
                           .join(Document, Document.id == model.document_id)
                           .where(done, model.payload.is_not(None), model.created_at < cutoff))
    return [Candidate(str(r[0]), r[1], True, False, False, bool(r[2]), r[3] or 0) for r in rows]


def _chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _forget(session: Session, target: Any, ids: Sequence[Any], now: datetime) -> None:
    """Each owner purges its own rows (retention decides which, the owner what is kept of them)."""
    for chunk in _chunks(ids):
        if target is Exchange:
            exchanges.purge_exchanges(session, chunk, now)
        elif target is Document:
            exchanges.purge_documents(session, chunk, now)
        else:
            erp.purge_payloads(session, target, chunk)


def _sources(session: Session, klass: str, cutoff: datetime) -> list[tuple[Any, list[Candidate]]]:
    if klass == "raw":
        return [(Exchange, _exchange_candidates(session, "inbound", cutoff))]
    if klass == "rendered":
        return [(Exchange, _exchange_candidates(session, "outbound", cutoff)),
                (OutboundDelivery, _payload_candidates(session, OutboundDelivery, cutoff)),
                (OutboxEntry, _payload_candidates(session, OutboxEntry, cutoff))]
    return [(Document, _document_candidates(session, cutoff))]


def purge(session: Session, ages: dict[str, timedelta], now: datetime, *, invoice_min_years: int,
          dry_run: bool = False, actor: str = "system:retention", run_id: str = "") -> dict[str, Any]:
    """Purge each class in `ages` older than its age; counts of what went and what was kept, by reason.

    One audit event records the run (never for a dry run, which changes nothing)."""
    invoice_cutoff = years_before(now, invoice_min_years)
    report: dict[str, Any] = {"dry_run": dry_run, "at": now.isoformat(),
                              "invoice_min_years": invoice_min_years, "classes": {}}
    for klass in (k for k in CLASSES if k in ages):
        cutoff = now - ages[klass]
        counts: dict[str, int] = {"purged": 0, "bytes": 0, **dict.fromkeys(KEPT, 0)}
        for target, candidates in _sources(session, klass, cutoff):
            chosen = []
            for candidate in candidates:
                reason = verdict(candidate, invoice_cutoff)
                if reason == Verdict.purge:
                    chosen.append(candidate.id)
                    counts["bytes"] += candidate.size
                else:
                    counts[reason] += 1
            counts["purged"] += len(chosen)
            if not dry_run:
                _forget(session, target, chosen, now)
        report["classes"][klass] = {"older_than_days": ages[klass].days, "before": cutoff.isoformat(),
                                    **counts}
    if not dry_run:
        record_events(session, [EventSpec(actor, "retention.purged", "retention",
                                          run_id or now.isoformat(), None, report)])
    return report


def purged_anything(report: dict[str, Any]) -> bool:
    return any(c["purged"] for c in report["classes"].values())


def scheduled_purge(session: Session, policy: RetentionPolicy, now: datetime) -> dict[str, Any] | None:
    """The day's purge under the policy, once per day (keyed by job and day); None when already run
    today or when no class has a policy."""
    ages = policy.ages()
    if not ages:
        return None
    run = run_in_slot(session, JOB, now, timedelta(days=1), lambda s, r: {"report": purge(
        s, ages, now, invoice_min_years=policy.invoice_min_years, run_id=f"{JOB}:{r.slot}")})
    return None if run is None else dict(run.details["report"])


def compact(engine: Engine) -> bool:
    """Give the space back to the file system on SQLite (VACUUM, outside any transaction, then a
    WAL checkpoint); whether it ran. PostgreSQL reuses the space itself (autovacuum): nothing to do."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
        # in WAL mode the rewritten pages land in the log first: move them into the file, cut it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return True
