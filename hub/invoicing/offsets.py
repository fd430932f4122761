"""A credit note set off against an open invoice of the same buyer, no money moving: the invoice is paid
by the credit note's amount (partially paid, or paid) and the credit note is used by as much (its `paid`:
what has been deducted or set off), each in its history and the audit trail, in the caller's transaction.
Taken back the same way, never beyond what was set off between the two."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.domain.errors import Problem, ValidationError
from hub.invoicing.models import IssuedInvoice
from hub.invoicing.payments import (
    PaymentLine,
    PaymentOutcome,
    open_credit_notes,
    open_invoices,
    record_payments,
    reverse_payments,
)

ZERO = Decimal(0)


def set_off_credit_note(session: Session, note_id: int, invoice_id: int, amount: Decimal | None, *,
                        actor: str) -> list[PaymentOutcome]:
    """Set `amount` of the credit note off against the invoice (none: as much as both allow); the two
    documents' outcomes."""
    notes = open_credit_notes(session, [note_id], lock=True)
    invoices = open_invoices(session, [invoice_id], lock=True)
    if not notes:
        raise _invalid("credit_note", f"document {note_id} is not a credit note with credit left (one that "
                                      "credited its invoice in full, or used up, has none)")
    if not invoices:
        raise _invalid("invoice", f"invoice {invoice_id} is not open")
    note_number, note_buyer, note_currency, note_left = notes[0][1], notes[0][2], notes[0][3], \
        notes[0][4] - notes[0][5]
    number, buyer, currency, open_amount = invoices[0][1], invoices[0][2], invoices[0][3], \
        invoices[0][4] - invoices[0][5]
    if buyer != note_buyer:
        raise _invalid("invoice", f"{number} is another buyer's than {note_number}")
    if currency != note_currency:
        raise _invalid("invoice", f"{number} is in {currency}, {note_number} in {note_currency}: currencies "
                                  "are never mixed")
    amount = min(note_left, open_amount) if amount is None else amount
    if not ZERO < amount <= min(note_left, open_amount):
        most = min(note_left, open_amount)
        raise _invalid("amount", f"{amount} is not between 0 and {most} ({note_number} has {note_left} left, "
                                 f"{number} {open_amount} open)")
    outcomes = record_payments(session, [PaymentLine(invoice_id, amount, f"credit_note:{note_number}"),
                                         PaymentLine(note_id, amount, f"invoice:{number}")], actor=actor)
    record_events(session, [EventSpec(
        actor, "invoice.credit_note_set_off", "invoice", str(invoice_id), buyer,
        {"invoice": number, "credit_note": note_number, "amount": str(amount), "currency": currency})])
    return outcomes


def take_back_credit_note(session: Session, note_id: int, invoice_id: int, amount: Decimal | None, *,
                          actor: str, reason: str) -> list[PaymentOutcome]:
    """Take back `amount` (none: all) of what the credit note set off against the invoice; the two
    documents' outcomes."""
    rows = {i.id: i for i in session.scalars(select(IssuedInvoice).where(
        IssuedInvoice.id.in_([note_id, invoice_id])).with_for_update())}
    note, invoice = rows.get(note_id), rows.get(invoice_id)
    if note is None or not note.is_credit_note:
        raise _invalid("credit_note", f"document {note_id} is not a credit note")
    if invoice is None or invoice.is_credit_note:
        raise _invalid("invoice", f"document {invoice_id} is not an invoice")
    standing = _set_off_so_far(invoice.history or [], f"credit_note:{note.number}")
    amount = standing if amount is None else amount
    if not ZERO < amount <= standing:
        raise _invalid("amount", f"{amount} is not between 0 and {standing}, what {note.number} has set off "
                                 f"against {invoice.number}")
    number, note_number = invoice.number, note.number
    outcomes = reverse_payments(session, [PaymentLine(invoice_id, amount, f"credit_note:{note_number}"),
                                          PaymentLine(note_id, amount, f"invoice:{number}")],
                                actor=actor, reason=reason)
    record_events(session, [EventSpec(actor, "invoice.credit_note_taken_back", "invoice", str(invoice_id),
                                      outcomes[0].buyer_id, {"invoice": number, "credit_note": note_number,
                                                             "amount": str(amount), "reason": reason})])
    return outcomes


def _set_off_so_far(history: list[dict[str, Any]], reference: str) -> Decimal:
    """What the invoice's history says a credit note (`reference`) set off and has not taken back."""
    total = ZERO
    for step in history:
        if step.get("reference") == reference:
            total += Decimal(str(step.get("amount") or 0)) - Decimal(str(step.get("reversed") or 0))
    return total


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", problems=[Problem(code="INVOICE_FIELD", message=f"{field}: "
                                                                    f"{message}", element=field)])
