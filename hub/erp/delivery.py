"""Delivering queued documents to push connectors: claim, send outside any transaction, record.

Each delivery takes three short steps: (1) claim it and commit `sending`; (2) call the connector with
no transaction open, the document id as idempotency key; (3) record `sent`, `retrying` (exponential
backoff with full jitter) or `dead` in a new transaction. A process killed during step 2 leaves the
delivery in `sending`; after `sending_timeout` it is sent again, and the ERP's de-duplication by
idempotency key makes that second call harmless.
"""

from __future__ import annotations

import logging
import random
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from connectors.base import Delivery, SendResult
from hub.config import DELIVERY_ENV, Settings
from hub.db import transaction, utcnow
from hub.domain.errors import ConnectorError
from hub.domain.states import DeliveryOutcome, DeliveryState
from hub.erp.connectors import connector_for, scrub_error, scrub_text
from hub.erp.models import ErpConnector, OutboundDelivery
from hub.erp.outbox import Claim, claim_next, recover_stuck, transition_delivery
from hub.erp.outcomes import delivery_attempt
from hub.records.models import Document

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
ACTOR = "system:delivery"
S = DeliveryState


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry and timeout settings (environment: HUB_DELIVERY_*, HUB_OUTBOX_VISIBILITY_SECONDS, read by
    `Settings.from_env` into `Settings.extra`)."""

    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds; attempt n waits up to base * 2**(n-1)
    backoff_max: float = 900.0
    sending_timeout: float = 300.0  # a delivery `sending` this long is presumed interrupted
    visibility_timeout: float = 300.0  # a fetched, unacknowledged outbox document comes back after this
    batch: int = 50

    ENV = DELIVERY_ENV

    @classmethod
    def from_env(cls, env: Mapping[str, str],
                 overrides: Mapping[str, Any] | None = None) -> DeliveryPolicy:
        """Defaults, then the environment variables given, then `overrides` (e.g. `Settings.extra`)."""
        values: dict[str, Any] = {}
        for name, var in cls.ENV.items():
            raw = (overrides or {}).get(name, env.get(var))
            if raw is None or raw == "":
                continue
            kind = int if name in ("max_attempts", "batch") else float
            values[name] = kind(raw)
        policy = cls(**values)
        if policy.max_attempts < 1 or policy.backoff_base <= 0 or policy.backoff_max <= 0:
            raise ValueError(f"delivery settings out of range: {policy}")
        return policy

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls.from_env({}, overrides={k: v for k, v in settings.extra.items() if k in cls.ENV})


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))], so retrying clients spread out."""
    ceiling = min(cap, base * 2 ** max(0, min(attempt - 1, 60)))
    return (rng or random).uniform(0, ceiling)


def deliver_due(make_session: SessionFactory, *, secret_key: str, limit: int = 50,
                policy: DeliveryPolicy | None = None) -> int:
    """Recover interrupted deliveries, then deliver up to `limit` due ones; returns how many were tried.
    The policy comes from the caller (`DeliveryPolicy.from_settings`); the defaults without one.
    `secret_key` (Settings.secret_key) opens the connectors' encrypted secrets."""
    policy = policy or DeliveryPolicy()
    with make_session() as session, transaction(session):
        recover_stuck(session, older_than=timedelta(seconds=policy.sending_timeout), actor=ACTOR)
    tried = 0
    started = utcnow()  # only what was due when the run began: a quick retry waits for the next run
    while tried < limit:
        with make_session() as session, transaction(session):
            claim = claim_next(session, actor=ACTOR, due_by=started)
        if claim is None:
            break
        clock = time.monotonic()
        state = deliver_claimed(make_session, claim, policy, secret_key=secret_key)
        delivery_attempt(make_session, claim.delivery_id, claim.attempt, state, time.monotonic() - clock)
        tried += 1
    return tried


