"""Writing what matching decided, in bulk and in the caller's transaction: match rows with their
allocations, fee write-offs and partner credit, payments on the invoices (through the invoicing
service), the entries' statuses, the audit events, and a payment-status message per buyer for the ERPs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.bulk import fast_compression, insert_rows, next_ids, update_values
from hub.db import new_id, new_ids, utcnow
from hub.domain.records import DocumentRecord
from hub.domain.states import Direction, ExchangeState
from hub.erp.models import ErpConnector
from hub.erp.service import Rendered, enqueue_rendered, handles
from hub.exchanges import service as exchanges
from hub.exchanges.service import NewDocument, NewExchange
from hub.invoicing import service as invoicing
from hub.reconciliation.domain import Candidate, Config
from hub.reconciliation.match_models import (
    PartnerCredit,
    PaymentAllocation,
    PaymentMatch,
    WriteOff,
)
from hub.reconciliation.models import RemittanceRecord, StatementEntry

STATUS_DOC_TYPE = "payment_status"
ZERO = Decimal(0)
CHUNK = 5000


@dataclass(slots=True)  # not frozen: a run makes 75,000 (a frozen one's __init__ costs 2 us each)
class Booking:
    """A match to write: the entry (id, key, currency), the candidate, its partner."""

    entry_id: int
    entry_key: str
    currency: str
    candidate: Candidate
    partner_id: int


def book_matches(session: Session, bookings: Sequence[Booking], *, actor: str, automatic: bool,
                 config: Config, run_id: int | None = None, suggestion_id: int | None = None) -> list[int]:
    """Write matches and everything that follows from them; returns the match ids in order. A
    confirmed suggestion (`suggestion_id`, one booking) becomes the match under its own id."""
    if not bookings:
        return []
    now = utcnow()
    if suggestion_id is not None:
        session.execute(update(PaymentMatch).where(PaymentMatch.id == suggestion_id).values(
            state="matched", decided_by=actor, decided_at=now))
        ids = [suggestion_id]
    else:
        ids = next_ids(session, PaymentMatch, len(bookings))
        _write_matches(session, ids, bookings, actor=actor, automatic=automatic, run_id=run_id, now=now)
    allocations, write_offs, credits, payments, events = [], [], [], [], []
    for match_id, b in zip(ids, bookings, strict=True):
        c = b.candidate
        for a in c.allocations:
            allocations.append({"match_id": match_id, "invoice_id": a.invoice_id, "amount": a.amount,
                                "write_off": a.write_off})
            # a credit note deducted (negative) is used by as much: its `paid` is what was deducted
            payments.append(invoicing.PaymentLine(a.invoice_id, a.amount + a.write_off if a.amount > ZERO
                                                  else -a.amount, b.entry_key))
            if a.write_off > 0:
                write_offs.append({"entry_id": b.entry_id, "match_id": match_id, "invoice_id": a.invoice_id,
                                   "account": config.tolerance(b.currency).account, "amount": a.write_off,
                                   "currency": b.currency, "reason": f"bank fees on {a.number}",
                                   "state": "booked", "actor": actor, "created_at": now})
        if c.credit > 0:
            credits.append({"partner_id": b.partner_id, "match_id": match_id, "entry_id": b.entry_id,
                            "amount": c.credit, "currency": b.currency, "state": "open", "created_at": now})
        events.append(EventSpec(actor, "payment.matched", "payment_match", str(match_id), b.partner_id, {
            "entry": b.entry_id, "rule": c.rule, "score": c.score, "signals": sorted(c.signals),
            "automatic": automatic, "credit": str(c.credit),
            "invoices": [[a.number, str(a.amount)] for a in c.allocations]}))
    events += [EventSpec(actor, "payment.written_off", "payment_write_off", str(w["match_id"]),
                         None, {"entry": w["entry_id"], "account": w["account"], "amount": str(w["amount"]),
                                "currency": w["currency"], "reason": w["reason"]}) for w in write_offs]
    for model, table_rows in ((PaymentAllocation, allocations), (WriteOff, write_offs),
                              (PartnerCredit, credits)):
        write_rows(session, model, table_rows)
    set_entries(session, [(b.entry_id, "matched", b.candidate.credit) for b in bookings])
    _link_remittances(session, bookings)
    outcomes = invoicing.record_payments(session, payments, actor=actor)
    record_events(session, events)
    notify_erps(session, outcomes, "matched", actor=actor, run_id=run_id)
    return ids


def _write_matches(session: Session, ids: list[int], bookings: Sequence[Booking], *, actor: str,
                   automatic: bool, run_id: int | None, now: Any) -> None:
    """The payment_matches rows of new matches, written (and freed when written: a run's 75,000 rows
    are 80 MB that what follows reuses rather than asks the system for more)."""
    rows = [match_row(b.entry_id, b.currency, b.candidate, state="matched", actor=actor, rank=1,
                      automatic=automatic, run_id=run_id, now=now) for b in bookings]
    for match_id, row in zip(ids, rows, strict=True):
        row.update(id=match_id, decided_by=None if automatic else actor, decided_at=now)
    write_rows(session, PaymentMatch, rows)


def match_row(entry_id: int, currency: str, c: Candidate, *, state: str, actor: str, rank: int,
              automatic: bool, run_id: int | None, now: Any) -> dict[str, Any]:
    """A payment_matches row for a candidate (a match or a suggestion)."""
    return {"entry_id": entry_id, "rule": c.rule, "score": c.score, "rank": rank, "automatic": automatic,
            "signals": sorted(c.signals), "reasons": list(c.reasons), "figures": c.figures,
            "allocations": [{"invoice_id": a.invoice_id, "number": a.number, "amount": f"{a.amount:.2f}",
                             "write_off": f"{a.write_off:.2f}"} for a in c.allocations],
            "currency": currency, "credit": c.credit, "state": state, "actor": actor,
            "decided_by": None, "decided_at": None, "run_id": run_id, "created_at": now}


def write_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """INSERT rows (dicts with the same keys) straight through the driver, as given: no model
    defaults filled (`hub.bulk.insert_rows`, a chunk at a time)."""
    insert_rows(session, model, rows, fill_defaults=False, chunk=CHUNK)


def set_entries(session: Session, rows: list[tuple[int, str, Decimal]]) -> None:
    """Entries' new status and open amount, by primary key, in bulk."""
    update_values(session, StatementEntry, ("status", "open_amount"),
                  [(entry_id, status, str(amount)) for entry_id, status, amount in rows])


