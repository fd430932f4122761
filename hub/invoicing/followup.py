"""After issuing: sending an invoice again (rendered anew for the buyer's current profile, under the same
number) and cancelling one by a credit note for the whole of it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.domain import codec
from hub.domain.errors import HubError, IllegalTransition, Problem, ValidationError
from hub.invoicing import service
from hub.invoicing.domain import InvoiceState
from hub.invoicing.models import IssuedInvoice
from hub.partners.models import Company, Partner


class InvoiceNotSendable(HubError):
    """The invoice, rendered again for its buyer, fails the outbound validation: nothing is sent."""

    code = "INVOICE_NOT_SENDABLE"
    http_status = 422


def resend(session: Session, invoice_id: int, *, actor: str, settings: Any) -> IssuedInvoice:
    """Render the invoice again in the buyer's current syntax and profile, validate it and queue it as a
    new outbound exchange; its number and figures never change."""
    invoice = service.get_invoice(session, invoice_id)
    if invoice.state == InvoiceState.credited.value:
        raise IllegalTransition(f"{invoice.number} was credited: it is not sent again")
    buyer = session.get(Partner, invoice.buyer_id)
    assert buyer is not None
    try:
        company = session.get(Company, invoice.company_id)
        assert company is not None
        exchange, created = service.queue_for_buyer(session, codec.from_dict(invoice.canonical), buyer,
                                                    settings, actor, company)
    except service.InvoiceNotIssuable as exc:
        raise InvoiceNotSendable(f"{invoice.number} rendered for {buyer.name} breaks {len(exc.problems)} "
                                 "rule(s); nothing was sent", problems=exc.problems) from exc
    previous, invoice.exchange_id, invoice.syntax = invoice.exchange_id, exchange.id, buyer.syntax
    service.add_history(invoice, actor, "resent", exchange=exchange.id, previous_exchange=previous,
                        syntax=buyer.syntax)
    record_events(session, [created, EventSpec(
        actor, "invoice.resent", "invoice", str(invoice.id), buyer.id,
        {"number": invoice.number, "exchange": exchange.id, "previous_exchange": previous,
         "syntax": buyer.syntax})])
    return invoice


def cancel(session: Session, invoice_id: int, body: dict[str, Any], *, actor: str, settings: Any,
           today: date) -> IssuedInvoice:
    """Cancel an invoice by a credit note for the whole of it (with its billing reference); the invoice
    becomes credited. A paid or partly paid invoice, a credit note or a credited invoice is refused."""
    invoice = service.get_invoice(session, invoice_id)
    if invoice.is_credit_note:
        raise ValidationError("a credit note is not cancelled", problems=[Problem(
            code="INVOICE_FIELD", message=f"invoice: {invoice.number} is a credit note", element="invoice")])
    if invoice.state in (InvoiceState.paid.value, InvoiceState.partially_paid.value):
        raise IllegalTransition(f"{invoice.number} is {invoice.state.replace('_', ' ')} ({invoice.paid} of "
                                f"{invoice.payable} {invoice.currency} received): a paid invoice is not "
                                "cancelled; credit the lines concerned and refund the payment")
    if invoice.state == InvoiceState.credited.value:
        raise IllegalTransition(f"{invoice.number} is credited already")
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    note = service.credit(session, invoice_id, {"reason": reason or f"Cancellation of {invoice.number}"},
                          actor=actor, settings=settings, today=today)
    record_events(session, [EventSpec(
        actor, "invoice.cancelled", "invoice", str(invoice.id), invoice.buyer_id,
        {"number": invoice.number, "credit_note": note.number, "reason": reason})])
    return note