def deliver_claimed(make_session: SessionFactory, claim: Claim, policy: DeliveryPolicy, *,
                    secret_key: str) -> DeliveryOutcome:
    """Send one claimed delivery and record the outcome; returns what the attempt came to."""
    with make_session() as session:
        prepared = _prepare(session, claim.delivery_id)
        session.rollback()  # nothing to keep: the network call below must not sit inside a transaction
    if isinstance(prepared, ConnectorError):
        return _record_failure(make_session, claim, policy, prepared)
    connector_row, delivery = prepared
    try:
        result = connector_for(connector_row, secret_key=secret_key).send(delivery)
    except ConnectorError as exc:
        # An ERP may echo the request, credentials included: masked before it is stored, audited or logged.
        masked = scrub_error(connector_row, exc, secret_key=secret_key)
        return _record_failure(make_session, claim, policy, masked)
    except Exception as exc:  # a connector bug must not leave the delivery stuck in `sending`
        trace = scrub_text(connector_row, traceback.format_exc(limit=10), secret_key=secret_key)
        log.error("connector %s crashed delivering %s\n%s", connector_row.name, claim.delivery_id, trace)
        error = scrub_error(connector_row, ConnectorError(f"{type(exc).__name__}: {exc}", retryable=True),
                            secret_key=secret_key)
        return _record_failure(make_session, claim, policy, error, trace)
    return _record_sent(make_session, claim, result)


def _prepare(session: Session, delivery_id: str) -> tuple[ErpConnector, Delivery] | ConnectorError:
    row = session.get(OutboundDelivery, delivery_id)
    if row is None:
        return ConnectorError(f"delivery {delivery_id} vanished", retryable=False)
    connector = session.get(ErpConnector, row.connector_id)
    document = session.get(Document, row.document_id)
    if connector is None or document is None:
        return ConnectorError("connector or document missing", retryable=False)
    if not connector.active:
        return ConnectorError(f"connector {connector.name} is inactive", retryable=False)
    session.expunge(connector)
    return connector, Delivery(document_id=document.id, document_type=document.doc_type,
                               document=document.canonical, rendered=row.payload,
                               content_type=row.content_type)


def _owned(session: Session, claim: Claim) -> OutboundDelivery | None:
    """The delivery if it is still `sending` under our claim (recovery may have taken it back)."""
    row = session.get(OutboundDelivery, claim.delivery_id, with_for_update=True)
    if row is None or row.state != S.sending or row.claim_token != claim.token:
        log.warning("delivery %s changed hands while sending; outcome left to its new owner",
                    claim.delivery_id)
        return None
    return row


def _record_sent(make_session: SessionFactory, claim: Claim, result: SendResult) -> DeliveryOutcome:
    with make_session() as session, transaction(session):
        row = _owned(session, claim)
        if row is None:
            return DeliveryOutcome.lost
        now = utcnow()
        row.sent_at, row.next_attempt_at, row.claim_token = now, None, None
        row.remote_reference = (result.remote_reference or "")[:200] or None
        transition_delivery(session, row, S.sent, actor=ACTOR,
                            details={"attempt": claim.attempt, "remote_reference": row.remote_reference,
                                     "duplicate": result.duplicate})
        return DeliveryOutcome.sent


def _record_failure(make_session: SessionFactory, claim: Claim, policy: DeliveryPolicy,
                    error: ConnectorError, trace: str | None = None) -> DeliveryOutcome:
    with make_session() as session, transaction(session):
        row = _owned(session, claim)
        if row is None:
            return DeliveryOutcome.lost
        now = utcnow()
        final = not error.retryable or row.attempts >= policy.max_attempts
        row.last_error = {"code": error.code, "message": error.message, "retryable": error.retryable,
                          "attempt": row.attempts, "at": now.isoformat(),
                          **({"traceback": trace} if trace else {})}
        row.claim_token = None
        target = S.dead if final else S.retrying
        delay = 0.0 if final else backoff_delay(row.attempts, policy.backoff_base, policy.backoff_max)
        row.next_attempt_at = None if final else now + timedelta(seconds=delay)
        transition_delivery(session, row, target, actor=ACTOR,
                            details={"attempt": row.attempts, "error": error.message[:500],
                                     "retry_in_s": round(delay, 3) if not final else None})
        return DeliveryOutcome(target)
