"""Backoff, the atomic claim, recovery of interrupted sends, and queueing in the caller's transaction."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from hub.db import new_session, utcnow
from hub.domain.errors import IllegalTransition
from hub.domain.states import ExchangeState
from hub.erp.delivery import DeliveryPolicy, backoff_delay
from hub.erp.outbox import claim_next, recover_stuck, transition_delivery
from hub.models import Document, OutboundDelivery, OutboxEntry


def test_backoff_is_full_jitter_under_an_exponential_ceiling_with_a_cap() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (6, 64.0), (12, 100.0), (500, 100.0)]:
        delays = [backoff_delay(attempt, 2.0, 100.0, rng) for _ in range(2000)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > 0.9 * ceiling and min(delays) < 0.1 * ceiling  # spread over the range


def test_policy_reads_the_environment_and_settings_override_it() -> None:
    policy = DeliveryPolicy.from_env({"HUB_DELIVERY_MAX_ATTEMPTS": "3", "HUB_DELIVERY_BACKOFF_BASE": "0.5"},
                                     overrides={"backoff_max": 9})
    assert (policy.max_attempts, policy.backoff_base, policy.backoff_max) == (3, 0.5, 9.0)
    with pytest.raises(ValueError):
        DeliveryPolicy.from_env({"HUB_DELIVERY_MAX_ATTEMPTS": "0"})


def test_concurrent_claims_never_take_the_same_delivery(
        app: Flask, make_connector: Callable[..., int], make_documents: Callable[..., list[str]]) -> None:
    make_connector("erp", "rest", "http://127.0.0.1:9/")
    make_documents(12)
    claimed: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with new_session(app) as session:
                claim = claim_next(session, actor="test")
                session.commit()
            if claim is None:
                return
            with lock:
                claimed.append(claim.delivery_id)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(claimed) == 12 and len(set(claimed)) == 12
    with new_session(app) as session:
        assert {d.state for d in session.scalars(select(OutboundDelivery))} == {"sending"}


def test_claim_waits_for_next_attempt_and_stuck_sends_are_recovered(
        app: Flask, make_connector: Callable[..., int], make_documents: Callable[..., list[str]]) -> None:
    make_connector("erp", "rest", "http://127.0.0.1:9/")
    make_documents(1)
    with new_session(app) as session:
        delivery = session.scalars(select(OutboundDelivery)).one()
        delivery.next_attempt_at = utcnow() + timedelta(minutes=5)
        session.commit()
        assert claim_next(session, actor="test") is None  # not due yet
        delivery.next_attempt_at = utcnow()
        session.commit()
        claim = claim_next(session, actor="test")
        session.commit()
        assert claim is not None and claim.attempt == 1
        assert recover_stuck(session, older_than=timedelta(minutes=5), actor="test") == 0
        assert recover_stuck(session, older_than=timedelta(0), actor="test",
                             now=utcnow() + timedelta(seconds=1)) == 1
        session.commit()
        session.refresh(delivery)
        assert delivery.state == "retrying" and delivery.last_error["code"] == "INTERRUPTED"
        with pytest.raises(IllegalTransition):
            transition_delivery(session, delivery, ExchangeState.pending, actor="test")


def test_queue_rows_live_and_die_with_the_callers_transaction(
        app: Flask, make_connector: Callable[..., int], make_partner: Callable[..., object]) -> None:
    import hashlib

    from hub.erp.outbox import enqueue_document
    from hub.exchanges.documents import store
    from hub.models import Exchange
    from tests.integration.outbox.conftest import _canonical

    make_connector("orders", "rest", "http://127.0.0.1:9/", doc_types=("purchase_order",))
    make_connector("invoices", "rest", "http://127.0.0.1:9/", doc_types=("invoice",))
    make_connector("poller", "poll")
    partner = make_partner("buyer")
    with new_session(app) as session:
        exchange = Exchange(direction="inbound", partner_id=partner.id, state="processed",  # type: ignore[attr-defined]
                            sha256=hashlib.sha256(b"x").hexdigest(), size=1, raw=b"x", warnings=[],
                            result={})
        session.add(exchange)
        session.flush()
        doc, _ = store(session, _canonical("purchase_order", "PO-1"), exchange_id=exchange.id,
                       partner_id=partner.id, direction="inbound", actor="test",  # type: ignore[attr-defined]
                       message_type=None)
        queued = enqueue_document(session, doc, actor="test")
        assert sorted(type(q).__name__ for q in queued) == ["OutboundDelivery", "OutboxEntry"]
        assert enqueue_document(session, doc, actor="test") == []  # once per connector
        session.rollback()  # the document is not kept: neither are its queue rows
    with new_session(app) as session:
        assert session.scalars(select(Document)).all() == []
        assert session.scalars(select(OutboundDelivery)).all() == []
        assert session.scalars(select(OutboxEntry)).all() == []
