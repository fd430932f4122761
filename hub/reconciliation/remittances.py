"""Remittance advices (EDIFACT REMADV, UBL RemittanceAdvice) become remittance records: which
invoices a partner's payment covers and how much of each, as the matcher reads them.

Hooked on `hub.exchanges.accepted`: a record is written in the transaction that accepts the
document, once per partner and advice number: the same advice again changes nothing; a replacing
one (BGM 1225 `5`, function `replace`) replaces the record while no payment is matched to it. A
cancelling advice is not acted on (the matcher owns what a record has become)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.db import insert_unless_present
from hub.domain.documents import RemittanceAdvice
from hub.exchanges.accepted import Answered, Batch
from hub.models import Partner
from hub.reconciliation.models import RemittanceRecord


def on_accepted(session: Session, batch: Batch) -> Answered:
    """A remittance record for each remittance advice the partner sent; the events to append."""
    answered = Answered()
    for record in batch.records:
        if record.doc_type == "remittance_advice":
            advice = record.document()
            assert isinstance(advice, RemittanceAdvice)
            event = _record(session, batch.partner, advice, batch.exchange_id)
            if event is not None:
                answered.events.append(event)
    return answered


def _lines(advice: RemittanceAdvice) -> list[dict[str, Any]]:
    return [{"invoice": line.invoice_number, "amount": str(line.paid),
             **({"invoice_amount": str(line.invoice_amount)} if line.invoice_amount is not None else {}),
             **({"adjustment": str(line.adjustment), "adjustment_reason": line.adjustment_reason}
                if line.adjustment is not None else {})}
            for line in advice.remittances]


def _record(session: Session, partner: Partner, advice: RemittanceAdvice, exchange_id: str | None
            ) -> EventSpec | None:
    """Insert the record (or, for a replacing advice not yet matched to a payment, replace it);
    the audit event, or None when nothing changed (the same advice again)."""
    values: dict[str, Any] = {"exchange_id": exchange_id, "partner_id": partner.id,
                              "number": advice.number[:60],
                              "payment_date": advice.payment_date or _day(advice.issued),
                              "currency": advice.currency, "total": advice.total_paid,
                              "lines": _lines(advice)}
    action = "remittance.recorded"
    if not insert_unless_present(session, RemittanceRecord, values):
        held = session.scalars(select(RemittanceRecord).where(
            RemittanceRecord.partner_id == partner.id, RemittanceRecord.number == values["number"])
            .with_for_update()).one()
        if advice.function != "replace" or held.entry_id is not None:
            return None  # a re-sent advice; or one already matched to its payment: the match stands
        for key, value in values.items():
            setattr(held, key, value)
        action = "remittance.replaced"
    record_id = session.scalar(select(RemittanceRecord.id).where(
        RemittanceRecord.partner_id == partner.id, RemittanceRecord.number == values["number"]))
    return EventSpec(f"partner:{partner.name}", action, "remittance_record", str(record_id), partner.id,
                     {"number": advice.number, "exchange_id": exchange_id, "currency": advice.currency,
                      "total": str(advice.total_paid) if advice.total_paid is not None else None,
                      "invoices": [line["invoice"] for line in values["lines"]]})


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value

