"""The pages in the browser's language and time zone, amounts written for the locale, bulk reprocess
on a filtered selection, and acknowledgement deadlines per partner on the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from hub.db import new_session
from hub.models import AuditEvent, Exchange
from tests.support.admin import enrolled_user, page_token, sign_in
from tests.support.exchanges import post, process

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
PT = {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}


def _received_at(app: Flask, exchange_id: str, at: datetime) -> None:
    with app.app_context(), new_session() as session:
        session.execute(update(Exchange).where(Exchange.id == exchange_id).values(received_at=at))
        session.commit()


def test_the_pages_speak_portuguese_to_a_portuguese_browser_and_english_otherwise(
        app: Flask, client: FlaskClient) -> None:
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    pt = client.get("/", headers=PT).get_data(as_text=True)
    assert '<html lang="pt">' in pt and "O que precisa de ação" in pt and ">Trocas</a>" in pt
    assert ">Sair</button>" in pt and "(administrador)" in pt
    en = client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in en and "What to act on" in en and ">Sign out</button>" in en


def test_times_are_shown_in_the_users_zone_and_format(app: Flask, client: FlaskClient,
                                                      make_partner: Any) -> None:
    demo = make_partner("demo", edi_id="5412345000013")
    exchange_id = post(client, demo, ORDERS)
    _received_at(app, exchange_id, datetime(2026, 12, 1, 2, 30, tzinfo=UTC))
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    client.set_cookie("tz", "America/Sao_Paulo")
    pt = client.get(f"/admin/exchanges/{exchange_id}", headers=PT).get_data(as_text=True)
    assert "30 de nov. de 2026 23:30:00" in pt  # 02:30 UTC is 23:30 the day before in São Paulo
    client.set_cookie("tz", "Europe/Amsterdam")
    en = client.get(f"/admin/exchanges/{exchange_id}",
                    headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Dec 1, 2026, 3:30:00\u202fAM" in en or "Dec 1, 2026, 3:30:00 AM" in en
    client.set_cookie("tz", "Not/AZone")
    utc = client.get(f"/admin/exchanges/{exchange_id}", headers=PT).get_data(as_text=True)
    assert "1 de dez. de 2026 02:30:00" in utc


def test_amounts_are_written_for_the_locale(app: Flask) -> None:
    from hub.admin.i18n import amount
    with app.test_request_context(headers=PT):
        assert amount(Decimal("1234.5")) == "1.234,50" and amount(Decimal("0.125")) == "0,125"
    with app.test_request_context(headers={"Accept-Language": "en-US"}):
        assert amount(Decimal("1234.5")) == "1,234.50"


def test_bulk_reprocess_works_on_the_filtered_selection_after_a_confirmation(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, make_partner: Any) -> None:
    demo = make_partner("demo", edi_id="5412345000013")
    bad = ORDERS.replace(b"CNT+2:3'", b"CNT+2:5'")
    failed = [post(client, demo, bad.replace(b"ORD0001", f"ORD000{i}".encode())
                   .replace(b"PO-2024-0042", f"PO-2024-01{i}".encode())) for i in range(2, 5)]
    good = post(client, demo, ORDERS)
    process(app)
    sign_in(client, app, enrolled_user(app, "otto", "operator"))
    listing = client.get("/admin/exchanges?state=failed").get_data(as_text=True)
    assert 'id="bulk-reprocess"' in listing
    confirm = client.get("/admin/exchanges/bulk?action=reprocess&state=failed").get_data(as_text=True)
    assert "3 failed or invalid exchanges of this selection will be processed again." in confirm
    runner.invoke(args=["hub", "partner-profile", "demo", "--set", "tolerate_count_mismatch=true"])
    done = client.post("/admin/exchanges/bulk?action=reprocess&state=failed",
                       data={"csrf_token": page_token(client)}, follow_redirects=True)
    assert "3 of 3 done." in done.get_data(as_text=True)
    with app.app_context(), new_session() as session:
        states = dict(session.execute(select(Exchange.id, Exchange.state)).all())
        actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.object_id.in_(failed))))
    assert all(states[x] == "processed" for x in failed) and states[good] == "processed"
    assert "user:otto" in actors
    auditor = app.test_client()
    sign_in(auditor, app, enrolled_user(app, "aud", "auditor"))
    assert 'id="bulk-reprocess"' not in auditor.get("/admin/exchanges").get_data(as_text=True)
    assert auditor.post("/admin/exchanges/bulk?action=reprocess",
                        data={"csrf_token": page_token(auditor)}).status_code == 403


def test_each_partner_has_its_own_acknowledgement_deadline_on_the_dashboard(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, make_partner: Any) -> None:
    fast = make_partner("fast", edi_id="5412345000013")
    slow = make_partner("slow", edi_id="5412345000020")
    runner.invoke(args=["hub", "partner-profile", "fast", "--set", "ack_deadline_hours=2"])
    runner.invoke(args=["hub", "partner-profile", "slow", "--set", "ack_deadline_hours=48"])
    now = datetime.now(UTC)
    ids = {}
    with app.app_context(), new_session() as session:
        for name, partner in (("fast", fast), ("slow", slow)):
            row = Exchange(direction="outbound", partner_id=partner.id, syntax="edifact", doc_type="ORDERS",
                           state="sent", raw=b"UNA", size=3, sha256="0" * 64, ack_status="awaiting",
                           received_at=now - timedelta(hours=5), content_type="application/edifact")
            session.add(row)
            session.flush()
            ids[name] = row.id
        session.commit()
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="fig-ack" href="/admin/exchanges\?ack=overdue">\s*<b>1</b>', html)
    listed = client.get("/admin/exchanges?ack=overdue").get_data(as_text=True)
    assert ids["fast"] in listed and ids["slow"] not in listed
    bad = runner.invoke(args=["hub", "partner-profile", "slow", "--set", "ack_deadline_hours=-1"])
    assert "ack_deadline_hours: a number of hours above 0" in bad.output
