"""Payments on issued invoices, many at once: recorded (partially paid, then paid) and taken back (a
reconciliation undone), each change in the invoice's history and the audit trail, in the caller's
transaction. A few statements however many invoices: a reconciliation run pays thousands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, column, func, null, select
from sqlalchemy.orm import Session, aliased

from hub.audit.service import EventSpec, record_events
from hub.bulk import json_text, update_values
from hub.db import utcnow
from hub.domain.errors import NotFound, Problem, ValidationError
from hub.invoicing.domain import (
    OPEN_STATES,
    TRANSITIONS,
    InvoiceState,
    check_transition,
    payment_state,
    state_after_reversal,
    state_before_payments,
)
from hub.invoicing.models import IssuedInvoice


# Not frozen (as `hub.audit.service.EventSpec`): a frozen dataclass's __init__ sets each field through
# object.__setattr__, 2 us an object, and a reconciliation run makes 87,000 lines and 80,000 outcomes.
@dataclass(slots=True)
class PaymentLine:
    """Money for (or taken back from) one invoice."""

    invoice_id: int
    amount: Decimal
    reference: str | None = None


@dataclass(slots=True)
class PaymentOutcome:
    """An invoice after its payments: what the ERP is told."""

    invoice_id: int
    number: str
    buyer_id: int
    currency: str
    state: str
    paid: Decimal
    payable: Decimal


def record_payments(session: Session, lines: Sequence[PaymentLine], *, actor: str,
                    paid_at: datetime | None = None) -> list[PaymentOutcome]:
    """Record payments received: each invoice becomes partially paid or paid (409 from paid)."""
    at = (paid_at or utcnow()).isoformat()

    def move(invoice: PaymentOutcome, line: PaymentLine) -> tuple[str, dict[str, Any]]:
        target = payment_state(invoice.payable, invoice.paid + line.amount)
        assert target is not None
        state = target._value_  # the plain text: an enum's hash, for the set below, is a Python call
        if state not in _MOVES.get(invoice.state, ()):
            check_transition(invoice.state, target)  # raises, as the table refuses the move
        invoice.paid += line.amount
        return state, {"amount": str(line.amount), "reference": line.reference, "paid_at": at}
    return _apply(session, lines, actor, "invoice.payment", move)


def reverse_payments(session: Session, lines: Sequence[PaymentLine], *, actor: str,
                     reason: str) -> list[PaymentOutcome]:
    """Take payments back: partially paid while some remain, else the state before the first one."""
    histories: dict[int, list[dict[str, Any]]] = {}

    def move(invoice: PaymentOutcome, line: PaymentLine) -> tuple[str, dict[str, Any]]:
        if line.amount > invoice.paid:
            raise ValidationError(f"invoice {invoice.number} has {invoice.paid} paid, less than "
                                  f"{line.amount} to take back", problems=[Problem(
                                      code="INVOICE_FIELD", message="amount: more than was paid",
                                      element="amount")])
        invoice.paid -= line.amount
        target = state_after_reversal(invoice.payable, invoice.paid,
                                      state_before_payments(histories[invoice.invoice_id]))
        return target.value, {"reversed": str(line.amount), "reference": line.reference, "reason": reason}
    return _apply(session, lines, actor, "invoice.payment_reversed", move, histories=histories)


# the states each state may become, as text (the transition table's check, without an enum per line)
_MOVES = {state.value: frozenset(target.value for target in targets)
          for state, targets in TRANSITIONS.items()}


def _apply(session: Session, lines: Sequence[PaymentLine], actor: str, action: str,
           move: Callable[[PaymentOutcome, PaymentLine], tuple[str, dict[str, Any]]], *,
           histories: dict[int, list[dict[str, Any]]] | None = None) -> list[PaymentOutcome]:
    """Move each invoice by its lines (`move` returns the invoice's new state and what the line
    adds to its history entry and event); their history gets an entry per line, appended in the
    database, all of an invoice's in one UPDATE. `histories`, when given, is filled with the
    invoices' histories so far, which `move` reads."""
    for n, line in enumerate(lines):
        if line.amount <= 0:
            raise ValidationError("a payment is a positive amount", problems=[Problem(
                code="INVOICE_FIELD", message=f"lines[{n}].amount: must be positive", element="amount")])
    invoices = _load(session, {line.invoice_id for line in lines}, histories)
    now, events = utcnow().isoformat(), []
    added: dict[int, list[dict[str, Any]]] = {invoice_id: [] for invoice_id in invoices}  # new entries
    for line in lines:
        invoice = invoices[line.invoice_id]
        state, details = move(invoice, line)
        invoice.state = state
        entry = {"at": now, "actor": actor, "what": state, **details}
        added[invoice.invoice_id].append(entry)
        if histories is not None:
            histories[invoice.invoice_id].append(entry)
        details["paid"], details["state"] = str(invoice.paid), state  # the event's details
        events.append(EventSpec(actor, action, "invoice", str(invoice.invoice_id), invoice.buyer_id, details))
    update_values(session, IssuedInvoice, ("paid", "state", "history"), [
        (i.invoice_id, str(i.paid), i.state, added[i.invoice_id]) for i in invoices.values()],
        extend=("history",))
    for obj in [o for o in session.identity_map.values()
                if isinstance(o, IssuedInvoice) and o.id in invoices]:
        session.expire(obj)
    record_events(session, events)
    return list(invoices.values())


