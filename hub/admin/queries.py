"""Bounded reads for the pages: time-bounded counts and counts that stop at a cap, never a whole table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, tuple_
from sqlalchemy.orm import Session

from hub.api.params import BadParameter
from hub.audit.models import AuditEvent
from hub.db import utcnow
from hub.domain.states import DeliveryState, ExchangeState
from hub.erp.models import OutboundDelivery
from hub.partners import domain as profiles
from hub.partners.models import Partner
from hub.procurement.models import PurchaseOrder
from hub.reconciliation.models import StatementEntry
from hub.reconciliation.queries import EXCEPTION_STATUSES
from hub.records.models import Document, Exchange

CAP = 1000  # a count shown as "1000+" past this


@dataclass(frozen=True)
class Capped:
    value: int
    more: bool

    def __str__(self) -> str:
        return f"{self.value}+" if self.more else str(self.value)


def capped_count(session: Session, ids: Select[Any], cap: int = CAP) -> Capped:
    """How many rows `ids` selects, reading at most cap + 1 of them."""
    n = session.scalar(select(func.count()).select_from(ids.limit(cap + 1).subquery())) or 0
    return Capped(min(n, cap), n > cap)


@dataclass(frozen=True)
class Dashboard:
    since: datetime
    per_state: dict[ExchangeState, int]
    failed_inbound: Capped
    dead_deliveries: Capped
    ack_overdue: Capped
    awaiting_approval: Capped
    payments_waiting: Capped
    last_verification: AuditEvent | None


def dashboard(session: Session, *, ack_after: timedelta) -> Dashboard:
    """The figures to act on first."""
    now = utcnow()
    since = now - timedelta(hours=24)
    per_state = dict(session.execute(
        select(Exchange.state, func.count()).where(Exchange.received_at >= since)
        .group_by(Exchange.state)).all())
    return Dashboard(
        since=since, per_state=per_state,
        failed_inbound=capped_count(session, select(Exchange.id).where(
            Exchange.state == ExchangeState.failed, Exchange.direction == "inbound")),
        dead_deliveries=capped_count(session, select(OutboundDelivery.id).where(
            OutboundDelivery.state == DeliveryState.dead)),
        ack_overdue=capped_count(session, select(Exchange.id).where(overdue_acks(session, now, ack_after))),
        awaiting_approval=capped_count(session, select(PurchaseOrder.id).where(
            PurchaseOrder.state == "awaiting_approval")),
        payments_waiting=capped_count(session, select(StatementEntry.id).where(
            StatementEntry.status.in_(EXCEPTION_STATUSES))),
        last_verification=last_verification(session))


def overdue_acks(session: Session, now: datetime, default: timedelta) -> ColumnElement[bool]:
    """Outbound files still awaiting their acknowledgement past the deadline of their partner (its
    profile's `ack_deadline_hours`, else `default`): one condition per distinct deadline."""
    custom: dict[float, list[int]] = {}
    for pid, profile in session.execute(select(Partner.id, Partner.profile)):
        hours = profiles.ack_deadline_hours(profile) if isinstance(profile, dict) else None
        if hours is not None:
            custom.setdefault(hours, []).append(pid)
    special = [pid for ids in custom.values() for pid in ids]
    cases = [and_(Exchange.partner_id.in_(ids), Exchange.received_at < now - timedelta(hours=hours))
             for hours, ids in custom.items()]
    cases.append(and_(Exchange.partner_id.not_in(special) if special else true(),
                      Exchange.received_at < now - default))
    return and_(Exchange.ack_status == "awaiting", or_(*cases))


def last_verification(session: Session) -> AuditEvent | None:
    return session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.verified")
                           .order_by(AuditEvent.id.desc()).limit(1)).first()


def search(session: Session, stmt: Select[Exchange], term: str, limit: int = 200) -> Select[Exchange]:
    """Exchanges whose id or control reference is `term`, or that carried a document numbered `term`.

    Each source is looked up on its own index first (an OR across tables would scan them all)."""
    ids = set(session.scalars(select(Exchange.id).where(Exchange.control_ref == term).limit(limit)))
    ids.update(session.scalars(select(Document.exchange_id).where(Document.number == term).limit(limit)))
    ids.update(session.scalars(select(Exchange.id).where(Exchange.id == term)))
    return stmt.where(Exchange.id.in_(ids))


def newest_first(stmt: Select[Exchange], after: str | None) -> Select[Exchange]:
    """Keyset paging, newest first: the page after the cursor `received_at|id` (the last row shown)."""
    stmt = stmt.order_by(None).order_by(Exchange.received_at.desc(), Exchange.id.desc())
    if not after:
        return stmt
    at, _, last_id = after.partition("|")
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise BadParameter(f"after must be a cursor from a 'next' link, got {after!r}") from None
    return stmt.where(tuple_(Exchange.received_at, Exchange.id) < (when, last_id))


def cursor_of(exchange: Exchange) -> str:
    return f"{exchange.received_at.isoformat()}|{exchange.id}"


def replies_to(session: Session, exchange: Exchange, limit: int = 20) -> list[Exchange]:
    """The acknowledgements (CONTRL, APERAK) the hub sent back for an inbound exchange."""
    return list(session.scalars(
        select(Exchange).where(Exchange.partner_id == exchange.partner_id,
                               Exchange.direction == "outbound",
                               Exchange.received_at >= exchange.received_at,
                               Exchange.result["reply_to"].as_string() == exchange.id)
        .order_by(Exchange.received_at).limit(limit)))


def timeline(session: Session, object_type: str, object_ids: list[str], limit: int = 200
             ) -> list[AuditEvent]:
    """Audit events of these objects, oldest first."""
    if not object_ids:
        return []
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == object_type,
                                 AuditEvent.object_id.in_(object_ids))
        .order_by(AuditEvent.id).limit(limit)))
