"""The rules of replenishment, pure: when a rule triggers, how much to order, from which supplier, and why.

Projected stock = on hand + in flight - reserved, where in flight is every purchase-order line not yet
received (drafts included), so a second run sees what the first one proposed and orders nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any

from hub.domain.documents import Catalogue, Line

ZERO = Decimal(0)


class RuleKind(StrEnum):
    min_max = "min_max"  # at or below min: order up to max
    reorder_point = "reorder_point"  # at or below the reorder point: order the fixed quantity


@dataclass(frozen=True)
class ReorderRule:
    """A reorder rule of one item at one location."""

    sku: str
    location: str
    kind: RuleKind
    minimum: Decimal = ZERO  # min_max: trigger; reorder_point: the reorder point
    maximum: Decimal = ZERO  # min_max: order up to; reorder_point: the fixed quantity
    paused: bool = False
    snoozed_until: date | None = None

    def active_on(self, today: date) -> bool:
        return not self.paused and (self.snoozed_until is None or self.snoozed_until < today)


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: Decimal
    price: Decimal


@dataclass(frozen=True)
class SupplierTerm:
    """What one supplier asks for one item: price (with breaks), minimum, multiple, lead time, validity."""

    sku: str
    supplier_id: int
    price: Decimal
    currency: str
    supplier_sku: str = ""
    min_qty: Decimal = ZERO
    multiple: Decimal = ZERO
    lead_time_days: int = 0
    priority: int = 10  # lower wins
    valid_from: date | None = None
    valid_to: date | None = None
    price_breaks: tuple[PriceBreak, ...] = ()

    def valid_on(self, today: date) -> bool:
        return (self.valid_from is None or self.valid_from <= today) and \
            (self.valid_to is None or today <= self.valid_to)

    def unit_price(self, quantity: Decimal) -> Decimal:
        """The price per unit for this quantity: the best break the quantity reaches, else the list price."""
        reached = [b.price for b in self.price_breaks if quantity >= b.min_quantity]
        return min([self.price, *reached])

    def orderable(self, quantity: Decimal) -> Decimal:
        """quantity raised to the minimum order quantity, then up to a whole multiple."""
        quantity = max(quantity, self.min_qty)
        if self.multiple > ZERO:
            quantity = (quantity / self.multiple).to_integral_value(rounding=ROUND_CEILING) * self.multiple
        return quantity


@dataclass(frozen=True)
class Position:
    """What is known of one item at one location when the run looks at it."""

    on_hand: Decimal = ZERO
    in_flight: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def projected(self) -> Decimal:
        return self.on_hand + self.in_flight - self.reserved


@dataclass(frozen=True)
class Proposal:
    """One line to order, with the figures that made the run propose it."""

    sku: str
    location: str
    supplier_id: int
    quantity: Decimal
    unit_price: Decimal
    currency: str
    supplier_sku: str
    explanation: dict[str, Any] = field(default_factory=dict)

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Skipped:
    """A rule at or below its trigger that could not be ordered, and why."""

    sku: str
    location: str
    reason: str


def plain(value: Decimal) -> str:
    """A quantity or price as people write it: 6, 2.5, 120 (not 6.000000 or 1.2E+2)."""
    return format(value.normalize(), "f")


def needed(rule: ReorderRule, position: Position) -> Decimal:
    """How much the rule wants ordered (before the supplier's minimum and multiple); 0 when not triggered."""
    projected = position.projected
    if projected > rule.minimum:
        return ZERO
    if rule.kind is RuleKind.min_max:
        return max(rule.maximum - projected, ZERO)
    fixed = rule.maximum
    if fixed <= ZERO:
        return ZERO
    # whole lots of the fixed quantity, until the projection is back above the reorder point
    lots = max(((rule.minimum - projected) / fixed).to_integral_value(rounding=ROUND_CEILING), Decimal(1))
    if projected + lots * fixed <= rule.minimum:
        lots += 1
    return lots * fixed


def choose_supplier(terms: list[SupplierTerm], quantity: Decimal, today: date) -> SupplierTerm | None:
    """Valid terms first, then the lowest priority number, then the lowest cost for the quantity."""
    valid = [t for t in terms if t.valid_on(today)]
    if not valid:
        return None
    best_priority = min(t.priority for t in valid)
    ranked = [t for t in valid if t.priority == best_priority]
    return min(ranked, key=lambda t: (t.orderable(quantity) * t.unit_price(t.orderable(quantity)),
                                      t.lead_time_days, t.supplier_id))


def propose(rule: ReorderRule, position: Position, terms: list[SupplierTerm], today: date
            ) -> Proposal | Skipped | None:
    """The line a rule asks for now, a reason it cannot be ordered, or None when nothing is needed."""
    if not rule.active_on(today):
        return None
    want = needed(rule, position)
    if want <= ZERO:
        return None
    term = choose_supplier(terms, want, today)
    if term is None:
        return Skipped(rule.sku, rule.location, "no valid supplier terms for this item")
    quantity = term.orderable(want)
    price = term.unit_price(quantity)
    return Proposal(
        sku=rule.sku, location=rule.location, supplier_id=term.supplier_id, quantity=quantity,
        unit_price=price, currency=term.currency, supplier_sku=term.supplier_sku,
        explanation={
            "on_hand": plain(position.on_hand), "in_flight": plain(position.in_flight),
            "reserved": plain(position.reserved), "projected": plain(position.projected),
            "rule": {"kind": rule.kind.value, "min": plain(rule.minimum), "max": plain(rule.maximum)},
            "needed": plain(want),
            "terms": {"supplier_id": term.supplier_id, "priority": term.priority, "price": plain(price),
                      "currency": term.currency, "min_qty": plain(term.min_qty),
                      "multiple": plain(term.multiple), "lead_time_days": term.lead_time_days},
            "quantity": plain(quantity),
        })


class OrderState(StrEnum):
    draft = "draft"
    awaiting_approval = "awaiting_approval"
    released = "released"
    send_failed = "send_failed"  # its rendering broke the supplier's rules: fix the profile, release again
    sent = "sent"
    acknowledged = "acknowledged"  # the supplier answered (ORDRSP / OrderResponse)
    closed = "closed"  # everything received, or nothing left to receive
    rejected = "rejected"  # refused by an approver
    cancelled = "cancelled"


_S = OrderState
ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    _S.draft: frozenset({_S.awaiting_approval, _S.released, _S.cancelled}),
    _S.awaiting_approval: frozenset({_S.released, _S.rejected, _S.cancelled}),
    _S.released: frozenset({_S.sent, _S.send_failed, _S.cancelled}),
    _S.send_failed: frozenset({_S.released, _S.cancelled}),
    _S.sent: frozenset({_S.acknowledged, _S.closed, _S.cancelled}),
    _S.acknowledged: frozenset({_S.acknowledged, _S.closed, _S.cancelled}),
}
# Orders whose lines still count as in flight (a draft too: a second run must see the first's lines).
IN_FLIGHT_STATES = frozenset({_S.draft, _S.awaiting_approval, _S.released, _S.send_failed, _S.sent,
                              _S.acknowledged})