def replace_suggestions(session: Session, suggestions: list[dict[str, Any]]) -> None:
    """The pending entries' earlier suggestions give way to this run's."""
    pending = select(StatementEntry.id).where(StatementEntry.status.in_(("unmatched", "suggested")))
    session.execute(delete(PaymentMatch).where(PaymentMatch.state == "suggested",
                                               PaymentMatch.entry_id.in_(pending)))
    write_rows(session, PaymentMatch, suggestions)


def _link_remittances(session: Session, bookings: Sequence[Booking]) -> None:
    update_values(session, RemittanceRecord, ("entry_id",), [
        (b.candidate.figures["remittance"]["id"], b.entry_id) for b in bookings
        if b.candidate.rule == "remittance" and "remittance" in b.candidate.figures])


def notify_erps(session: Session, outcomes: Sequence[invoicing.PaymentOutcome], event: str, *,
                actor: str, run_id: int | None = None) -> int:
    """Tell every ERP connector that carries the `payment_status` type (none: nothing is written)
    about the invoices this call paid or took back: one payment-status message per buyer, listing
    its invoices by id (`status_message`). The call is one batch (control
    reference `payment-status:<batch>`): each buyer gets one processed exchange whose raw bytes are
    its message, one document of it (position 1, the message as its canonical JSON) and one queue
    row per connector with the same bytes, all through the exchanges' and the ERP outbox's bulk
    services in the caller's transaction, and one audit event per connector for the batch. A run
    pays tens of thousands of invoices of a few thousand buyers: a document and a delivery per
    invoice cost more than the rest of the run's writes. Returns how many queue rows were written."""
    connectors = [c for c in session.scalars(select(ErpConnector).where(ErpConnector.active.is_(True))
                                             .order_by(ErpConnector.id)) if handles(c, STATUS_DOC_TYPE)]
    if not outcomes or not connectors:
        return 0
    fast_compression(session)  # each message is stored three times (exchange, document, queue row)
    now, batch = utcnow(), new_id()
    at = now.isoformat()
    control_ref = f"{STATUS_CONTROL_REF}{batch}"
    by_buyer: dict[int, list[invoicing.PaymentOutcome]] = {}
    for o in outcomes:
        by_buyer.setdefault(o.buyer_id, []).append(o)
    buyers = sorted(by_buyer)  # written buyer by buyer, ids increasing: the indexes grow at one end
    for invoices in by_buyer.values():  # by id: the same message whatever order the database read them in
        invoices.sort(key=attrgetter("invoice_id"))
    texts = [status_message(at, event, buyer, by_buyer[buyer]) for buyer in buyers]
    payloads = [text.encode() for text in texts]
    doc_ids = new_ids(len(buyers))
    exchange_ids = exchanges.new_exchanges(session, Direction.inbound, [
        NewExchange(buyer, payload, {"result": {"documents": [doc_id]}})
        for buyer, payload, doc_id in zip(buyers, payloads, doc_ids, strict=True)],
        state=ExchangeState.processed, syntax="hub-json", doc_type=STATUS_DOC_TYPE,
        control_ref=control_ref, sender=STATUS_SENDER, content_type=STATUS_CONTENT_TYPE,
        received_at=now, updated_at=now)
    exchanges.store_documents(session, [
        NewDocument(exchange_id, buyer, "outbound", _status_record(control_ref, buyer, by_buyer[buyer], text),
                    doc_id)
        for exchange_id, buyer, text, doc_id in zip(exchange_ids, buyers, texts, doc_ids, strict=True)])
    return enqueue_rendered(
        session, [Rendered(doc_id, STATUS_DOC_TYPE, buyer, payload)
                  for doc_id, buyer, payload in zip(doc_ids, buyers, payloads, strict=True)],
        connectors=connectors, content_type=STATUS_CONTENT_TYPE, actor=actor, batch=batch,
        details={"event": event, "run": run_id, "control_ref": control_ref, "exchanges": len(exchange_ids),
                 "invoices": len(outcomes)})


