"""A partner's mailbox: the files the hub has for it (CONTRL, APERAK, routed documents) until it
acknowledges taking them.

An outbound exchange waits `pending`; the partner lists its mailbox (oldest first), downloads each
file and acknowledges it, which makes the exchange `sent` with the time it was taken. `invalid`
files are the hub's to fix and never appear. A file left untaken past the pickup limit gets a
`MAILBOX_NOT_TAKEN` warning on its exchange (once, audited) for the operators.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import access
from hub.audit.service import record_event
from hub.db import utcnow
from hub.domain.errors import ValidationError
from hub.domain.principals import Principal
from hub.domain.states import Direction, ExchangeState
from hub.exchanges.lifecycle import transition
from hub.records.models import Exchange

WAITING = ExchangeState.pending
NOT_TAKEN = "MAILBOX_NOT_TAKEN"
_EXCHANGE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class BadCursor(ValidationError):
    code = "BAD_PARAMETER"
    http_status = 400


@dataclass(frozen=True)
class MailboxPage:
    """Waiting files, oldest first, and the cursor for the next page (None at the end)."""

    items: list[Exchange]
    next_cursor: str | None


def _outbound(principal: Principal) -> Any:
    """Outbound exchanges the principal may see (hub.access: a partner, its own)."""
    return access.visible(principal, select(Exchange), Exchange).where(
        Exchange.direction == Direction.outbound.value)


def list_waiting(session: Session, principal: Principal, *, cursor: str | None, limit: int
                 ) -> MailboxPage:
    """The partner's untaken files after `cursor` (an exchange id from a previous page).

    Ids are UUIDv7, so their order is the order the files were made in: oldest first.
    """
    stmt = _outbound(principal).where(Exchange.state == WAITING)
    if cursor:
        if not _EXCHANGE_ID.fullmatch(cursor):
            raise BadCursor("cursor must be the next_cursor of a previous page")
        stmt = stmt.where(Exchange.id > cursor)
    rows = list(session.scalars(stmt.order_by(Exchange.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return MailboxPage(rows, rows[-1].id if more else None)


def acknowledge(session: Session, principal: Principal, ids: Sequence[str], *, actor: str
                ) -> tuple[list[str], list[str]]:
    """Mark the partner's files as taken; returns (acknowledged, unknown). Idempotent: a file
    taken before is acknowledged again without change. Another partner's id, an inbound or an
    `invalid` exchange is unknown, exactly like an id that does not exist. The caller commits."""
    wanted = list(dict.fromkeys(ids))
    found = {e.id: e for e in session.scalars(
        _outbound(principal).where(Exchange.id.in_(wanted),
                                   Exchange.state.in_((WAITING, ExchangeState.sent)))
        .with_for_update())}
    now = utcnow()
    for exchange in found.values():
        if exchange.state == WAITING:
            exchange.result = {**(exchange.result or {}),
                               "picked_up": {"at": now.isoformat(), "by": actor}}
            # taken by the partner: through `sending`, as the state table wants every send
            for target in (ExchangeState.sending, ExchangeState.sent):
                transition(session, exchange, target, actor=actor, details={"via": "mailbox"})
    return [i for i in wanted if i in found], [i for i in wanted if i not in found]


def flag_not_taken(session: Session, *, older_than: timedelta, now: datetime | None = None,
                   limit: int = 500) -> int:
    """Warn on files waiting longer than `older_than` (each once, audited); returns how many.
    The caller commits."""
    cutoff = (now or utcnow()) - older_than
    waiting = session.scalars(
        select(Exchange).where(Exchange.direction == Direction.outbound.value,
                               Exchange.state == WAITING, Exchange.received_at < cutoff)
        .order_by(Exchange.id).limit(limit * 4)).all()
    flagged = 0
    for exchange in waiting:
        if any(w.get("code") == NOT_TAKEN for w in exchange.warnings or []):
            continue
        hours = round(older_than.total_seconds() / 3600, 2)
        exchange.warnings = [*(exchange.warnings or []), {
            "code": NOT_TAKEN, "severity": "warning",
            "message": f"the partner has not taken this file within {hours} h "
                       "(HUB_MAILBOX_PICKUP_HOURS)"}]
        record_event(session, actor="system:mailbox", action="exchange.not_taken",
                     object_type="exchange", object_id=exchange.id, partner_id=exchange.partner_id,
                     details={"waiting_since": exchange.received_at.isoformat()})
        flagged += 1
        if flagged >= limit:
            break
    return flagged


def mailbox_item(exchange: Exchange, *, pickup_limit: timedelta, now: datetime) -> dict[str, Any]:
    """One waiting file as the partner sees it in its mailbox."""
    return {"id": exchange.id, "type": exchange.doc_type, "syntax": exchange.syntax,
            "control_ref": exchange.control_ref, "size": exchange.size,
            "sha256": exchange.sha256, "content_type": exchange.content_type,
            "created_at": exchange.received_at.isoformat(),
            "overdue": exchange.received_at < now - pickup_limit,
            "reply_to": (exchange.result or {}).get("reply_to"),
            "links": {"file": f"/api/v1/mailbox/{exchange.id}",
                      "exchange": f"/api/v1/exchanges/{exchange.id}"}}
