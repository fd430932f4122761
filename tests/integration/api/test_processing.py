"""Processing received exchanges: clear failures, nothing half-done, reprocessing after a fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.db import new_session
from hub.domain.errors import MappingError
from hub.exchanges import translators
from hub.exchanges.pipeline import Outcome
from hub.exchanges.processing import process_pending, requeue_stale
from hub.models import AuditEvent, Exchange, Partner


def _process(app: Flask) -> int:
    return process_pending(lambda: new_session(app), settings=app.config["HUB_SETTINGS"])


def _post(client: FlaskClient, partner, body: bytes) -> str:
    resp = client.post("/api/v1/exchanges", data=body, headers=partner.headers)
    assert resp.status_code == 202
    return str(resp.json["id"])


def test_unknown_content_is_refused_at_once_and_nothing_is_stored(app: Flask, client: FlaskClient,
                                                                  make_partner):
    acme = make_partner("acme")
    for body in (b"%PDF-1.7 this is not an EDI file", b"  \r\n\t "):
        resp = client.post("/api/v1/exchanges", data=body, headers=acme.headers)
        assert resp.status_code == 415 and resp.json["error"]["code"] == "UNSUPPORTED_CONTENT"
        assert "neither EDIFACT" in resp.json["error"]["message"]
    assert "'%PDF-1.7'" in client.post("/api/v1/exchanges", data=b"%PDF-1.7 x",
                                       headers=acme.headers).json["error"]["message"]
    assert client.get("/api/v1/exchanges", headers=acme.headers).json["total"] == 0
    assert _process(app) == 0


def test_every_step_is_audited(app: Flask, client: FlaskClient, make_partner):
    acme = make_partner("acme")
    exchange_id = _post(client, acme, b"UNB+garbage'")
    _process(app)
    with app.app_context(), new_session() as session:
        steps = session.scalars(select(AuditEvent.details).where(
            AuditEvent.object_id == exchange_id, AuditEvent.action == "exchange.state_changed")
            .order_by(AuditEvent.id)).all()
    assert [(d["from"], d["to"]) for d in steps] == [("received", "processing"),
                                                    ("processing", "failed")]


@pytest.fixture
def flaky_translator():
    """A translator that fails until told to succeed, and adds a row it must not leave behind."""
    state = {"ok": False, "calls": 0}

    def translate(session, exchange, partner, settings) -> Outcome:
        state["calls"] += 1
        partner.profile = {"half": "written"}  # a change that must roll back on failure
        session.flush()
        if not state["ok"]:
            raise MappingError("BGM document number missing")
        return Outcome(result={"documents": ["doc-1"]})

    saved = dict(translators.TRANSLATORS)
    translators.TRANSLATORS["test"] = translate
    yield state
    translators.TRANSLATORS.clear()
    translators.TRANSLATORS.update(saved)


def test_failure_rolls_back_and_reprocess_succeeds_after_a_fix(app: Flask, client, runner,
                                                               make_partner, flaky_translator):
    acme = make_partner("acme")
    exchange_id = _post(client, acme, b"UNB+anything'")
    with app.app_context(), new_session() as session:
        session.get(Exchange, exchange_id).syntax = "test"
        session.commit()
    _process(app)
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        assert exchange.state == "failed" and exchange.error["code"] == "MAPPING_ERROR"
        assert session.get(Partner, acme.id).profile == {}  # nothing half-written
    flaky_translator["ok"] = True
    result = runner.invoke(args=["hub", "reprocess", exchange_id])
    assert result.exit_code == 0 and "processed" in result.output
    shown = client.get(f"/api/v1/exchanges/{exchange_id}", headers=acme.headers).json
    assert shown["state"] == "processed" and shown["error"] is None
    assert shown["result"] == {"documents": ["doc-1"]} and shown["attempts"] == 2


def test_reprocess_refuses_a_processed_exchange(app, client, runner, make_partner,
                                                flaky_translator):
    flaky_translator["ok"] = True
    acme = make_partner("acme")
    exchange_id = _post(client, acme, b"UNB+anything'")
    with app.app_context(), new_session() as session:
        session.get(Exchange, exchange_id).syntax = "test"
        session.commit()
    _process(app)
    result = runner.invoke(args=["hub", "reprocess", exchange_id])
    assert result.exit_code == 2 and "only failed or received" in result.output


def test_reprocess_through_the_api_needs_an_operator(app, client, make_partner, make_user):
    acme = make_partner("acme")
    exchange_id = _post(client, acme, b"UNB+garbage'")
    _process(app)
    path = f"/api/v1/exchanges/{exchange_id}/reprocess"
    assert client.post(path, headers=acme.headers).status_code == 403
    assert client.post(path, headers=make_user("aud", "auditor")).status_code == 403
    resp = client.post(path, headers=make_user("op", "operator"))
    assert resp.status_code == 200 and resp.json["state"] == "failed"


def test_a_crashing_translator_fails_the_exchange_instead_of_leaving_it(app, client,
                                                                        make_partner):
    def boom(session, exchange, partner, settings) -> Outcome:
        raise ZeroDivisionError("bug")

    translators.TRANSLATORS["boom"] = boom
    try:
        acme = make_partner("acme")
        exchange_id = _post(client, acme, b"UNB+anything'")
        with app.app_context(), new_session() as session:
            session.get(Exchange, exchange_id).syntax = "boom"
            session.commit()
        _process(app)
    finally:
        del translators.TRANSLATORS["boom"]
    shown = client.get(f"/api/v1/exchanges/{exchange_id}", headers=acme.headers).json
    assert shown["state"] == "failed" and shown["error"]["code"] == "INTERNAL_ERROR"


def test_an_exchange_stuck_in_processing_is_requeued(app: Flask, client, make_partner):
    acme = make_partner("acme")
    exchange_id = _post(client, acme, b"UNB+garbage'")
    with app.app_context(), new_session() as session:
        exchange = session.get(Exchange, exchange_id)
        exchange.state = "processing"  # as if a worker died mid-way
        session.commit()
    assert requeue_stale(lambda: new_session(app), timedelta(hours=1)) == 0
    assert requeue_stale(lambda: new_session(app), timedelta(seconds=-1)) == 1
    with app.app_context(), new_session() as session:
        assert session.get(Exchange, exchange_id).state == "received"
