"""Issuing invoices and credit notes: numbered from the company's gap-free series of the year, rendered in
the buyer's syntax, validated and queued in the caller's one transaction (a refusal rolls the number back
with everything else); then followed through their states until paid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub import rendering
from hub.audit.service import EventSpec, record_events
from hub.db import utcnow
from hub.domain import codec
from hub.domain.documents import PaymentTerms
from hub.domain.errors import HubError, NotFound, Problem, ValidationError
from hub.domain.states import ExchangeState
from hub.exchanges import service as exchanges
from hub.invoicing import companies, erp_delivery, payment_means, stated
from hub.invoicing.companies import seller_party as seller_party
from hub.invoicing.domain import (
    OPEN_STATES,
    InvoiceSpec,
    InvoiceState,
    build,
    check_transition,
    credit_spec,
    figures_of,
    payment_state,
)
from hub.invoicing.models import IssuedInvoice
from hub.invoicing.offsets import set_off_credit_note as set_off_credit_note
from hub.invoicing.offsets import take_back_credit_note as take_back_credit_note
from hub.invoicing.payments import PaymentLine as PaymentLine
from hub.invoicing.payments import PaymentOutcome as PaymentOutcome
from hub.invoicing.payments import find_invoice_id as find_invoice_id
from hub.invoicing.payments import open_credit_notes as open_credit_notes
from hub.invoicing.payments import open_invoices as open_invoices
from hub.invoicing.payments import record_payments as record_payments
from hub.invoicing.payments import reverse_payments as reverse_payments
from hub.invoicing.requests import buyer_party, read_spec
from hub.jobruns.service import run_in_slot
from hub.numbering import service as numbering
from hub.numbering.service import SeriesFormat, claim, take_next
from hub.partners import domain as profiles
from hub.partners import queries as identities
from hub.partners.models import Company, Partner
from hub.routing import service as routing


class InvoiceNotIssuable(HubError):
    """The invoice, rendered for its buyer, fails the outbound validation: nothing is issued."""

    code = "INVOICE_NOT_ISSUABLE"
    http_status = 422


def series(company: Company, year: int, *, credit: bool) -> tuple[str, SeriesFormat]:
    """The company's series of the year: INV-2026-000001 for invoices, CN-2026-000001 for credit notes."""
    kind, prefix = ("credit_note", "CN") if credit else ("invoice", company.invoice_prefix)
    return f"{kind}:{company.id}:{year}", SeriesFormat(prefix=f"{prefix}-{year}-", padding=6)


def issue(session: Session, data: Any, *, actor: str, settings: Any, today: date,
          source: str | None = None) -> tuple[IssuedInvoice, bool]:
    """Issue an invoice from a request body; (invoice, created). An ERP's repeated external_id gives the
    first one back. The caller commits, or rolls everything back on any error."""
    body = data if isinstance(data, dict) else {}
    source = source or actor
    external_id = str(body["external_id"]) if body.get("external_id") else None
    if external_id:
        known = session.scalar(select(IssuedInvoice).where(IssuedInvoice.source == source,
                                                           IssuedInvoice.external_id == external_id))
        if known is not None:
            return known, False
    company = companies.find_company(session, body.get("company"))
    buyer = _buyer(session, body.get("buyer"))
    spec = read_spec(data, seller=companies.seller_party(company),
                     buyer=buyer_party(buyer.name, [(i.scheme, i.value) for i in buyer.identifiers]),
                     today=today, payment_days=company.payment_days, payment=_payment(company))
    disagree = stated.disagreements(body, figures_of(spec))
    if disagree:
        raise ValidationError("stated figures differ from the computed ones: " +
                              "; ".join(p.message for p in disagree), problems=disagree)
    legal = str(body["number"]).strip() if body.get("number") else None
    means = payment_means.read_choice(body, companies.payee(company), spec.currency)
    invoice = _issue(session, spec, company, buyer, settings=settings, actor=actor, legal_number=legal,
                     means=means, source=source)
    invoice.source, invoice.external_id, invoice.request = source, external_id, _plain(body)
    return invoice, True