def _load(session: Session, ids: set[int], histories: dict[int, list[dict[str, Any]]] | None
          ) -> dict[int, PaymentOutcome]:
    """The invoices of `ids` by id (in id order), locked for the update on PostgreSQL; their
    histories into `histories` when given. Sorted here, not by the database: an ORDER BY made
    PostgreSQL's planner consider reading the whole primary key index in order."""
    i = IssuedInvoice
    cols = (i.id, i.number, i.buyer_id, i.currency, i.state, i.paid, i.payable,
            i.history if histories is not None else null().label("history"))
    session.flush()
    connection = session.connection()  # Core rows: the ORM's row processing doubles a large read
    query = select(*cols).where(_id_filter(connection.dialect.name, sorted(ids)))
    invoices: dict[int, PaymentOutcome] = {}
    # all at once (fetchall), as tuples: iterating the result fetches each row through several calls
    for invoice, number, buyer, currency, state, paid, payable, past in sorted(connection.execute(
            query.with_for_update(key_share=True)).all(), key=itemgetter(0)):
        invoices[invoice] = PaymentOutcome(invoice, number, buyer, currency, state, paid, payable)
        if histories is not None:
            histories[invoice] = list(past or [])
    missing = ids - invoices.keys()
    if missing:
        raise NotFound(f"no invoice {min(missing)}")
    return invoices


def _id_filter(dialect: str, ids: list[int]) -> ColumnElement[bool]:
    """`id` among `ids`, whatever their number, in one statement: on PostgreSQL a single array
    parameter (163 statements of 500 ids each cost 1.5 s of the server's CPU, planning each long IN
    list), on SQLite the ids as one JSON array read by json_each (its IN lists are limited in
    parameters: 162 statements cost 0.2 s a run)."""
    if dialect == "postgresql":
        # an int[] parameter, a constant to the planner (the same ids as text cast to int[] are not:
        # the = ANY then became a filter on a scan of the whole index, 80,000 ids searched a row)
        return IssuedInvoice.id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return IssuedInvoice.id.in_(select(column("value", Integer)).select_from(
        func.json_each(bindparam("ids", json_text(ids)))))


PAYABLE_STATES = [s.value for s in (*OPEN_STATES, InvoiceState.overdue)]


def open_invoices(session: Session, ids: Sequence[int] | None = None, *, lock: bool = False
                  ) -> list[tuple[Any, ...]]:
    """Invoices that can still be paid (not credit notes), all or those of `ids`, as tuples: id,
    number, buyer_id, currency, payable, paid, due_date, payment_reference, pix_txid, boleto_number.
    One query: reconciliation's candidate search reads them all at once."""
    i = IssuedInvoice
    query = select(i.id, i.number, i.buyer_id, i.currency, i.payable, i.paid, i.due_date,
                   i.payment_reference, i.pix_txid, i.boleto_number).where(
        i.state.in_(PAYABLE_STATES), i.is_credit_note.is_(False))
    if ids is not None:
        query = query.where(i.id.in_(list(ids)))
    session.flush()
    # the rows as they come (they index and slice as tuples; a tuple made of each cost 0.15 s a run)
    return list(session.connection().execute(query.with_for_update() if lock else query))


def open_credit_notes(session: Session, ids: Sequence[int] | None = None, *, lock: bool = False
                      ) -> list[tuple[Any, ...]]:
    """Credit notes the buyer may still deduct from a payment, all or those of `ids`, as `open_invoices`
    gives invoices (id, number, buyer_id, currency, payable, paid, due_date): not wholly used yet (a
    credit note's `paid` is what has been deducted), and not the one that credited its invoice in
    full (that invoice is `credited`: nothing of it is payable, so nothing of the note is left)."""
    i, original = IssuedInvoice, aliased(IssuedInvoice)
    query = select(i.id, i.number, i.buyer_id, i.currency, i.payable, i.paid, i.due_date).join(
        original, original.id == i.credit_of_id).where(
        i.is_credit_note.is_(True), i.state.in_(PAYABLE_STATES), i.paid < i.payable,
        original.state != InvoiceState.credited.value)
    if ids is not None:
        query = query.where(i.id.in_(list(ids)))
    session.flush()
    return list(session.connection().execute(query.with_for_update(of=i) if lock else query))


def find_invoice_id(session: Session, ref: Any) -> int | None:
    """An invoice's id from its id or its number."""
    text = str(ref).strip()
    if text.isdigit() and int(text) < 2**31:
        found = session.scalar(select(IssuedInvoice.id).where(IssuedInvoice.id == int(text)))
        if found is not None:
            return found
    return session.scalar(select(IssuedInvoice.id).where(IssuedInvoice.number == text).limit(1))