class OrderTransitionRefused(ValueError):
    """A purchase order cannot move from its state to the one asked for."""


def check_order_transition(current: str, target: OrderState) -> None:
    """Raise unless the one transition table allows current -> target."""
    if target not in ORDER_TRANSITIONS.get(OrderState(current), frozenset()):
        raise OrderTransitionRefused(f"a purchase order that is {current} cannot become {target.value}")


def needs_approval(total: Decimal, currency: str, thresholds: dict[str, Decimal]) -> bool:
    """Whether an order of this total waits for an approver (no threshold for the currency: never)."""
    limit = thresholds.get(currency.upper())
    return limit is not None and total > limit


def remaining(quantity: Decimal, confirmed: Decimal | None, received: Decimal) -> Decimal:
    """What a line still brings: the supplier's confirmed quantity when it answered, less what came."""
    return max((quantity if confirmed is None else confirmed) - received, ZERO)


@dataclass
class OrderLineState:
    """What procurement knows of one order line when a supplier's answer or a receipt comes in."""

    line_no: int
    sku: str
    supplier_sku: str
    gtin: str | None
    quantity: Decimal
    confirmed: Decimal | None = None
    shipped: Decimal = ZERO
    received: Decimal = ZERO
    state: str = "open"  # open | rejected | received | cancelled


@dataclass(frozen=True)
class AnswerLine:
    """One line of a supplier's order response or despatch advice, as the canonical document says it."""

    line_no: str
    buyer_item: str | None
    supplier_item: str | None
    gtin: str | None
    quantity: Decimal | None
    status: str | None = None  # accepted | changed | rejected (order responses)


def match_line(lines: list[OrderLineState], answer: AnswerLine) -> OrderLineState | None:
    """The order line an answer is about: by our SKU, the supplier's number, the GTIN, then line number."""
    keys = (("sku", answer.buyer_item), ("supplier_sku", answer.supplier_item), ("gtin", answer.gtin))
    for key, value in keys:
        if value:
            found = [ln for ln in lines if getattr(ln, key) == value]
            if len(found) == 1:
                return found[0]
    return next((ln for ln in lines if str(ln.line_no) == answer.line_no.lstrip("0")), None)


