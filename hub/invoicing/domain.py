"""An invoice to issue, as the hub's users describe it, and the canonical Invoice built from it with the
figures of `arithmetic` (the renderers copy those figures and never recompute). Pure Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from hub.domain.documents import (
    AllowanceCharge,
    Invoice,
    Item,
    Line,
    Party,
    PaymentTerms,
    Price,
    Quantity,
    Reference,
)
from hub.domain.errors import IllegalTransition
from hub.invoicing.arithmetic import Adjustment, Exemption, Figures, LineInput, compute


class InvoiceState(StrEnum):
    """Where an issued invoice is in its life."""

    issued = "issued"
    sent = "sent"
    acknowledged = "acknowledged"
    rejected = "rejected"
    partially_paid = "partially_paid"
    paid = "paid"
    overdue = "overdue"
    credited = "credited"


# The one table of allowed moves: an invoice is never deleted, a wrong one is credited.
TRANSITIONS: dict[InvoiceState, set[InvoiceState]] = {
    InvoiceState.issued: {InvoiceState.sent, InvoiceState.partially_paid, InvoiceState.paid,
                          InvoiceState.overdue, InvoiceState.credited},
    InvoiceState.sent: {InvoiceState.acknowledged, InvoiceState.rejected, InvoiceState.partially_paid,
                        InvoiceState.paid, InvoiceState.overdue, InvoiceState.credited},
    # a CONTRL accepts the syntax, then the buyer's APERAK or Invoice Response rejects the content
    InvoiceState.acknowledged: {InvoiceState.rejected, InvoiceState.partially_paid, InvoiceState.paid,
                                InvoiceState.overdue, InvoiceState.credited},
    InvoiceState.rejected: {InvoiceState.credited},
    InvoiceState.partially_paid: {InvoiceState.partially_paid, InvoiceState.paid, InvoiceState.overdue,
                                  InvoiceState.credited},
    InvoiceState.overdue: {InvoiceState.rejected, InvoiceState.partially_paid, InvoiceState.paid,
                           InvoiceState.credited},
    InvoiceState.paid: set(),
    InvoiceState.credited: set(),
}
OPEN_STATES = (InvoiceState.issued, InvoiceState.sent, InvoiceState.acknowledged, InvoiceState.partially_paid)


def check_transition(current: str, target: InvoiceState) -> None:
    """Refuse a move the table does not allow (409)."""
    if target not in TRANSITIONS[InvoiceState(current)]:
        raise IllegalTransition(f"an invoice that is {current} cannot become {target.value}")


def payment_state(payable: Decimal, paid: Decimal) -> InvoiceState | None:
    """What the payments received so far make of an invoice: paid, partially paid, or nothing yet."""
    if paid >= payable:
        return InvoiceState.paid
    return InvoiceState.partially_paid if paid > 0 else None


PAYMENT_STATES = (InvoiceState.partially_paid, InvoiceState.paid)


def state_after_reversal(payable: Decimal, paid: Decimal, before_payments: str) -> InvoiceState:
    """The state once a payment is taken back (a reconciliation undone): partially paid while some
    payment remains, else the state the invoice had before its first payment. The one way out of
    paid, outside the transition table, as it corrects a payment recorded in error."""
    state = payment_state(payable, paid)
    if state is InvoiceState.paid:
        return state
    return state or InvoiceState(before_payments)


def state_before_payments(history: Sequence[dict[str, object]]) -> str:
    """The last state in an invoice's history that is not a payment state (issued when none is)."""
    for step in reversed(history):
        what = str(step.get("what"))
        if what in InvoiceState.__members__ and InvoiceState(what) not in PAYMENT_STATES:
            return what
    return InvoiceState.issued.value


@dataclass(frozen=True)
class LineSpec:
    """One line to invoice: the item, its figures and the order line it answers."""

    figures: LineInput
    description: str
    unit: str = "C62"
    seller_item_id: str | None = None
    gtin: str | None = None
    order_line: str | None = None