def credit(session: Session, invoice_id: int, data: dict[str, Any], *, actor: str, settings: Any,
           today: date) -> IssuedInvoice:
    """A credit note for the whole invoice or some of its lines ({"lines": [1, 3], "reason": ...})."""
    original = get_invoice(session, invoice_id)
    if original.is_credit_note:
        raise ValidationError("a credit note is not credited", problems=[
            Problem(code="INVOICE_FIELD", message="invoice: is a credit note", element="invoice")])
    company, buyer = session.get(Company, original.company_id), session.get(Partner, original.buyer_id)
    assert company is not None and buyer is not None
    chosen = data.get("lines") or None
    count = len(original.request.get("lines", []))
    if chosen is not None and (not isinstance(chosen, list) or not all(
            isinstance(n, int) and 1 <= n <= count for n in chosen)):
        raise ValidationError("lines must be line numbers of the invoice", problems=[Problem(
            code="INVOICE_FIELD", message=f"lines: numbers from 1 to {count}", element="lines")])
    spec = read_spec(original.request, seller=companies.seller_party(company),
                     buyer=buyer_party(buyer.name, [(i.scheme, i.value) for i in buyer.identifiers]),
                     today=original.issued, payment_days=company.payment_days, payment=_payment(company))
    spec = credit_spec(spec, original.number, today, chosen, data.get("reason"))
    note = _issue(session, spec, company, buyer, settings=settings, actor=actor, credit_of=original)
    note.source, note.request = actor, {**original.request, "credit_lines": chosen}
    if chosen is None:
        move_invoice(original, InvoiceState.credited, actor, credit_note=note.number)
    return note


def _issue(session: Session, spec: InvoiceSpec, company: Company, buyer: Partner, *, settings: Any,
           actor: str, legal_number: str | None = None, credit_of: IssuedInvoice | None = None,
           means: payment_means.MeansChoice | None = None, source: str | None = None) -> IssuedInvoice:
    figures = figures_of(spec)
    key, fmt = series(company, spec.issued.year, credit=credit_of is not None)
    kind = "credit_note" if credit_of is not None else "invoice"
    taken = claim(session, key, legal_number, object_type=kind, object_id="") if legal_number else \
        take_next(session, key, object_type=kind, object_id="", fmt=fmt)
    number = taken.number
    paying = None
    if means is not None:  # the payment instructions name the number: RF reference, Pix txid
        paying = payment_means.instructions(means, companies.payee(company), number,
                                            figures.totals.payable or Decimal(0), spec.currency,
                                            spec.due_date)
        spec = replace(spec, payment=paying.terms or [
            replace(p, payment_reference=paying.payment_reference) for p in spec.payment])
    invoice = IssuedInvoice(company_id=company.id, buyer_id=buyer.id, number=number,
                            state=InvoiceState.issued.value, currency=spec.currency, issued=spec.issued,
                            due_date=spec.due_date, payable=figures.totals.payable, paid=Decimal(0),
                            syntax=buyer.syntax, source=source or actor, is_credit_note=credit_of is not None,
                            request={}, canonical={}, history=[],
                            credit_of_id=credit_of.id if credit_of else None)
    if paying is not None:
        invoice.payment_reference, invoice.pix_txid, invoice.boleto_number = \
            paying.payment_reference, paying.pix_txid, paying.boleto_number
    session.add(invoice)
    session.flush()
    numbering.carried_by(taken, str(invoice.id))
    doc = build(spec, number, figures)
    exchange, created = queue_for_buyer(session, doc, buyer, settings, actor, company)
    invoice.exchange_id, invoice.canonical = exchange.id, codec.to_dict(doc)
    erps = erp_delivery.queue_for_erps(session, invoice, doc, exchange, actor=actor)
    add_history(invoice, actor, "issued", number=number, exchange=exchange.id, payable=str(invoice.payable),
             erps=erps)
    record_events(session, [created, EventSpec(actor, f"{kind}.issued", kind, str(invoice.id), buyer.id, {
        "number": number, "company": company.id, "payable": str(invoice.payable), "erps": erps,
        "currency": invoice.currency, **({"credit_of": credit_of.number} if credit_of else {})})])
    return invoice