def apply_response(lines: list[OrderLineState], response: str, answers: list[AnswerLine]
                   ) -> list[dict[str, Any]]:
    """Record a supplier's order response on the lines; the changes made, for the order's history.

    A rejected response rejects every open line; otherwise each answered line is confirmed with the
    quantity the supplier gives (its own when it gives none), or rejected; unanswered lines stay as they
    were (confirmed as ordered when the whole order was accepted).
    """
    changes: list[dict[str, Any]] = []
    answered: set[int] = set()
    for answer in answers:
        line = match_line(lines, answer)
        if line is None or line.state != "open":
            changes.append({"line": answer.line_no, "unmatched": True})
            continue
        answered.add(line.line_no)
        if answer.status == "rejected" or response == "rejected" or answer.quantity == ZERO:
            line.state, line.confirmed = "rejected", ZERO
        else:
            line.confirmed = line.quantity if answer.quantity is None else answer.quantity
        changes.append({"line": line.line_no, "state": line.state, "confirmed": plain(line.confirmed)})
    for line in lines:
        if line.line_no in answered or line.state != "open":
            continue
        if response == "rejected":
            line.state, line.confirmed = "rejected", ZERO
        elif response == "accepted" and line.confirmed is None:
            line.confirmed = line.quantity
        else:
            continue
        changes.append({"line": line.line_no, "state": line.state, "confirmed": plain(line.confirmed)})
    return changes


def apply_despatch(lines: list[OrderLineState], answers: list[AnswerLine]) -> list[dict[str, Any]]:
    """Add what a despatch advice says was shipped to the lines it names."""
    changes: list[dict[str, Any]] = []
    for answer in answers:
        line = match_line(lines, answer)
        if line is None or answer.quantity is None:
            changes.append({"line": answer.line_no, "unmatched": True})
            continue
        line.shipped += answer.quantity
        changes.append({"line": line.line_no, "shipped": plain(line.shipped)})
    return changes


def apply_receipt(line: OrderLineState, quantity: Decimal) -> dict[str, Any]:
    """Goods received on a line; the line is received once nothing remains."""
    line.received += quantity
    if remaining(line.quantity, line.confirmed, line.received) == ZERO and line.state == "open":
        line.state = "received"
    return {"line": line.line_no, "received": plain(line.received), "state": line.state}


def order_done(lines: list[OrderLineState]) -> bool:
    """Nothing left to come: every line received, rejected or cancelled."""
    return all(line.state != "open" for line in lines)


@dataclass(frozen=True)
class TermOffer:
    """What one line of a supplier's price list says of its term for one item: new values, or its end."""

    line: str
    sku: str | None  # our item number, when the supplier gave it
    gtin: str | None
    supplier_sku: str | None
    description: str | None
    end: bool = False  # the line (or the whole list) is deleted: the term stops being valid
    values: dict[str, Any] = field(default_factory=dict)  # price, currency, min_qty, multiple, ...


def catalogue_offers(doc: Catalogue) -> tuple[list[TermOffer], list[tuple[str, str]]]:
    """The offers of a price list, and (line, why) for each line that cannot be one."""
    offers: list[TermOffer] = []
    refused: list[tuple[str, str]] = []
    for line in doc.lines:
        item = line.item
        keys = (line.number, item.our_number or item.buyer_number, item.gtin, item.supplier_number,
                item.description or item.name)
        if not any(keys[1:4]):
            refused.append((line.number, "names no item (our number, GTIN or the supplier's number)"))
        elif doc.action == "delete" or line.status == "deleted":
            offers.append(TermOffer(*keys, end=True))
        elif not line.prices:
            refused.append((line.number, "has no price"))
        elif not doc.currency:
            refused.append((line.number, "has a price in no currency (the list names none)"))
        else:
            offers.append(TermOffer(*keys, values=_term_values(doc, line)))
    return offers, refused


def _term_values(doc: Catalogue, line: Line) -> dict[str, Any]:
    """A term's columns from a price-list line: the base price, the breaks from a quantity up (per unit),
    minimum and multiple, validity (the line's, else the list's)."""
    per_unit = sorted(((p.min_quantity or ZERO, p.amount / (p.base_quantity or Decimal(1)))
                       for p in line.prices), key=lambda pair: pair[0])
    minimum, multiple = line.quantity("minimum_order"), line.quantity("order_multiple")
    return {"price": per_unit[0][1], "currency": doc.currency,
            "price_breaks": [[plain(q), plain(p)] for q, p in per_unit[1:] if q > 0],
            "min_qty": minimum.value if minimum else ZERO, "multiple": multiple.value if multiple else ZERO,
            "valid_from": line.valid_from or doc.valid_from, "valid_to": line.valid_to or doc.valid_to,
            **({"supplier_sku": line.item.supplier_number} if line.item.supplier_number else {})}
