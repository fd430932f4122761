"""The replenishment run: every rule at or below its trigger becomes a line on its supplier's draft order.

Set-based: one query each for the rules, the stock, what is in flight, the supplier terms and the open
drafts; the decisions are made in memory by the pure domain; the lines are written with one INSERT.
Runs cannot double: a scheduled run claims its (job, slot) key first, in its own transaction, and every
run then takes the replenishment lock (a PostgreSQL advisory lock on the transaction; on SQLite the claim's
write already holds the database's one write lock) before it reads, so a second run waits and then sees
the first one's lines as in flight.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, case, cast, func, select, text
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.bulk import insert_values
from hub.db import utcnow
from hub.exchanges.models import StockLevel
from hub.jobruns.models import JobRun
from hub.jobruns.service import finish
from hub.procurement import domain
from hub.procurement.domain import IN_FLIGHT_STATES, OrderState, Position, Proposal, Skipped
from hub.procurement.models import Item, PurchaseOrder, PurchaseOrderLine, ReorderRule, SupplierTerm
from hub.procurement.settings import ProcurementSettings

JOB = "replenish"
LOCK_KEY = 7_310_001  # the advisory lock every replenishment run takes on PostgreSQL
ACTOR = "system:replenishment"


@dataclass
class RunReport:
    """What one run proposed, skipped and wrote."""

    proposals: list[Proposal] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    orders: dict[int, str] = field(default_factory=dict)  # order id -> state after the run
    rules_checked: int = 0

    def summary(self) -> dict[str, Any]:
        return {"rules_checked": self.rules_checked, "lines": len(self.proposals),
                "skipped": len(self.skipped), "orders": {str(k): v for k, v in self.orders.items()}}


def take_lock(session: Session) -> None:
    """Serialise replenishment runs for the rest of the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def plan(session: Session, today: date) -> tuple[RunReport, dict[str, int], dict[str, str]]:
    """Every proposal and skip for today, from a few set-based reads; with item ids and units by SKU.

    Rules, stock and what is in flight are read whole; supplier terms only for the items whose rule
    triggered (in chunks of ids), since most rules, on most runs, want nothing.
    """
    rules = session.execute(
        select(Item.id, Item.sku, Item.unit, ReorderRule.location, ReorderRule.kind, ReorderRule.minimum,
               ReorderRule.maximum, ReorderRule.paused, ReorderRule.snoozed_until)
        .join(Item, Item.id == ReorderRule.item_id).where(ReorderRule.paused.is_(False))).all()
    stock = {(r.item, r.location): (r.quantity, r.reserved) for r in session.execute(
        select(StockLevel.item, StockLevel.location, StockLevel.quantity, StockLevel.reserved))}
    flight = _in_flight(session)
    report, item_ids, units = RunReport(rules_checked=len(rules)), {}, {}
    triggered = []
    for r in rules:
        item_ids[r.sku], units[r.sku] = r.id, r.unit
        on_hand, reserved = stock.get((r.sku, r.location), (Decimal(0), Decimal(0)))
        rule = domain.ReorderRule(r.sku, r.location, domain.RuleKind(r.kind), r.minimum, r.maximum,
                                  r.paused, r.snoozed_until)
        position = Position(on_hand, flight.get((r.id, r.location), Decimal(0)), reserved or Decimal(0))
        if rule.active_on(today) and domain.needed(rule, position) > 0:
            triggered.append((r.id, rule, position))
    terms = _terms_of(session, sorted({item_id for item_id, _, _ in triggered}))
    for item_id, rule, position in triggered:
        outcome = domain.propose(rule, position, [_term(rule.sku, row) for row in terms.get(item_id, [])],
                                 today)
        if isinstance(outcome, Proposal):
            report.proposals.append(outcome)
        elif isinstance(outcome, Skipped):
            report.skipped.append(outcome)
    return report, item_ids, units


def _in_flight(session: Session) -> dict[tuple[int, str], Decimal]:
    """Per (item id, location): what open order lines still bring (confirmed quantity when answered)."""
    line = PurchaseOrderLine
    expected = func.coalesce(line.confirmed_quantity, line.quantity)
    still = case((expected > line.received_quantity, expected - line.received_quantity), else_=0)
    rows = session.execute(
        select(line.item_id, line.location, func.sum(still))
        .join(PurchaseOrder, PurchaseOrder.id == line.order_id)
        .where(PurchaseOrder.state.in_([s.value for s in IN_FLIGHT_STATES]), line.state == "open")
        .group_by(line.item_id, line.location))
    return {(item_id, location): Decimal(total or 0) for item_id, location, total in rows}


TERMS_CHUNK = 5000  # item ids per read of supplier terms (SQLite allows 32,766 parameters)


def _terms_of(session: Session, item_ids: list[int]) -> dict[int, list[Any]]:
    """The supplier terms of these items as plain rows, by item id; price breaks as JSON text."""
    t = SupplierTerm
    out: dict[int, list[Any]] = defaultdict(list)
    columns = (t.item_id, t.supplier_id, t.price, t.currency, t.supplier_sku, t.min_qty, t.multiple,
               t.lead_time_days, t.priority, t.valid_from, t.valid_to, cast(t.price_breaks, Text))
    for start in range(0, len(item_ids), TERMS_CHUNK):
        chunk = item_ids[start:start + TERMS_CHUNK]
        for item_id, *values in session.execute(select(*columns).where(t.item_id.in_(chunk))):
            out[item_id].append(values)
    return out


