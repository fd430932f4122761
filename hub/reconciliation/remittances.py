"""Remittance advices (EDIFACT REMADV, UBL RemittanceAdvice) become remittance records: which
invoices a partner's payment covers and how much of each, as the matcher reads them.

Hooked on `hub.exchanges.accepted`: a record is written in the transaction that accepts the
document, once per partner and advice number: the same advice again changes nothing.

- A cancelling advice (REMADV BGM 1225 `1`, function `cancel`) cancels the advice it names: the one
  of the number in its RFF+ACW (reference to the previous message), else of its own BGM 1004 (a
  cancellation repeats the number of the advice it cancels). The record is kept, `cancelled`: the
  matcher reads it no more, so its lines not yet used are withdrawn; a match made on the strength of
  it (rule `remittance`) is undone (the invoices' payments reversed, credit and write-offs undone,
  the ERP told) and its payment goes back to the exceptions queue with the reason (a person decides:
  an undone payment is never again matched automatically); its suggestions are dismissed. A
  cancellation of an advice the partner never sent is an error naming BGM 1004 (or RFF+ACW): the
  exchange fails and nothing is written. The same cancellation again changes nothing.
- A replacing advice (BGM 1225 `5`, function `replace`) replaces the record's lines; when a payment
  was already matched on the strength of the old lines, that match is undone first, as for a
  cancellation, and the payment waits for a person with the new lines as its suggestions.
UBL 2.1 RemittanceAdvice has no message function (no DocumentStatusCode): only EDIFACT cancels or
replaces.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.db import insert_unless_present, utcnow
from hub.domain.documents import RemittanceAdvice
from hub.domain.errors import Problem, ValidationError
from hub.exchanges.service import Answered, Batch
from hub.partners.models import Partner
from hub.reconciliation import matching
from hub.reconciliation.match_models import PaymentMatch
from hub.reconciliation.models import RemittanceRecord, StatementEntry
from hub.reconciliation.service import undo_in_session

PREVIOUS_MESSAGE = "ACW"  # UNCL 1153: reference number to previous message


class UnknownRemittance(ValidationError):
    """A cancellation names an advice the partner never sent."""

    code = "REMITTANCE_UNKNOWN"


def on_accepted(session: Session, batch: Batch) -> Answered:
    """A remittance record for each remittance advice the partner sent; the events to append."""
    answered = Answered()
    for record in batch.records:
        if record.doc_type == "remittance_advice":
            advice = record.document()
            assert isinstance(advice, RemittanceAdvice)
            if advice.function == "cancel":
                answered.events += _cancel(session, batch.partner, advice, batch.exchange_id)
            else:
                answered.events += _record(session, batch.partner, advice, batch.exchange_id)
    return answered


def _lines(advice: RemittanceAdvice) -> list[dict[str, Any]]:
    return [{"invoice": line.invoice_number, "amount": str(line.paid),
             **({"invoice_amount": str(line.invoice_amount)} if line.invoice_amount is not None else {}),
             **({"adjustment": str(line.adjustment), "adjustment_reason": line.adjustment_reason}
                if line.adjustment is not None else {})}
            for line in advice.remittances]


def _record(session: Session, partner: Partner, advice: RemittanceAdvice, exchange_id: str | None
            ) -> list[EventSpec]:
    """Insert the record (or, for a replacing advice, replace it); the audit events, none when
    nothing changed (the same advice again)."""
    values: dict[str, Any] = {"exchange_id": exchange_id, "partner_id": partner.id,
                              "number": advice.number[:60],
                              "payment_date": advice.payment_date or _day(advice.issued),
                              "currency": advice.currency, "total": advice.total_paid,
                              "lines": _lines(advice)}
    action, undone = "remittance.recorded", []
    if not insert_unless_present(session, RemittanceRecord, values):
        held = _held(session, partner.id, values["number"])
        assert held is not None
        if advice.function != "replace":
            return []  # a re-sent advice
        undone = _withdraw(session, held, f"remittance advice {held.number} replaced by the partner "
                           f"(exchange {exchange_id})", actor=f"partner:{partner.name}")
        for key, value in values.items():
            setattr(held, key, value)
        held.state, held.entry_id = "active", None
        action = "remittance.replaced"
    record_id = session.scalar(select(RemittanceRecord.id).where(
        RemittanceRecord.partner_id == partner.id, RemittanceRecord.number == values["number"]))
    return [EventSpec(
        f"partner:{partner.name}", action, "remittance_record", str(record_id), partner.id,
        {"number": advice.number, "exchange_id": exchange_id, "currency": advice.currency,
         "total": str(advice.total_paid) if advice.total_paid is not None else None,
         "invoices": [line["invoice"] for line in values["lines"]],
         **({"matches_undone": undone} if undone else {})})]


def _cancel(session: Session, partner: Partner, advice: RemittanceAdvice, exchange_id: str | None
            ) -> list[EventSpec]:
    """Cancel the advice the cancellation names; UnknownRemittance when the partner has none of it."""
    previous = next((r for r in advice.references if r.raw_kind == PREVIOUS_MESSAGE and r.number), None)
    number, where = (previous.number, "RFF+ACW") if previous else (advice.number, "BGM/1004")
    held = _held(session, partner.id, number[:60])
    if held is None:
        message = (f"{where}: the cancellation names remittance advice {number!r}, which {partner.name} "
                   "never sent; nothing was cancelled")
        raise UnknownRemittance(message, problems=[Problem(code="REMITTANCE_UNKNOWN", element=where,
                                                           message=message)])
    if held.state == "cancelled":
        return []  # the same cancellation again
    actor = f"partner:{partner.name}"
    undone = _withdraw(session, held, f"remittance advice {held.number} cancelled by the partner "
                       f"(exchange {exchange_id})", actor=actor)
    held.state, held.entry_id = "cancelled", None
    return [EventSpec(actor, "remittance.cancelled", "remittance_record", str(held.id), partner.id, {
        "number": held.number, "exchange_id": exchange_id, "cancelled_by": advice.number,
        "lines_withdrawn": [line.get("invoice") for line in held.lines or []], "matches_undone": undone})]


def _held(session: Session, partner_id: int, number: str) -> RemittanceRecord | None:
    return session.scalars(select(RemittanceRecord).where(
        RemittanceRecord.partner_id == partner_id, RemittanceRecord.number == number)
        .with_for_update()).one_or_none()


def _withdraw(session: Session, held: RemittanceRecord, reason: str, *, actor: str) -> list[int]:
    """Undo the matches made on the strength of the advice (each audited `payment.unmatched` with the
    reason, its payment back in the queue, the reason in its details) and dismiss the suggestions
    built on it; the ids of the undone matches."""
    matching.lock(session)
    made = select(PaymentMatch).where(PaymentMatch.rule == "remittance", PaymentMatch.state == "matched",
                                      PaymentMatch.entry_id == held.entry_id) if held.entry_id else None
    offered = select(PaymentMatch).where(PaymentMatch.rule == "remittance", PaymentMatch.state == "suggested")
    mine = [m for query in (made, offered) if query is not None for m in session.scalars(query)
            if (m.figures or {}).get("remittance", {}).get("id") == held.id]
    suggested = [m.id for m in mine if m.state == "suggested"]
    if suggested:
        session.execute(update(PaymentMatch).where(PaymentMatch.id.in_(suggested)).values(state="dismissed"))
    undone = []
    for match in (m for m in mine if m.state == "matched"):
        undo_in_session(session, match, reason, actor)
        entry = session.get(StatementEntry, match.entry_id)
        assert entry is not None
        entry.details = {**(entry.details or {}), "remittance_withdrawn": {
            "number": held.number, "reason": reason, "at": utcnow().isoformat()}}
        undone.append(match.id)
    return undone


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value
