"""Payments on issued invoices, many at once: recorded (partially paid, then paid) and taken back (a
reconciliation undone), each change in the invoice's history and the audit trail, in the caller's
transaction. A few statements however many invoices: a reconciliation run pays thousands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, null, select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.bulk import append_json, json_text, update_values
from hub.db import utcnow
from hub.domain.errors import NotFound, Problem, ValidationError
from hub.invoicing.domain import (
    OPEN_STATES,
    InvoiceState,
    check_transition,
    payment_state,
    state_after_reversal,
    state_before_payments,
)
from hub.invoicing.models import IssuedInvoice

CHUNK = 500


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

    def move(row: dict[str, Any], line: PaymentLine) -> tuple[InvoiceState, dict[str, Any]]:
        target = payment_state(row["payable"], row["paid"] + line.amount)
        assert target is not None
        check_transition(row["state"], target)
        row["paid"] += line.amount
        return target, {"amount": str(line.amount), "reference": line.reference, "paid_at": at}
    return _apply(session, lines, actor, "invoice.payment", move, history=False)


def reverse_payments(session: Session, lines: Sequence[PaymentLine], *, actor: str,
                     reason: str) -> list[PaymentOutcome]:
    """Take payments back: partially paid while some remain, else the state before the first one."""
    def move(row: dict[str, Any], line: PaymentLine) -> tuple[InvoiceState, dict[str, Any]]:
        if line.amount > row["paid"]:
            raise ValidationError(f"invoice {row['number']} has {row['paid']} paid, less than "
                                  f"{line.amount} to take back", problems=[Problem(
                                      code="INVOICE_FIELD", message="amount: more than was paid",
                                      element="amount")])
        row["paid"] -= line.amount
        target = state_after_reversal(row["payable"], row["paid"], state_before_payments(row["history"]))
        return target, {"reversed": str(line.amount), "reference": line.reference, "reason": reason}
    return _apply(session, lines, actor, "invoice.payment_reversed", move)


def _apply(session: Session, lines: Sequence[PaymentLine], actor: str, action: str, move: Any, *,
           history: bool = True) -> list[PaymentOutcome]:
    """Move each invoice by its lines; their history gets an entry per line, appended in the database
    (`history`: whether `move` reads the history so far)."""
    for n, line in enumerate(lines):
        if line.amount <= 0:
            raise ValidationError("a payment is a positive amount", problems=[Problem(
                code="INVOICE_FIELD", message=f"lines[{n}].amount: must be positive", element="amount")])
    rows = _load(session, {line.invoice_id for line in lines}, history=history)
    now, events = utcnow().isoformat(), []
    added: dict[int, list[str]] = {}  # invoice id -> its new history entries, as JSON text
    for line in lines:
        row = rows[line.invoice_id]
        target, details = move(row, line)
        state = row["state"] = target.value
        entry = {"at": now, "actor": actor, "what": state, **details}
        if history:
            row["history"].append(entry)
        added.setdefault(row["id"], []).append(json_text(entry))
        events.append(EventSpec(actor, action, "invoice", str(row["id"]), row["buyer_id"],
                                {**details, "paid": str(row["paid"]), "state": state}))
    update_values(session, IssuedInvoice, ("paid", "state", "history"), [
        (r["id"], str(r["paid"]), r["state"], added[r["id"]][0]) for r in rows.values()], append=("history",))
    for n in range(1, max(map(len, added.values()))):  # an invoice paid twice in one call: its n-th entry
        append_json(session, IssuedInvoice, "history",
                    [(invoice_id, entries[n]) for invoice_id, entries in added.items() if len(entries) > n])
    for obj in [o for o in session.identity_map.values() if isinstance(o, IssuedInvoice) and o.id in rows]:
        session.expire(obj)
    record_events(session, events)
    return [PaymentOutcome(r["id"], r["number"], r["buyer_id"], r["currency"], r["state"], r["paid"],
                           r["payable"]) for r in rows.values()]


def _load(session: Session, ids: set[int], *, history: bool) -> dict[int, dict[str, Any]]:
    wanted = sorted(ids)
    cols = (IssuedInvoice.id, IssuedInvoice.number, IssuedInvoice.buyer_id, IssuedInvoice.currency,
            IssuedInvoice.state, IssuedInvoice.payable, IssuedInvoice.paid,
            IssuedInvoice.history if history else null().label("history"))
    rows: dict[int, dict[str, Any]] = {}
    session.flush()
    connection = session.connection()  # Core rows: the ORM's row processing doubles a large read
    for where in _id_filters(connection.dialect.name, wanted):
        for invoice, number, buyer, currency, state, payable, paid, past in connection.execute(
                select(*cols).where(where).with_for_update()):  # tuples: a Row's attributes cost more
            rows[invoice] = {"id": invoice, "number": number, "buyer_id": buyer, "currency": currency,
                             "state": state, "payable": payable, "paid": paid, "history": list(past or [])}
    missing = ids - rows.keys()
    if missing:
        raise NotFound(f"no invoice {min(missing)}")
    return rows


def _id_filters(dialect: str, ids: list[int]) -> list[ColumnElement[bool]]:
    """WHERE clauses that together select `ids`: on PostgreSQL one, the ids as a single array
    parameter (a run locks 80,000 invoices: 163 statements of 500 ids each cost 1.5 s of the server's
    CPU, planning each long IN list); elsewhere IN lists of CHUNK ids (SQLite's parameter limit)."""
    if dialect == "postgresql":
        return [IssuedInvoice.id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))]
    return [IssuedInvoice.id.in_(ids[start:start + CHUNK]) for start in range(0, len(ids), CHUNK)]


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


def find_invoice_id(session: Session, ref: Any) -> int | None:
    """An invoice's id from its id or its number."""
    text = str(ref).strip()
    if text.isdigit() and int(text) < 2**31:
        found = session.scalar(select(IssuedInvoice.id).where(IssuedInvoice.id == int(text)))
        if found is not None:
            return found
    return session.scalar(select(IssuedInvoice.id).where(IssuedInvoice.number == text).limit(1))