def queue_for_buyer(session: Session, doc: Any, buyer: Partner, settings: Any, actor: str,
                    company: Company) -> tuple[Any, EventSpec]:
    """Render an invoice or credit note in the buyer's syntax and profile, from the company's identity,
    and queue it as an outbound exchange; (exchange, its audit event). InvoiceNotIssuable when the rendered
    file fails the outbound validation (the caller rolls back, number included)."""
    profile = profiles.build(buyer.profile)
    own = identities.sender_identity(settings, company)  # the company's UNB identity, else the hub's
    identity = replace(routing.identity_for(settings, buyer), sender=own.value,
                       sender_qualifier=own.qualifier)
    interchange, message = exchanges.next_control_numbers(session, buyer, ("interchange", "message"))
    control = f"H{interchange:08d}"
    out = rendering.render(doc, buyer.syntax, profile=profile, identity=identity, control_ref=control,
                           message_ref=str(message), check=False)
    exchange, created = exchanges.add_outbound(
        session, buyer.id, doc_type=out.message_type, syntax=buyer.syntax, raw=out.data,
        content_type=out.content_type, control_ref=control, sender=identity.sender,
        recipient=identity.recipient, reply_to=None, actor=actor,
        document={"type": doc.doc_type, "number": doc.number,
                  **({"message_ref": str(message)} if buyer.syntax == "edifact" else {})},
        contrl_requested=buyer.syntax == "edifact" and profile.request_contrl)
    if exchange.state != ExchangeState.pending:  # it would be held invalid: refuse it all, number included
        problems = [Problem(code=p.get("code", "INVALID"), message=p.get("message", ""),
                            element=p.get("element"), segment_tag=p.get("segment_tag"))
                    for p in (exchange.error or {}).get("problems", [])]
        raise InvoiceNotIssuable(f"invoice {doc.number} rendered for {buyer.name} breaks "
                                 f"{len(problems)} rule(s); nothing was issued", problems=problems)
    return exchange, created


def _buyer(session: Session, ref: Any) -> Partner:
    if ref in (None, ""):
        raise ValidationError("buyer is required", problems=[
            Problem(code="INVOICE_FIELD", message="buyer: a partner's name or id is required",
                    element="buyer")])
    query = select(Partner).where(Partner.id == int(ref)) if str(ref).isdigit() else \
        select(Partner).where(Partner.name == str(ref))
    partner = session.scalar(query)
    if partner is None:
        raise ValidationError(f"no partner {ref!r}", problems=[
            Problem(code="INVOICE_FIELD", message=f"buyer: no partner {ref!r}", element="buyer")])
    return partner


def _payment(company: Company) -> list[PaymentTerms]:
    if company.iban:  # SEPA credit transfer to the company's account (UNCL 4461 58)
        return [PaymentTerms(means_code="58", account_id=company.iban)]
    return [PaymentTerms(means_code="1", description="Payment terms as agreed")]


def _plain(body: dict[str, Any]) -> dict[str, Any]:
    """The request as stored JSON (Decimals written as text)."""
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return str(value) if isinstance(value, Decimal) else value
    return plain(body)


def add_history(invoice: IssuedInvoice, actor: str, what: str, **details: Any) -> None:
    """Append what happened to the invoice (by whom, when, with its details) to its history."""
    invoice.history = [*(invoice.history or []), {"at": utcnow().isoformat(), "actor": actor, "what": what,
                                                  **details}]


def move_invoice(invoice: IssuedInvoice, target: InvoiceState, actor: str, **details: Any) -> None:
    """Move the invoice to `target` when the state table allows it (IllegalTransition otherwise) and keep
    the move in its history; no audit event (the caller records its own)."""
    check_transition(invoice.state, target)
    invoice.state = target.value
    add_history(invoice, actor, target.value, **details)


def get_invoice(session: Session, invoice_id: int) -> IssuedInvoice:
    """One issued invoice or credit note (404 when there is none)."""
    invoice = session.get(IssuedInvoice, invoice_id)
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}")
    return invoice


