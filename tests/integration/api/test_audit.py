"""The audit trail: chained, verifiable, append-only on PostgreSQL, readable by admins and auditors."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from hub.audit import service as audit_service
from hub.audit.service import record_event
from hub.db import get_engine, new_session
from hub.domain.audit import chain_hash
from hub.domain.states import ExchangeState
from hub.exchanges.service import transition
from hub.models import AuditEvent, Exchange
from tests.conftest import ON_POSTGRES, TEST_AUDIT_KEY
from tests.integration.api.test_receive import interchange


def _post(client: FlaskClient, partner, ref: str) -> str:
    return str(client.post("/api/v1/exchanges", data=interchange(partner.edi_id, ref),
                           headers=partner.headers).json["id"])


def _tamper(app: Flask, sql: str) -> None:
    with app.app_context(), get_engine().begin() as conn:
        if ON_POSTGRES:  # the trigger would refuse; a superuser can switch it off for one session
            conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(sql))


def test_audit_verify_passes_on_an_intact_trail(client, runner: FlaskCliRunner, make_partner):
    acme = make_partner("acme")
    _post(client, acme, "1")
    result = runner.invoke(args=["hub", "audit-verify"])
    assert result.exit_code == 0 and "intact: 3 events" in result.output


def test_changing_one_row_in_the_database_is_detected(app: Flask, client, runner, make_partner):
    acme = make_partner("acme")
    for ref in ("1", "2", "3"):
        _post(client, acme, ref)
    assert runner.invoke(args=["hub", "audit-verify"]).exit_code == 0  # seals the chain
    with app.app_context(), new_session() as session:
        target = session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(3)).first()
        assert target is not None
        target_id = target.id
    _tamper(app, f"UPDATE audit_events SET actor = 'partner:bolt' WHERE id = {target_id}")
    result = runner.invoke(args=["hub", "audit-verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {target_id}" in result.output and "changed" in result.output


def test_deleting_a_row_is_detected(app: Flask, client, runner, make_partner):
    acme = make_partner("acme")
    for ref in ("1", "2"):
        _post(client, acme, ref)
    assert runner.invoke(args=["hub", "audit-verify"]).exit_code == 0
    _tamper(app, "DELETE FROM audit_events WHERE id = 2")
    result = runner.invoke(args=["hub", "audit-verify"])
    assert result.exit_code == 1 and "BROKEN at event 3" in result.output


def test_events_are_sealed_into_the_chain_in_order(app: Flask, client, make_partner, make_user):
    acme = make_partner("acme")
    _post(client, acme, "1")
    with app.app_context(), new_session() as session:
        assert audit_service.unsealed(session) == 3
        assert audit_service.seal(session, TEST_AUDIT_KEY.encode()) == 3
        session.commit()
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [r.seq for r in rows] == [1, 2, 3]
        assert rows[0].prev_hash == "0" * 64
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
        assert audit_service.seal(session, TEST_AUDIT_KEY.encode()) == 0
    shown = client.get("/api/v1/audit", headers=make_user("aud", "auditor")).json["items"]
    assert all(e["hash"] for e in shown[:3])


def _stale_sealing(event: AuditEvent, head: AuditEvent) -> dict:
    """What a second sealer that read `head` as the chain's head would write for `event`."""
    record = audit_service.as_record(event, head.hash)
    return {"id": event.id, "seq": head.seq + 1, "prev_hash": head.hash,
            "hash": chain_hash(record, TEST_AUDIT_KEY.encode())}