@dataclass
class InvoiceSpec:
    """Everything an invoice is made of before it has a number."""

    seller: Party
    buyer: Party
    currency: str
    issued: date
    lines: Sequence[LineSpec]
    adjustments: Sequence[Adjustment] = ()
    due_date: date | None = None
    prepaid: Decimal | None = None
    exemptions: dict[str, Exemption] = field(default_factory=dict)
    order_number: str | None = None
    buyer_reference: str | None = None
    delivery_date: date | None = None
    delivery: Party | None = None
    payment: Sequence[PaymentTerms] = ()
    note: str | None = None
    credit_of: Reference | None = None  # the invoice a credit note corrects (BT-25)


def figures_of(spec: InvoiceSpec) -> Figures:
    """The spec's figures (raises a ValidationError naming each inconsistent field)."""
    return compute([ln.figures for ln in spec.lines], spec.adjustments, prepaid=spec.prepaid,
                   exemptions=spec.exemptions)


def build(spec: InvoiceSpec, number: str, figures: Figures | None = None) -> Invoice:
    """The canonical Invoice (or CreditNote) numbered `number`, carrying the computed figures."""
    figures = figures or figures_of(spec)
    not_subject = all(s.category == "O" for s in figures.subtotals)
    parties = [_without_vat(p) if not_subject else p for p in (spec.seller, spec.buyer)]
    if spec.delivery is not None:
        parties.append(spec.delivery)
    refs = [Reference("order", spec.order_number)] if spec.order_number else []
    if spec.credit_of is not None:
        refs.append(spec.credit_of)
    lines = [_line(i, ln, amount, acs) for i, (ln, amount, acs) in
             enumerate(zip(spec.lines, figures.line_amounts, figures.line_adjustments, strict=True), 1)]
    return Invoice(number=number, issued=spec.issued, currency=spec.currency, parties=parties,
                   references=refs, lines=lines, notes=[spec.note] if spec.note else [],
                   is_credit_note=spec.credit_of is not None,
                   due_date=spec.due_date, allowances_charges=list(figures.adjustments),
                   tax_subtotals=list(figures.subtotals), payment_terms=list(spec.payment),
                   totals=figures.totals, buyer_reference=spec.buyer_reference,
                   delivery_date=spec.delivery_date)


def _without_vat(party: Party) -> Party:
    # not subject to VAT: neither seller nor buyer VAT identifier may be given (BR-O-02 to BR-O-04)
    return replace(party, tax_ids=[])


def _line(number: int, spec: LineSpec, amount: Decimal, acs: list[AllowanceCharge]) -> Line:
    f = spec.figures
    return Line(number=str(number),
                item=Item(description=spec.description, name=spec.description, gtin=spec.gtin,
                          supplier_number=spec.seller_item_id),
                quantities=[Quantity(f.quantity, spec.unit, "invoiced")],
                prices=[Price(f.price, f.base_quantity, spec.unit if f.base_quantity != 1 else None)],
                line_amount=amount, tax_category=f.category,
                tax_rate=None if f.category == "O" else (f.rate or Decimal(0)),
                allowances_charges=acs,
                references=[Reference("order", spec.order_line, line=spec.order_line)]
                if spec.order_line else [])


def credit_spec(original: InvoiceSpec, number: str, issued: date, lines: Sequence[int] | None,
                reason: str | None) -> InvoiceSpec:
    """A credit note's spec for the whole of an invoice, or for some of its lines (1-based numbers)."""
    chosen = list(original.lines) if not lines else [original.lines[n - 1] for n in lines]
    return replace(original, issued=issued, lines=chosen,
                   adjustments=original.adjustments if not lines else (), prepaid=None,
                   due_date=None, note=reason or original.note,
                   credit_of=Reference("previous_invoice", number, issued=original.issued),
                   payment=[replace(p, due_date=None) for p in original.payment])


def decimal_or_none(value: Any) -> Decimal | None:
    """A finite Decimal from a request's number or text, or None for anything else (a bool included)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
