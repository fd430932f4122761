"""Processing received exchanges: claim, translate, and record the outcome, each step committed.

No transaction stays open while translating fails: a HubError rolls back everything the
translator added, then the failure is recorded on the exchange in its own transaction.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.domain.errors import HubError, ValidationError, bounded
from hub.domain.states import Direction, ExchangeState
from hub.models import Exchange, Partner
from hub.services import routing
from hub.services.audit import EventSpec, record_events
from hub.services.exchanges import claim, transition
from hub.services.pipeline import translate

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
Followup = Callable[[Session, Exchange], list[EventSpec]]
WORKER = "system:worker"


class NotReprocessable(ValidationError):
    code = "NOT_REPROCESSABLE"
    http_status = 409


def process_exchange(make_session: SessionFactory, exchange_id: str, *, actor: str = WORKER,
                     source: ExchangeState = ExchangeState.received) -> str | None:
    """Process one exchange if it can be claimed from `source`; returns its final state or None."""
    with make_session() as session:
        if not claim(session, exchange_id, actor=actor, source=source):
            session.rollback()
            return None
        session.commit()
    with make_session() as session:
        return _translate_and_record(session, exchange_id, actor)


def _translate_and_record(session: Session, exchange_id: str, actor: str) -> str:
    exchange = session.get(Exchange, exchange_id)
    assert exchange is not None
    partner = session.get(Partner, exchange.partner_id)
    assert partner is not None
    try:
        outcome = translate(session, exchange, partner)
    except HubError as exc:
        return _record_failure(session, exchange_id, actor, exc.as_dict(),
                               getattr(exc, "followups", []))
    except Exception as exc:  # a bug in a translator must not leave the exchange stuck
        log.exception("translation of exchange %s crashed", exchange_id)
        return _record_failure(session, exchange_id, actor, {
            "code": "INTERNAL_ERROR", "message": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=20)})
    exchange.result = outcome.result
    exchange.warnings = [w.as_dict() for w in bounded(outcome.warnings)]
    exchange.error = None
    transition(session, exchange, ExchangeState.processed, actor=actor,
               details={"warnings": len(outcome.warnings)})
    session.commit()
    return ExchangeState.processed.value


def _record_failure(session: Session, exchange_id: str, actor: str, error: dict[str, object],
                    followups: list[Followup] | None = None) -> str:
    session.rollback()  # nothing the translator added survives: no half-written documents
    exchange = session.get(Exchange, exchange_id)
    assert exchange is not None
    # What a rejection sends back (a negative CONTRL, an APERAK) commits with the failure itself.
    events = [e for followup in followups or [] for e in followup(session, exchange)]
    record_events(session, events)
    if events:
        error = {**error, "acknowledgements": [e.object_id for e in events]}
    exchange.error = error
    transition(session, exchange, ExchangeState.failed, actor=actor,
               details={"code": error.get("code"), "message": error.get("message")})
    session.commit()
    return ExchangeState.failed.value


def reprocess(make_session: SessionFactory, exchange_id: str, *, actor: str) -> str:
    """Send a failed (or still waiting) inbound exchange through processing again; render an
    invalid outbound exchange again and re-validate it."""
    with make_session() as session:
        exchange = session.get(Exchange, exchange_id)
        if exchange is None:
            raise NotReprocessable(f"no exchange {exchange_id}")
        state = ExchangeState(exchange.state)
        direction = exchange.direction
    if direction == Direction.outbound.value:
        return _render_again(make_session, exchange_id, actor)
    if state not in (ExchangeState.failed, ExchangeState.received):
        raise NotReprocessable(
            f"exchange {exchange_id} is {state.value}; only failed or received exchanges are reprocessed")
    final = process_exchange(make_session, exchange_id, actor=actor, source=state)
    if final is None:
        raise NotReprocessable(f"exchange {exchange_id} is being processed by someone else")
    return final


def _render_again(make_session: SessionFactory, exchange_id: str, actor: str) -> str:
    with make_session() as session:
        exchange = session.scalars(select(Exchange).where(Exchange.id == exchange_id)
                                   .with_for_update()).one()
        if exchange.state != ExchangeState.invalid.value:
            raise NotReprocessable(f"outbound exchange {exchange_id} is {exchange.state}; only "
                                   "invalid outbound exchanges are rendered again")
        state = routing.render_again(session, exchange, actor=actor)
        session.commit()
        return state.value


def process_pending(make_session: SessionFactory, *, limit: int = 100,
                    stale_after: timedelta = timedelta(minutes=10)) -> int:
    """Requeue exchanges stuck in processing, then process waiting ones; returns how many ran."""
    requeue_stale(make_session, stale_after)
    with make_session() as session:
        ids = session.scalars(select(Exchange.id)
                              .where(Exchange.state == ExchangeState.received.value)
                              .order_by(Exchange.received_at).limit(limit)).all()
    done = 0
    for exchange_id in ids:
        if process_exchange(make_session, exchange_id) is not None:
            done += 1
    return done


def requeue_stale(make_session: SessionFactory, stale_after: timedelta) -> int:
    """A worker that died mid-processing leaves its exchange behind; put it back in the queue."""
    cutoff = utcnow() - stale_after
    with make_session() as session:
        stuck = session.scalars(select(Exchange).where(
            Exchange.state == ExchangeState.processing.value,
            Exchange.updated_at < cutoff)).all()
        for exchange in stuck:
            transition(session, exchange, ExchangeState.received, actor=WORKER,
                       details={"reason": "processing stalled; requeued"})
        session.commit()
        return len(stuck)