def record_payment(session: Session, invoice_id: int, amount: Decimal, *, actor: str,
                   reference: str | None = None, paid_at: datetime | None = None) -> IssuedInvoice:
    """Record a payment received for an invoice: partially paid, then paid (for reconciliation)."""
    invoice = get_invoice(session, invoice_id)
    if amount <= 0:
        raise ValidationError("a payment is a positive amount", problems=[
            Problem(code="INVOICE_FIELD", message="amount: must be positive", element="amount")])
    target = payment_state(invoice.payable, invoice.paid + amount)
    assert target is not None
    check_transition(invoice.state, target)
    invoice.paid += amount
    move_invoice(invoice, target, actor, amount=str(amount), reference=reference,
          paid_at=(paid_at or utcnow()).isoformat())
    record_events(session, [EventSpec(
        actor, "invoice.payment", "invoice", str(invoice.id), invoice.buyer_id,
        {"amount": str(amount), "paid": str(invoice.paid), "state": invoice.state, "reference": reference})])
    return invoice


def change_state(session: Session, invoice_id: int, target: InvoiceState, *, actor: str,
                 **details: Any) -> IssuedInvoice:
    """Move an invoice to `target` when the state table allows it (sent, acknowledged, rejected...)."""
    invoice = get_invoice(session, invoice_id)
    move_invoice(invoice, target, actor, **details)
    record_events(session, [EventSpec(actor, f"invoice.{target.value}", "invoice", str(invoice.id),
                                      invoice.buyer_id, details)])
    return invoice


def mark_overdue(session: Session, now: datetime, *, actor: str = "system:invoicing") -> list[str] | None:
    """Once per day (keyed by job and day): open invoices past their due date become overdue. None when
    the day's run already happened."""
    def effect(session: Session, _run: Any) -> dict[str, Any]:
        today = now.date()
        late = list(session.scalars(select(IssuedInvoice).where(
            IssuedInvoice.state.in_([s.value for s in OPEN_STATES]), IssuedInvoice.due_date < today,
            IssuedInvoice.is_credit_note.is_(False)).order_by(IssuedInvoice.id).with_for_update()))
        for invoice in late:
            move_invoice(invoice, InvoiceState.overdue, actor, due_date=str(invoice.due_date))
        record_events(session, [EventSpec(actor, "invoice.overdue", "invoice", str(i.id), i.buyer_id,
                                          {"due_date": str(i.due_date)}) for i in late])
        return {"overdue": [i.number for i in late]}
    run = run_in_slot(session, "invoices_overdue", now, timedelta(days=1), effect)
    return None if run is None else list(run.details["overdue"])


def invoice_json(invoice: IssuedInvoice, *, detail: bool = False) -> dict[str, Any]:
    """An invoice as the API shows it; the detail adds the canonical invoice and the history."""
    out: dict[str, Any] = {
        "id": invoice.id, "number": invoice.number,
        "type": "credit_note" if invoice.is_credit_note else "invoice",
        "company_id": invoice.company_id, "buyer_id": invoice.buyer_id, "state": invoice.state,
        "currency": invoice.currency, "issued": invoice.issued.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "payable": str(invoice.payable), "paid": str(invoice.paid), "syntax": invoice.syntax,
        "exchange_id": invoice.exchange_id, "credit_of_id": invoice.credit_of_id,
        "payment": payment_means.payment_json(invoice.canonical, invoice.payment_reference, invoice.pix_txid,
                                              invoice.boleto_number)}
    if detail:
        out.update(canonical=invoice.canonical, history=invoice.history)
    return out



UNPAID_STATES = (*OPEN_STATES, InvoiceState.overdue)


def invoice_exchange_ids() -> Select[Any]:
    """The outbound exchanges that carry an issued invoice or credit note (kept the legal minimum)."""
    return select(IssuedInvoice.exchange_id).where(IssuedInvoice.exchange_id.is_not(None))


def unpaid_exchange_ids() -> Select[Any]:
    """The outbound exchanges of issued invoices not yet paid, credited or rejected (never purged)."""
    return invoice_exchange_ids().where(IssuedInvoice.is_credit_note.is_(False),
                                        IssuedInvoice.state.in_([s.value for s in UNPAID_STATES]))