def _term(sku: str, row: list[Any]) -> domain.SupplierTerm:
    supplier_id, price, currency, supplier_sku, min_qty, multiple, lead, priority, since, until, breaks = row
    pairs = json.loads(breaks) if isinstance(breaks, str) else breaks
    price_breaks = tuple(domain.PriceBreak(Decimal(str(q)), Decimal(str(p))) for q, p in pairs or [])
    return domain.SupplierTerm(sku, supplier_id, price, currency, supplier_sku, min_qty, multiple, lead,
                               priority, since, until, price_breaks)


def run(session: Session, *, today: date, settings: ProcurementSettings, job_run: JobRun | None,
        actor: str = ACTOR) -> RunReport:
    """Plan and write: lines on each supplier's open draft (or a new one), then submit the drafts.

    The caller owns the transaction (and has claimed the run's slot in it); nothing is written for a
    dry run, which calls `plan` alone.
    """
    take_lock(session)
    report, item_ids, units = plan(session, today)
    by_order: dict[int, list[Proposal]] = defaultdict(list)
    drafts = open_drafts(session)
    for proposal in report.proposals:
        key = (proposal.supplier_id, proposal.currency)
        if key not in drafts:
            drafts[key] = new_draft(session, proposal.supplier_id, proposal.currency, job_run)
        by_order[drafts[key].id].append(proposal)
    _write_lines(session, by_order, item_ids, units)
    publish(session, report, by_order, settings=settings, job_run=job_run, actor=actor)
    return report


def publish(session: Session, report: RunReport, by_order: dict[int, list[Proposal]], *,
            settings: ProcurementSettings, job_run: JobRun | None, actor: str) -> None:
    """Once the lines are on their orders: totals, each draft submitted, the run finished, all audited."""
    events = [EventSpec(actor, "purchase_order.lines_proposed", "purchase_order", str(order_id),
                        None, {"lines": len(props), "run": job_run.id if job_run else None})
              for order_id, props in by_order.items()]
    for order_id in by_order:
        order = session.get(PurchaseOrder, order_id)
        assert order is not None
        order.total = _total(session, order_id)
        if settings.auto_submit:
            events.append(submit(order, settings, actor))
        report.orders[order_id] = order.state
    if job_run is not None:
        finish(job_run, **report.summary())
        events.append(EventSpec(actor, "replenishment.run", "job_run", str(job_run.id), None,
                                report.summary()))
    record_events(session, events)


def open_drafts(session: Session) -> dict[tuple[int, str], PurchaseOrder]:
    """The open draft orders, by (supplier, currency): a run adds its lines to them."""
    rows = session.scalars(select(PurchaseOrder).where(PurchaseOrder.state == OrderState.draft.value)
                           .order_by(PurchaseOrder.id))
    return {(o.supplier_id, o.currency): o for o in rows}


def new_draft(session: Session, supplier_id: int, currency: str, job_run: JobRun | None) -> PurchaseOrder:
    """A new, empty draft order to a supplier in a currency, created by this run."""
    order = PurchaseOrder(supplier_id=supplier_id, currency=currency,
                          state=OrderState.draft.value, run_id=job_run.id if job_run else None,
                          history=[history_step("created", "replenishment run")])
    session.add(order)
    session.flush()
    return order


def _write_lines(session: Session, by_order: dict[int, list[Proposal]], item_ids: dict[str, int],
                 units: dict[str, str]) -> None:
    if not by_order:
        return
    last = dict(session.execute(select(PurchaseOrderLine.order_id, func.max(PurchaseOrderLine.line_no))
                                .where(PurchaseOrderLine.order_id.in_(list(by_order)))
                                .group_by(PurchaseOrderLine.order_id)).all())
    rows = []
    dumps = json.dumps
    for order_id, proposals in by_order.items():
        start = last.get(order_id) or 0
        rows += [(order_id, start + n, item_ids[p.sku], p.location, str(p.quantity), units[p.sku],
                  str(p.unit_price), p.supplier_sku, "open", "0", "0", dumps(p.explanation))
                 for n, p in enumerate(proposals, 1)]
    insert_values(session, PurchaseOrderLine, LINE_COLUMNS, rows)  # COPY on PostgreSQL


LINE_COLUMNS = ("order_id", "line_no", "item_id", "location", "quantity", "unit", "unit_price",
                 "supplier_sku", "state", "shipped_quantity", "received_quantity", "explanation")


def _total(session: Session, order_id: int) -> Decimal:
    line = PurchaseOrderLine
    total = session.scalar(select(func.sum(line.quantity * line.unit_price))
                           .where(line.order_id == order_id, line.state == "open"))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def history_step(action: str, by: str, **details: Any) -> dict[str, Any]:
    """One entry of an order's history: when, what, by whom, with its details."""
    return {"at": utcnow().isoformat(), "action": action, "by": by, **details}


def submit(order: PurchaseOrder, settings: ProcurementSettings, actor: str) -> EventSpec:
    """A draft goes to approval when its total passes the currency's threshold, else it is released."""
    target = OrderState.awaiting_approval if domain.needs_approval(
        order.total, order.currency, settings.approval_thresholds) else OrderState.released
    return change_state(order, target, actor)


def change_state(order: PurchaseOrder, target: OrderState, actor: str, **details: Any) -> EventSpec:
    """Move the order through the one transition table; its history and the audit event say so."""
    domain.check_order_transition(order.state, target)
    before = order.state
    order.state = target.value
    order.history = [*(order.history or []), history_step(target.value, actor, **details)]
    return EventSpec(actor, "purchase_order.state_changed", "purchase_order", str(order.id),
                     order.supplier_id, {"from": before, "to": target.value, **details})
