"""Procurement's use cases, each one transaction: replenishment runs, order decisions, reading orders.

The edges (API views, CLI commands, the scheduler) call these with a session factory; these own the
commit, so a failed step leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.db import new_id, transaction
from hub.domain.errors import HubError, NotFound
from hub.jobruns.models import JobRun
from hub.jobruns.service import claim_slot, slot_key
from hub.procurement import answers, catalog, replenishment, sending, staging
from hub.procurement.domain import OrderState, OrderTransitionRefused
from hub.procurement.models import Item, PurchaseOrder, PurchaseOrderLine
from hub.procurement.settings import ProcurementSettings

SessionFactory = Callable[[], Session]
IMPORT_BATCH = 1000  # rows per transaction: a big file never holds the write lock for long


class OrderActionRefused(HubError):
    code = "ORDER_ACTION_REFUSED"
    http_status = 409


def replenish(sessions: SessionFactory, settings: ProcurementSettings, *, at: datetime,
              scheduled: bool, dry_run: bool = False, actor: str = replenishment.ACTOR) -> dict[str, Any]:
    """One replenishment run; a scheduled one runs once per slot (a second claim of it is skipped)."""
    with sessions() as session, transaction(session):
        if dry_run:
            report, _, _ = replenishment.plan(session, at.date())
            return {"dry_run": True, **report.summary(),
                    "proposals": [_proposal(p) for p in report.proposals],
                    "skipped": [s.__dict__ for s in report.skipped]}
        every = timedelta(minutes=settings.replenish_every_minutes)
        slot = slot_key(at, every) if scheduled else f"manual:{new_id()}"
        trigger = "schedule" if scheduled else "manual"
        if session.get_bind().dialect.name == "sqlite":
            taken = _slot_taken(session, slot)
            session.rollback()
            if taken:
                return _skipped(slot)
            return _replenish_staged(sessions, settings, at, slot, trigger, actor)
        job_run = claim_slot(session, replenishment.JOB, slot, trigger=trigger)
        if job_run is None:
            session.rollback()
            return _skipped(slot)
        report = replenishment.run(session, today=at.date(), settings=settings, job_run=job_run, actor=actor)
        return {"run_id": job_run.id, "slot": slot, **report.summary()}


def _replenish_staged(sessions: SessionFactory, settings: ProcurementSettings, at: datetime, slot: str,
                      trigger: str, actor: str) -> dict[str, Any]:
    """The run on SQLite: planned and staged without the write lock, shown in one short transaction."""
    try:
        report, run_id = staging.run(sessions, today=at.date(), settings=settings, slot=slot, trigger=trigger,
                                     actor=actor)
    except staging.RunBusy as exc:
        return {"skipped": True, "reason": str(exc)}
    if report is None:
        return _skipped(slot)
    return {"run_id": run_id, "slot": slot, **report.summary()}


def _slot_taken(session: Session, slot: str) -> bool:
    return session.scalar(select(JobRun.id).where(JobRun.job == replenishment.JOB, JobRun.slot == slot)
                          ) is not None


def _skipped(slot: str) -> dict[str, Any]:
    return {"skipped": True, "reason": f"the run of slot {slot} has already been made"}


def scheduled_replenishment(sessions: SessionFactory, settings: ProcurementSettings) -> dict[str, Any]:
    """What the scheduler calls: the run of the current slot, once."""
    return replenish(sessions, settings, at=datetime.now(UTC), scheduled=True)


def import_rows(sessions: SessionFactory, kind: str, rows: Sequence[tuple[int, Mapping[str, Any]]], *,
                actor: str, progress: Callable[[int], Any] | None = None) -> catalog.ImportSummary:
    """Upsert rows of one kind in batches, each its own transaction; refusals name line and column."""
    total = catalog.ImportSummary()
    for start in range(0, len(rows), IMPORT_BATCH):
        batch = rows[start:start + IMPORT_BATCH]
        with sessions() as session, transaction(session):
            part = catalog.upsert_rows(session, kind, batch, actor=actor)
        total.created, total.updated = total.created + part.created, total.updated + part.updated
        total.unchanged += part.unchanged
        total.refused += part.refused
        if progress is not None:
            progress(len(batch))
    return total


def delete_row(sessions: SessionFactory, model: type[Any], row_id: int, *, actor: str) -> None:
    """Delete one supplier term or reorder rule, audited."""
    with sessions() as session, transaction(session):
        row = session.get(model, row_id)
        if row is None:
            raise NotFound(f"no {model.__tablename__} row {row_id}")
        session.delete(row)
        record_events(session, [EventSpec(actor, f"procurement.{model.__tablename__}.deleted",
                                          model.__tablename__, str(row_id), None, {})])


def _proposal(p: replenishment.Proposal) -> dict[str, Any]:
    return {"sku": p.sku, "location": p.location, "supplier_id": p.supplier_id, "quantity": str(p.quantity),
            "unit_price": str(p.unit_price), "currency": p.currency, "amount": str(p.amount),
            "explanation": p.explanation}


def decide(sessions: SessionFactory, order_id: int, action: str, *, actor: str, reason: str = "",
           settings: ProcurementSettings | None = None) -> dict[str, Any]:
    """approve | reject | release | cancel | submit an order; audited; refused when its state forbids."""
    targets = {"approve": OrderState.released, "release": OrderState.released,
               "reject": OrderState.rejected, "cancel": OrderState.cancelled}
    with sessions() as session, transaction(session):
        order = _order(session, order_id, lock=True)
        if action in ("reject", "cancel") and not reason.strip():
            raise OrderActionRefused(f"a reason is needed to {action} an order")
        try:
            if action == "submit":
                event = replenishment.submit(order, settings or ProcurementSettings(), actor)
            elif action == "approve" and order.state != OrderState.awaiting_approval.value:
                raise OrderActionRefused(f"order {order.id} is {order.state}, not awaiting approval")
            elif action in targets:
                details = {"reason": reason} if reason else {}
                event = replenishment.change_state(order, targets[action], actor, **details)
            else:
                raise OrderActionRefused(f"unknown action {action!r}")
        except OrderTransitionRefused as exc:
            raise OrderActionRefused(str(exc)) from None
        if reason:
            order.reason = reason[:500]
        if action == "cancel":
            for line in order_lines(session, order.id):
                line.state = "cancelled"
        record_events(session, [event])
        return order_as_dict(session, order)


def _order(session: Session, order_id: int, *, lock: bool = False) -> PurchaseOrder:
    query = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    order = session.scalars(query.with_for_update() if lock else query).first()
    if order is None:
        raise NotFound(f"no purchase order {order_id}")
    return order


def order_lines(session: Session, order_id: int) -> list[PurchaseOrderLine]:
    return list(session.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == order_id)
                                .order_by(PurchaseOrderLine.line_no)))


def order_as_dict(session: Session, order: PurchaseOrder, *, lines: bool = True) -> dict[str, Any]:
    """The order as the API shows it, with its lines (and why each was proposed) and its history."""
    out: dict[str, Any] = {
        "id": order.id, "number": order.number, "supplier_id": order.supplier_id, "state": order.state,
        "currency": order.currency, "total": str(order.total), "run_id": order.run_id,
        "exchange_id": order.exchange_id, "reason": order.reason, "history": order.history or [],
        "created_at": order.created_at.isoformat()}
    if lines:
        skus = dict(session.execute(select(Item.id, Item.sku).join(
            PurchaseOrderLine, PurchaseOrderLine.item_id == Item.id)
            .where(PurchaseOrderLine.order_id == order.id)).all())
        out["lines"] = [{
            "line_no": ln.line_no, "sku": skus.get(ln.item_id), "location": ln.location,
            "quantity": str(ln.quantity), "unit": ln.unit, "unit_price": str(ln.unit_price),
            "confirmed_quantity": None if ln.confirmed_quantity is None else str(ln.confirmed_quantity),
            "shipped_quantity": str(ln.shipped_quantity), "received_quantity": str(ln.received_quantity),
            "state": ln.state, "explanation": ln.explanation} for ln in order_lines(session, order.id)]
    return out


def list_orders(session: Session, *, state: str | None = None, supplier_id: int | None = None,
                limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    query = select(PurchaseOrder).order_by(PurchaseOrder.id.desc())
    if state:
        query = query.where(PurchaseOrder.state == state)
    if supplier_id is not None:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    rows = session.scalars(query.limit(limit).offset(offset))
    return [order_as_dict(session, o, lines=False) for o in rows]


def order_detail(session: Session, order_id: int) -> dict[str, Any]:
    return order_as_dict(session, _order(session, order_id))


def run_detail(session: Session, run_id: int) -> dict[str, Any]:
    """A run with what it did and the orders and lines it proposed, each with its explanation."""
    job_run = session.get(JobRun, run_id)
    if job_run is None or job_run.job != replenishment.JOB:
        raise NotFound(f"no replenishment run {run_id}")
    orders = session.scalars(select(PurchaseOrder).where(PurchaseOrder.run_id == run_id))
    return {"id": job_run.id, "slot": job_run.slot, "trigger": job_run.trigger, "outcome": job_run.outcome,
            "started_at": job_run.started_at.isoformat(), "details": job_run.details,
            "orders": [order_as_dict(session, o) for o in orders]}


def send_released(sessions: SessionFactory, settings: Any, *, today: date | None = None,
                  limit: int = 100) -> dict[str, Any]:
    """Send every released order, each in its own transaction: one that cannot be rendered stays
    released with its error in its history (and its number goes back to the series)."""
    sent, failed = [], []
    with sessions() as session:
        ids = sending.released_ids(session, limit)
    for order_id in ids:
        with sessions() as session, transaction(session):
            order = _order(session, order_id, lock=True)
            if order.state != OrderState.released.value:
                continue
            try:
                events = sending.send(session, order, settings, today or datetime.now(UTC).date())
            except HubError as exc:
                session.rollback()
                _record_send_failure(sessions, order_id, exc)
                failed.append({"id": order_id, "error": exc.message})
                continue
            record_events(session, events)
            sent.append({"id": order_id, "number": order.number, "exchange_id": order.exchange_id})
    return {"sent": sent, "failed": failed}


def _record_send_failure(sessions: SessionFactory, order_id: int, exc: HubError) -> None:
    with sessions() as session, transaction(session):
        order = _order(session, order_id, lock=True)
        event = replenishment.change_state(order, OrderState.send_failed, sending.ACTOR, code=exc.code,
                                           message=exc.message,
                                           problems=[p.as_dict() for p in exc.problems[:20]])
        record_events(session, [event])


def receive_goods(sessions: SessionFactory, order_id: int, receipts: list[tuple[int, Decimal]], *,
                  actor: str) -> dict[str, Any]:
    """Record goods received on an order's lines (the ERP's receipt); closes what is complete."""
    with sessions() as session, transaction(session):
        order = _order(session, order_id, lock=True)
        try:
            events = answers.receive(session, order, receipts, actor)
        except OrderTransitionRefused as exc:
            raise OrderActionRefused(str(exc)) from None
        record_events(session, events)
        return order_as_dict(session, order)
