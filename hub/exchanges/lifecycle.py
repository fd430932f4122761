"""An exchange's life inside the capability: the one exchange factory, moving exchanges between states
(always with an audit event), what a principal may see of them, and the followers of sent files.
Other capabilities reach these through `hub.exchanges.service`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from hub import access
from hub.audit.service import EventSpec, record_event, record_events
from hub.bulk import insert_rows
from hub.db import new_ids, utcnow
from hub.domain.principals import Principal
from hub.domain.states import Direction, ExchangeState, check_transition
from hub.partners.models import Partner
from hub.records.models import Exchange

# (session, an outbound exchange that has just become `sent`) -> the audit events of what followed
SentFollower = Callable[[Session, Exchange], list[EventSpec]]
_sent_followers: list[SentFollower] = []


def on_sent(follower: SentFollower) -> None:
    """Register `follower` (once) for every outbound exchange that becomes `sent` (delivered, or
    taken from the partner's mailbox): a capability moves what it carried (an invoice is sent)."""
    if follower not in _sent_followers:
        _sent_followers.append(follower)


def exchange_values(direction: Direction, partner_id: int, raw: bytes, *, state: ExchangeState,
                    sha256: str | None = None, **columns: Any) -> dict[str, Any]:
    """The column rules of every exchange row, made one at a time or many: its bytes with their
    size and SHA-256 (or the digest the caller keys duplicates by), no warnings, result or attempts
    yet, and `columns` (syntax, doc_type, control_ref, ...)."""
    return {"direction": direction.value, "partner_id": partner_id, "state": state.value, "raw": raw,
            "size": len(raw), "sha256": sha256 or hashlib.sha256(raw).hexdigest(),
            "warnings": [], "result": {}, "attempts": 0, **columns}


def new_exchange(session: Session, direction: Direction, partner_id: int, raw: bytes, *,
                 state: ExchangeState, sha256: str | None = None, flush: bool = True,
                 **columns: Any) -> Exchange:
    """The one constructor of an exchange row (`exchange_values`). Added to the session, and flushed
    unless told (its id is then known)."""
    exchange = Exchange(**exchange_values(direction, partner_id, raw, state=state, sha256=sha256,
                                          **columns))
    session.add(exchange)
    if flush:
        session.flush()
    return exchange


class NewExchange(NamedTuple):
    """One exchange of a batch for `new_exchanges`: its partner, bytes and own columns."""

    partner_id: int
    raw: bytes
    columns: Mapping[str, Any] = MappingProxyType({})


def new_exchanges(session: Session, direction: Direction, made: Sequence[NewExchange], *,
                  state: ExchangeState, **columns: Any) -> list[str]:
    """Many exchange rows at once, by the rules of `new_exchange` (`exchange_values`; the model's
    defaults for what is left out), written in bulk without ORM objects; `columns` are shared by
    all, each one's own `columns` added. Returns their ids in order. Every row must name the same
    columns."""
    ids = new_ids(len(made))
    rows = [{"id": exchange_id, **exchange_values(direction, m.partner_id, m.raw, state=state,
                                                  **columns, **m.columns)}
            for exchange_id, m in zip(ids, made, strict=True)]
    insert_rows(session, Exchange, rows)
    return ids


def purge_exchanges(session: Session, ids: Sequence[str], now: datetime) -> None:
    """Forget the bytes of these exchanges (retention chose them); the rows and their trail stay."""
    session.execute(update(Exchange).where(Exchange.id.in_(ids))
                    .values(raw=b"", purged_at=now, updated_at=now))


_DESCRIBED = frozenset({"error", "result", "control_ref", "doc_type", "warnings", "content_type", "filename"})


def describe(exchange: Exchange, **columns: Any) -> None:
    """Record what the capability handling an exchange's content knows of it: its `error`, `result`,
    `control_ref`, `doc_type`, `warnings`, the `content_type` and `filename` it came with (its state
    moves only through `transition`)."""
    unknown = set(columns) - _DESCRIBED
    if unknown:
        raise TypeError(f"describe() sets only {sorted(_DESCRIBED)}, not {sorted(unknown)}")
    for name, value in columns.items():
        setattr(exchange, name, value)


def transition(session: Session, exchange: Exchange, target: ExchangeState, *, actor: str,
               details: dict[str, Any] | None = None) -> None:
    """Move the exchange to `target` if the state table allows it, and audit it in this transaction."""
    current = exchange.state
    check_transition(Direction(exchange.direction), current, target)
    exchange.state = target
    exchange.updated_at = utcnow()
    record_event(session, actor=actor, action="exchange.state_changed", object_type="exchange",
                 object_id=exchange.id, partner_id=exchange.partner_id,
                 details={"from": current, "to": target, **(details or {})})
    if target is ExchangeState.sent and exchange.direction == Direction.outbound.value:
        record_events(session, [event for follower in _sent_followers
                                for event in follower(session, exchange)])


def claim(session: Session, exchange_id: str, *, actor: str, source: ExchangeState) -> bool:
    """Atomically take an exchange from `source` to processing; False when another worker won."""
    check_transition(Direction.inbound, source, ExchangeState.processing)
    result = session.execute(
        update(Exchange)
        .where(Exchange.id == exchange_id, Exchange.state == source)
        .values(state=ExchangeState.processing, updated_at=utcnow(),
                attempts=Exchange.attempts + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    partner_id = session.scalar(select(Exchange.partner_id).where(Exchange.id == exchange_id))
    record_event(session, actor=actor, action="exchange.state_changed", object_type="exchange",
                 object_id=exchange_id, partner_id=partner_id,
                 details={"from": source, "to": ExchangeState.processing})
    return True


def get_visible(session: Session, exchange_id: str, principal: Principal) -> Exchange:
    """The exchange if the principal may see it (hub.access); NotFound otherwise."""
    return access.get_visible(session, Exchange, exchange_id, principal, what="exchange")


@dataclass
class ExchangeFilter:
    state: str | None = None
    doc_type: str | None = None
    direction: str | None = None
    partner_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    # outbound: the partner's CONTRL status, "awaiting" one asked for, or "none" (none asked or come)
    ack_status: str | None = None


def visible_query(principal: Principal, flt: ExchangeFilter) -> Select[Exchange]:
    """Exchanges the principal may list, newest first, filtered."""
    stmt = access.visible(principal, select(Exchange), Exchange).order_by(
        Exchange.received_at.desc(), Exchange.id)
    if flt.partner_id is not None and access.may(principal, access.Permission.read_all):
        stmt = stmt.where(Exchange.partner_id == flt.partner_id)
    if flt.state:
        stmt = stmt.where(Exchange.state == flt.state)
    if flt.doc_type:
        stmt = stmt.where(Exchange.doc_type == flt.doc_type)
    if flt.direction:
        stmt = stmt.where(Exchange.direction == flt.direction)
    if flt.ack_status == "none":
        stmt = stmt.where(Exchange.direction == "outbound", Exchange.ack_status.is_(None))
    elif flt.ack_status:
        stmt = stmt.where(Exchange.ack_status == flt.ack_status)
    if flt.since:
        stmt = stmt.where(Exchange.received_at >= flt.since)
    if flt.until:
        stmt = stmt.where(Exchange.received_at < flt.until)
    return stmt


def count(session: Session, stmt: Select[Exchange]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def exchange_as_dict(exchange: Exchange, partner: Partner | None = None) -> dict[str, Any]:
    """The API view of an exchange (without its raw bytes)."""
    return {
        "id": exchange.id,
        "direction": exchange.direction,
        "partner": {"id": exchange.partner_id, "name": partner.name if partner else None},
        "state": exchange.state,
        "syntax": exchange.syntax,
        "type": exchange.doc_type,
        "control_ref": exchange.control_ref,
        "sender": exchange.sender,
        "recipient": exchange.recipient,
        "sha256": exchange.sha256,
        "size": exchange.size,
        "content_type": exchange.content_type,
        "filename": exchange.filename,
        "received_at": exchange.received_at.isoformat(),
        "updated_at": exchange.updated_at.isoformat(),
        "attempts": exchange.attempts,
        "error": exchange.error,
        "warnings": exchange.warnings or [],
        "result": exchange.result or {},
        "ack_status": exchange.ack_status,
        # the raw bytes were purged by the retention policy (the sha256 and size remain)
        "purged_at": exchange.purged_at.isoformat() if exchange.purged_at else None,
        # inbound: the company its UNB recipient or EndpointID named (null: the hub's default identity)
        "company_id": exchange.company_id,
        # one interchange of a file of several: the file's exchange and its position in it
        "part_of": {"exchange_id": exchange.part_of, "position": exchange.part_number}
        if exchange.part_of else None,
        "links": {"self": f"/api/v1/exchanges/{exchange.id}",
                  "raw": f"/api/v1/exchanges/{exchange.id}/raw"},
    }
