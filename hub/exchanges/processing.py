"""Processing received exchanges: claim, translate, and record the outcome, each step committed.

No transaction stays open while translating fails: a HubError rolls back everything the
translator added, then the failure is recorded on the exchange in its own transaction.

Each claim is an attempt. Processing that stops short of an outcome (a mapping worker lost, the
memory budget or the time limit exceeded, the process running it killed) puts the exchange back
in the queue until it has had `max_attempts`; then it fails with that error, so a poison file
never loops and the queue behind it moves on.
"""

from __future__ import annotations

import gc
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record_events
from hub.config import Settings
from hub.db import transaction, utcnow
from hub.domain.answers import Answer
from hub.domain.errors import HubError, ValidationError, bounded
from hub.domain.states import Direction, ExchangeState
from hub.exchanges import answers as answers_service
from hub.exchanges.lifecycle import claim, transition
from hub.exchanges.outcomes import exchange_outcome
from hub.exchanges.translators import translate
from hub.ingest.limits import Interrupted, Limits, ProcessingLimit, limited
from hub.partners.models import Partner
from hub.records.models import Exchange
from hub.routing import to_partners as routing

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
WORKER = "system:worker"


# built before it is needed: recording an out-of-memory failure must not need memory itself
_OUT_OF_MEMORY: dict[str, Any] = {"code": "RESOURCE_LIMIT",
                                  "message": "processing ran out of memory"}


class NotReprocessable(ValidationError):
    code = "NOT_REPROCESSABLE"
    http_status = 409


@dataclass(frozen=True)
class ProcessingPolicy:
    """How often and within which limits an exchange is processed, and when it counts as stuck."""

    max_attempts: int = 3
    stale_after: timedelta = timedelta(minutes=10)
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_settings(cls, settings: Any) -> ProcessingPolicy:
        """The policy the hub's settings ask for."""
        return cls(max_attempts=max(1, settings.processing_max_attempts),
                   stale_after=timedelta(seconds=settings.processing_stale_seconds),
                   limits=Limits(seconds=settings.processing_time_limit_seconds,
                                 memory_mb=settings.ingest_worker_memory_mb))


def process_exchange(make_session: SessionFactory, exchange_id: str, *, settings: Settings,
                     actor: str = WORKER, source: ExchangeState = ExchangeState.received,
                     policy: ProcessingPolicy | None = None) -> ExchangeState | None:
    """Process one exchange if it can be claimed from `source`; returns its state afterwards
    (processed, failed, or received again when an attempt was cut short) or None. The policy
    defaults to the one `settings` ask for; the translators get `settings`."""
    policy = policy or ProcessingPolicy.from_settings(settings)
    with make_session() as session, transaction(session):
        if not claim(session, exchange_id, actor=actor, source=source):
            return None
    started = time.monotonic()
    state = _process_claimed(make_session, exchange_id, actor, policy, settings)
    with make_session() as session:
        exchange_outcome(session, exchange_id, state, time.monotonic() - started)
    return state


def _process_claimed(make_session: SessionFactory, exchange_id: str, actor: str,
                     policy: ProcessingPolicy, settings: Settings) -> ExchangeState:
    error: dict[str, Any] | None = None
    with make_session() as session:
        try:
            with limited(policy.limits):
                return _translate_and_record(session, exchange_id, actor, settings)
        except ProcessingLimit as exc:
            error = exc.as_dict()
        except MemoryError:
            error = _OUT_OF_MEMORY
        except Interrupted:
            error = None
    if error is _OUT_OF_MEMORY:
        # Out of the handler, the traceback and every frame of the translation are gone: free
        # what they held before recording anything (the session above is closed too).
        gc.collect()
    with make_session() as session:
        return _record_cut_short(session, exchange_id, actor, error, policy.max_attempts)


def _translate_and_record(session: Session, exchange_id: str, actor: str, settings: Settings
                          ) -> ExchangeState:
    exchange = session.get(Exchange, exchange_id)
    assert exchange is not None
    partner = session.get(Partner, exchange.partner_id)
    assert partner is not None
    try:
        outcome = translate(session, exchange, partner, settings)
    except (ProcessingLimit, Interrupted, MemoryError):
        raise  # recorded by the caller once the translation's memory is released
    except HubError as exc:
        return _record_failure(session, exchange_id, actor, settings, exc.as_dict(), exc.answers)
    except Exception as exc:  # a bug in a translator must not leave the exchange stuck
        log.exception("translation of exchange %s crashed", exchange_id)
        return _record_failure(session, exchange_id, actor, settings, {
            "code": "INTERNAL_ERROR", "message": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=20)})
    with transaction(session):
        exchange.result = outcome.result
        exchange.warnings = [w.as_dict() for w in bounded(outcome.warnings)]
        exchange.error = None
        transition(session, exchange, ExchangeState.processed, actor=actor,
                   details={"warnings": len(outcome.warnings)})
    return ExchangeState.processed


def _record_failure(session: Session, exchange_id: str, actor: str, settings: Settings,
                    error: dict[str, object], answers: list[Answer] | None = None) -> ExchangeState:
    session.rollback()  # nothing the translator added survives: no half-written documents
    with transaction(session):
        exchange = session.get(Exchange, exchange_id)
        assert exchange is not None
        # What a rejection sends back (a negative CONTRL, an APERAK) commits with the failure itself.
        events = answers_service.queue(session, exchange, answers or [], settings)
        record_events(session, events)
        if events:
            error = {**error, "acknowledgements": [e.object_id for e in events]}
        exchange.error = error
        transition(session, exchange, ExchangeState.failed, actor=actor,
                   details={"code": error.get("code"), "message": error.get("message")})
    return ExchangeState.failed