def status_message(at: str, event: str, buyer_id: int, outcomes: Sequence[invoicing.PaymentOutcome]) -> str:
    """A buyer's payment-status message as JSON text, compact, keys sorted: `at`, `buyer_id`, `event`
    and `invoices`, each invoice's whole state after the call (`currency`, `invoice`, `invoice_id`,
    `paid`, `payable`, `state`) in the order given."""
    # the keys written in sorted order (orjson keeps the order it is given; sorting costs more)
    return orjson.dumps({"at": at, "buyer_id": buyer_id, "event": event, "invoices": [
        {"currency": o.currency, "invoice": o.number, "invoice_id": o.invoice_id, "paid": str(o.paid),
         "payable": str(o.payable), "state": o.state} for o in outcomes]}).decode()


def _status_record(control_ref: str, buyer_id: int, outcomes: Sequence[invoicing.PaymentOutcome],
                   text: str) -> DocumentRecord:
    """The message's document: number `payment-status:<batch>:<buyer>`, the invoices' currency and the
    sum paid when they share one currency (else neither), no lines."""
    currencies = {o.currency for o in outcomes}
    currency = next(iter(currencies)) if len(currencies) == 1 else None
    total = str(sum((o.paid for o in outcomes), Decimal(0))) if currency else None
    return DocumentRecord(1, None, "PaymentStatus", STATUS_DOC_TYPE, f"{control_ref}:{buyer_id}", None,
                          currency, total, text, [], [], [])


STATUS_CONTROL_REF = "payment-status:"
STATUS_SENDER = "hub:reconciliation"
STATUS_CONTENT_TYPE = "application/json"
