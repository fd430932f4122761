"""An issued invoice after it left: `sent` when its outbound exchange is (taken from the buyer's mailbox),
`acknowledged` or `rejected` by the buyer's CONTRL, APERAK or Peppol Invoice Response (matched to the
exchange by `hub.exchanges.acknowledgements`, the reasons kept in the invoice's history), and a rejected
invoice corrected by a credit note for the whole of it and a new invoice (`reissue`).

The followers run in the transaction that records the exchange's change, so an invoice moves exactly when
its exchange does; an acknowledgement that cannot move the invoice (it is paid, credited, ...) is kept in
the history all the same, never refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.domain.acknowledgements import ApplicationAck, InterchangeAck
from hub.domain.errors import IllegalTransition, Problem, ValidationError
from hub.invoicing import service
from hub.invoicing.domain import TRANSITIONS, InvoiceState
from hub.invoicing.models import IssuedInvoice
from hub.invoicing.responses import BuyerResponse, read_response
from hub.records.models import Exchange

ACTOR = "system:invoicing"
# what a reissue may not change: the corrected invoice goes from the same company to the same buyer
FIXED = ("company", "buyer", "external_id")
# what the new invoice does not take over from the rejected one: its own number, date and due date
NOT_CARRIED = ("number", "external_id", "issued", "due_date", "credit_lines")


def _invoice_of(session: Session, exchange: Exchange) -> IssuedInvoice | None:
    return session.scalar(select(IssuedInvoice).where(IssuedInvoice.exchange_id == exchange.id))


def exchange_sent(session: Session, exchange: Exchange) -> list[EventSpec]:
    """An invoice's outbound exchange became `sent`: the invoice is `sent` (when it was `issued`)."""
    invoice = _invoice_of(session, exchange)
    if invoice is None or invoice.state != InvoiceState.issued.value:
        return []
    service.move_invoice(invoice, InvoiceState.sent, ACTOR, exchange=exchange.id)
    return [EventSpec(ACTOR, "invoice.sent", "invoice", str(invoice.id), invoice.buyer_id,
                      {"number": invoice.number, "exchange": exchange.id})]


def acknowledged(session: Session, target: Exchange, ack_exchange: Exchange,
                 report: InterchangeAck | ApplicationAck) -> list[EventSpec]:
    """The buyer acknowledged the exchange carrying an invoice: move the invoice and keep what it said."""
    invoice = _invoice_of(session, target)
    if invoice is None:
        return []
    said = read_response(report)
    details = {**said.details(), "ack_exchange": ack_exchange.id}
    events = []
    if said.target is not None and invoice.state == InvoiceState.issued.value:
        # the buyer answered, so it has the file, whatever the mailbox says
        events += exchange_sent(session, target)
    if _moves(invoice, said):
        assert said.target is not None
        service.move_invoice(invoice, said.target, ACTOR, **details)
        action = f"invoice.{said.target.value}"
    else:
        service.add_history(invoice, ACTOR, "buyer_response", state=invoice.state, **details)
        action = "invoice.buyer_response"
    return [*events, EventSpec(ACTOR, action, "invoice", str(invoice.id), invoice.buyer_id,
                               {"number": invoice.number, **details})]


def _moves(invoice: IssuedInvoice, said: BuyerResponse) -> bool:
    return said.target is not None and said.target.value != invoice.state and \
        said.target in TRANSITIONS[InvoiceState(invoice.state)]


def reissue(session: Session, invoice_id: int, data: Any, *, actor: str, settings: Any,
            today: date) -> tuple[IssuedInvoice, IssuedInvoice]:
    """Correct an invoice: a credit note for the whole of it (with its billing reference), then a new
    invoice from its request with `corrections` applied; (credit note, new invoice). One transaction:
    when the new invoice cannot be issued, the credit note is not either."""
    body = data if isinstance(data, dict) else {}
    corrections = body.get("corrections") or {}
    _check_corrections(corrections)
    original = service.get_invoice(session, invoice_id)
    if original.paid > 0 or InvoiceState.credited not in TRANSITIONS[InvoiceState(original.state)]:
        raise IllegalTransition(f"invoice {original.number} is {original.state} (paid {original.paid}): "
                                "only an unpaid invoice is credited and issued again")
    reason = str(body.get("reason") or "Corrected invoice follows")[:500]
    note = service.credit(session, invoice_id, {"reason": reason}, actor=actor, settings=settings,
                          today=today)
    request = {k: v for k, v in original.request.items() if k not in NOT_CARRIED}
    request.update(corrections, company=original.company_id, buyer=original.buyer_id)
    new, _ = service.issue(session, request, actor=actor, settings=settings, today=today)
    service.add_history(new, actor, "reissue_of", corrects=original.number, credit_note=note.number)
    service.add_history(original, actor, "reissued", credit_note=note.number, new_invoice=new.number,
                        reason=reason)
    record_events(session, [EventSpec(actor, "invoice.reissued", "invoice", str(original.id),
                                      original.buyer_id, {"number": original.number,
                                                          "credit_note": note.number,
                                                          "invoice": new.number, "reason": reason})])
    return note, new


def _check_corrections(corrections: Any) -> None:
    if not isinstance(corrections, dict):
        raise ValidationError("corrections must be an object", problems=[Problem(
            code="INVOICE_FIELD", message="corrections: an object of the request's fields to change",
            element="corrections")])
    fixed = [key for key in FIXED if key in corrections]
    if fixed:
        raise ValidationError("a reissued invoice keeps its company and buyer", problems=[Problem(
            code="INVOICE_FIELD", message=f"corrections.{key}: cannot change on a reissue; credit the "
                                          "invoice and issue a new one instead", element=f"corrections.{key}")
            for key in fixed])