def _record_cut_short(session: Session, exchange_id: str, actor: str,
                      error: dict[str, Any] | None, max_attempts: int) -> ExchangeState:
    """An attempt that ended without an outcome: back to the queue, or failed after the last one.
    `error` None means the hub stopped meanwhile: that attempt does not count."""
    exchange = session.get(Exchange, exchange_id)
    assert exchange is not None
    if error is None:
        exchange.attempts = max(0, exchange.attempts - 1)
        return _settle(session, exchange, ExchangeState.received, actor,
                       {"reason": "the hub stopped while processing; requeued"})
    return _give_up_or_requeue(session, exchange, actor, error, max_attempts)


def _give_up_or_requeue(session: Session, exchange: Exchange, actor: str, error: dict[str, Any],
                        max_attempts: int) -> ExchangeState:
    attempts = exchange.attempts
    if attempts >= max_attempts:
        exchange.error = {**error, "attempts": attempts,
                          "message": f"{error['message']} (attempt {attempts} of {max_attempts}; "
                                     "not retried)"}
        return _settle(session, exchange, ExchangeState.failed, actor,
                       {"code": error["code"], "message": exchange.error["message"]})
    exchange.error = {**error, "attempts": attempts}
    return _settle(session, exchange, ExchangeState.received, actor, {
        "reason": f"attempt {attempts} of {max_attempts} cut short; requeued",
        "code": error["code"], "message": error["message"]})


def _settle(session: Session, exchange: Exchange, state: ExchangeState, actor: str,
            details: dict[str, Any]) -> ExchangeState:
    with transaction(session):
        transition(session, exchange, state, actor=actor, details=details)
    return state


def reprocess(make_session: SessionFactory, exchange_id: str, *, actor: str, settings: Settings,
              policy: ProcessingPolicy | None = None) -> ExchangeState:
    """Send a failed (or still waiting) inbound exchange through processing again; render an
    invalid outbound exchange again and re-validate it."""
    with make_session() as session:
        exchange = session.get(Exchange, exchange_id)
        if exchange is None:
            raise NotReprocessable(f"no exchange {exchange_id}")
        state = exchange.state
        direction = exchange.direction
        purged = exchange.purged_at is not None
    if direction == Direction.outbound.value:
        return _render_again(make_session, exchange_id, actor, settings)
    if purged:
        raise NotReprocessable(f"exchange {exchange_id} cannot be processed again: its bytes were "
                               "purged by the retention policy")
    if state not in (ExchangeState.failed, ExchangeState.received):
        raise NotReprocessable(
            f"exchange {exchange_id} is {state}; only failed or received exchanges are reprocessed")
    final = process_exchange(make_session, exchange_id, settings=settings, actor=actor, source=state,
                             policy=policy)
    if final is None:
        raise NotReprocessable(f"exchange {exchange_id} is being processed by someone else")
    return final


def _render_again(make_session: SessionFactory, exchange_id: str, actor: str, settings: Settings
                  ) -> ExchangeState:
    with make_session() as session, transaction(session):
        exchange = session.scalars(select(Exchange).where(Exchange.id == exchange_id)
                                   .with_for_update()).one()
        if exchange.state != ExchangeState.invalid:
            raise NotReprocessable(f"outbound exchange {exchange_id} is {exchange.state}; only "
                                   "invalid outbound exchanges are rendered again")
        return routing.render_again(session, exchange, actor=actor, settings=settings)


def process_pending(make_session: SessionFactory, *, settings: Settings, limit: int = 100,
                    policy: ProcessingPolicy | None = None) -> int:
    """Requeue exchanges stuck in processing, then process waiting ones; returns how many ran.
    The policy defaults to the one `settings` ask for."""
    policy = policy or ProcessingPolicy.from_settings(settings)
    requeue_stale(make_session, policy.stale_after, max_attempts=policy.max_attempts)
    with make_session() as session:
        ids = session.scalars(select(Exchange.id)
                              .where(Exchange.state == ExchangeState.received)
                              .order_by(Exchange.received_at).limit(limit)).all()
    done = 0
    for exchange_id in ids:
        if process_exchange(make_session, exchange_id, settings=settings, policy=policy) is not None:
            done += 1
    return done


def requeue_stale(make_session: SessionFactory, stale_after: timedelta, *,
                  max_attempts: int = 3) -> int:
    """A process that died mid-processing leaves its exchange behind: put it back in the queue,
    or fail it (WORKER_LOST) when that was its last attempt. Returns how many were found."""
    cutoff = utcnow() - stale_after
    lost = {"code": "WORKER_LOST",
            "message": "the process running it stopped before it finished (killed, or out of memory)"}
    with make_session() as session:
        stuck = session.scalars(select(Exchange.id).where(
            Exchange.state == ExchangeState.processing,
            Exchange.updated_at < cutoff)).all()
    for exchange_id in stuck:
        with make_session() as session:
            exchange = session.get(Exchange, exchange_id)
            if exchange is None or exchange.state != ExchangeState.processing \
                    or exchange.updated_at >= cutoff:
                continue  # another sweeper took it meanwhile
            _give_up_or_requeue(session, exchange, WORKER, lost, max_attempts)
    return len(stuck)