@pytest.mark.parametrize("taken", ["seq", "prev_hash", "hash", "all"])
def test_a_second_sealer_cannot_fork_the_chain(app: Flask, make_partner, taken: str):
    """Unsealed events (no position, no hashes) are many; a sealed position, a predecessor's hash
    and a hash each belong to one event: a second, concurrent sealer working from the same head
    fails on them instead of forking the chain."""
    with app.app_context(), new_session() as session:
        for n in range(5):
            record_event(session, actor="test", action="test.event", object_type="t", object_id=str(n))
        session.commit()
        assert audit_service.unsealed(session) == 5
        assert audit_service.seal(session, TEST_AUDIT_KEY.encode(), limit=3) == 3
        session.commit()
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        head, sealed, stale = events[1], events[2], events[3]  # the other sealer read seq 2 as the head
        values = _stale_sealing(stale, head)
        if taken != "all":  # only one column collides: the others get values of their own
            values = {"id": stale.id, "seq": 99, "prev_hash": "e" * 64, "hash": "f" * 64,
                      taken: getattr(sealed, taken)}
        with pytest.raises(IntegrityError):
            session.execute(update(AuditEvent), [values])
            session.flush()
        session.rollback()
        assert audit_service.seal(session, TEST_AUDIT_KEY.encode()) == 2  # the one sealer goes on
        session.commit()
        assert [e.seq for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [1, 2, 3, 4, 5]


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists on PostgreSQL")
def test_postgres_refuses_update_and_delete_of_audit_events(app: Flask, client, runner, make_partner):
    make_partner("acme")
    assert runner.invoke(args=["hub", "audit-verify"]).exit_code == 0
    for sql in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events",
                "TRUNCATE audit_events", "UPDATE audit_events SET hash = NULL"):
        with app.app_context(), pytest.raises(DBAPIError, match="append-only"), \
                get_engine().begin() as conn:
            conn.execute(text(sql))


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists on PostgreSQL")
def test_postgres_refuses_changing_an_unsealed_event(app: Flask, client, make_partner):
    make_partner("acme")  # its events are not sealed yet
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"), \
            get_engine().begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'x', hash = 'f', seq = 99"))


def test_a_transition_and_its_audit_event_commit_or_roll_back_together(app: Flask, client,
                                                                      make_partner):
    acme = make_partner("acme")
    exchange_id = _post(client, acme, "9")
    with app.app_context(), new_session() as session:
        before = session.scalar(select(text("count(*)")).select_from(AuditEvent))
        exchange = session.get(Exchange, exchange_id)
        transition(session, exchange, ExchangeState.processing, actor="test")
        session.rollback()
        assert session.scalar(select(text("count(*)")).select_from(AuditEvent)) == before
        assert session.get(Exchange, exchange_id).state == "received"
        transition(session, session.get(Exchange, exchange_id), ExchangeState.processing,
                   actor="test")
        session.commit()
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.details == {"from": "received", "to": "processing"}


def test_audit_api_filters_and_pages_for_admins_and_auditors(client, make_partner, make_user):
    acme, bolt = make_partner("acme"), make_partner("bolt")
    a = _post(client, acme, "1")
    _post(client, bolt, "2")
    auditor = make_user("aud", "auditor")
    events = client.get(f"/api/v1/audit?object_id={a}", headers=auditor).json["items"]
    assert [e["action"] for e in events] == ["exchange.received"]
    assert events[0]["actor"] == "partner:acme"
    by_actor = client.get("/api/v1/audit?actor=partner:bolt", headers=auditor).json["items"]
    assert {e["partner_id"] for e in by_actor} == {bolt.id}
    by_partner = client.get(f"/api/v1/audit?partner_id={acme.id}&action=partner.created",
                            headers=auditor).json["items"]
    assert len(by_partner) == 1
    page = client.get("/api/v1/audit?per_page=2", headers=auditor).json
    assert len(page["items"]) == 2 and page["has_more"] is True
    none = client.get("/api/v1/audit?since=2999-01-01T00:00:00Z", headers=auditor).json
    assert none["items"] == []
    operator = make_user("op", "operator")
    assert client.get("/api/v1/audit", headers=operator).status_code == 403


def test_csv_export_neutralises_formulas(app: Flask, client, make_user):
    payload = "=cmd|' /C calc'!A0"
    with app.app_context(), new_session() as session:
        record_event(session, actor=payload, action="-2+3", object_type="@SUM(1)",
                     object_id="+1", details={"note": payload})
        session.commit()
    resp = client.get("/api/v1/audit/export.csv?object_id=%2B1", headers=make_user("aud", "auditor"))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    (row,) = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert row["actor"] == "'" + payload  # kept readable, but no longer a formula
    assert (row["action"], row["object_type"], row["object_id"]) == ("'-2+3", "'@SUM(1)", "'+1")
    assert row["details"].startswith("{")
