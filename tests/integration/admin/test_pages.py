"""The admin pages: roles on every route, a failed exchange shown with its faulty segment, reprocess,
search, the audit log, and approvals."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from hub.db import new_session
from hub.models import AuditEvent, OutboundDelivery
from tests.integration.procurement.conftest import catalogue, erp, post_stock  # noqa: F401
from tests.support.admin import enrolled_user, page_token, sign_in
from tests.support.exchanges import post, process

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()
ROLES = ("admin", "operator", "auditor")


def _admin_rules(app: Flask) -> list[tuple[str, str, set[str], Any]]:
    """(path, method, methods, roles) of every admin page but the static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint == "admin.static":
            continue
        roles = getattr(app.view_functions[rule.endpoint], "admin_roles", "undeclared")
        path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((path, method, rule.methods or set(), roles))
    return found


def test_every_admin_route_declares_its_roles_and_enforces_them(app: Flask) -> None:
    rules = _admin_rules(app)
    assert len(rules) >= 12 and all(roles != "undeclared" for *_, roles in rules)
    anonymous = app.test_client()
    token = page_token(anonymous, "/admin/sign-in")
    for path, method, _, roles in rules:
        if roles is None:  # the sign-in and enrolment pages
            continue
        answer = anonymous.open(path, method=method, data={"csrf_token": token})
        assert answer.status_code == 302 and "/admin/sign-in" in answer.headers["Location"], path
    for role in ROLES:
        client = app.test_client()
        sign_in(client, app, enrolled_user(app, f"user-{role}", role))
        token = page_token(client)
        for path, method, _, roles in rules:
            if roles is None or role in roles:
                continue
            answer = client.open(path, method=method, data={"csrf_token": token})
            assert answer.status_code == 403, (role, method, path, answer.status_code)


def _failed_orders(app: Flask, client: FlaskClient, make_partner: Any) -> str:
    demo = make_partner("demo", edi_id="5412345000013")
    exchange_id = post(client, demo, ORDERS.replace(b"CNT+2:3'", b"CNT+2:5'"))
    process(app)
    return exchange_id


def test_a_failed_exchange_shows_its_faulty_segment_and_is_reprocessed_after_a_profile_fix(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, make_partner: Any) -> None:
    exchange_id = _failed_orders(app, client, make_partner)
    sign_in(client, app, enrolled_user(app, "otto", "operator"))
    html = client.get(f"/admin/exchanges/{exchange_id}").get_data(as_text=True)
    faulty = re.findall(r'<tr id="seg-(\d+)" class="faulty">(.*?)</tr>', html, re.S)
    assert len(faulty) == 1 and "CNT+2:5&#39;" in faulty[0][1] and "CNT_MISMATCH" in faulty[0][1]
    assert "says 5 line items, the message has 3" in faulty[0][1]
    url = f"/admin/exchanges/{exchange_id}/reprocess"
    assert 'id="confirm"' in client.get(url).get_data(as_text=True)
    runner.invoke(args=["hub", "partner-profile", "demo", "--set", "tolerate_count_mismatch=true"])
    done = client.post(url, data={"csrf_token": page_token(client)}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "it is now processed" in page and 'id="state">processed<' in page and "PO-2024-0042" in page


def test_the_list_filters_and_finds_a_file_by_document_number_or_control_reference(
        app: Flask, client: FlaskClient, make_partner: Any) -> None:
    demo = make_partner("demo", edi_id="5412345000013")
    good = post(client, demo, ORDERS)
    bad = post(client, demo, ORDERS.replace(b"ORD0001", b"ORD0009").replace(b"CNT+2:3'", b"CNT+2:5'")
               .replace(b"PO-2024-0042", b"PO-2024-0077"))
    process(app)
    sign_in(client, app, enrolled_user(app, "aud", "auditor"))

    def listed(query: str) -> set[str]:
        html = client.get(f"/admin/exchanges?{query}").get_data(as_text=True)
        return set(re.findall(r"/admin/exchanges/([0-9a-f-]{36})", html))

    assert {good, bad} <= listed("")
    assert listed("state=failed") == {bad}
    assert listed("q=PO-2024-0042") == {good}
    assert listed("q=ORD0009") == {bad}
    assert listed("direction=inbound&syntax=edifact&type=ORDERS&state=processed") == {good}
    assert listed("since=2999-01-01T00:00") == set()
    wrong = client.get("/admin/exchanges?since=yesterday")
    assert wrong.status_code == 400 and "since must be a date and time" in wrong.get_data(as_text=True)


def test_an_auditor_sees_the_failure_but_no_action_and_cannot_post_one(
        app: Flask, client: FlaskClient, make_partner: Any) -> None:
    exchange_id = _failed_orders(app, client, make_partner)
    sign_in(client, app, enrolled_user(app, "aud", "auditor"))
    html = client.get(f"/admin/exchanges/{exchange_id}").get_data(as_text=True)
    assert 'class="faulty"' in html and 'id="reprocess"' not in html and 'id="timeline"' in html
    answer = client.post(f"/admin/exchanges/{exchange_id}/reprocess", data={"csrf_token": page_token(client)})
    assert answer.status_code == 403 and "admin or operator" in answer.get_data(as_text=True)
    audit = client.get(f"/admin/audit?object_type=exchange&object_id={exchange_id}").get_data(as_text=True)
    assert "exchange.state_changed" in audit and 'id="verify"' not in audit
    csv = client.get(f"/admin/audit/export.csv?object_id={exchange_id}")
    assert csv.status_code == 200 and csv.get_data(as_text=True).startswith("id,at,actor")


def test_the_dashboard_counts_link_to_their_lists(app: Flask, client: FlaskClient, make_partner: Any) -> None:
    _failed_orders(app, client, make_partner)
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="fig-failed" href="/admin/exchanges\?state=failed&amp;direction=inbound">\s*'
                     r"<b>1</b> failed inbound files", html)
    assert "Never verified from these pages." in html
    client.post("/admin/audit/verify", data={"csrf_token": page_token(client)})
    after = client.get("/").get_data(as_text=True)
    assert re.search(r"Last verified .* by user:ana:\s+\d+ events, intact", after)


@pytest.mark.usefixtures("catalogue")
def test_an_order_waiting_for_approval_is_explained_and_approved_or_rejected_with_a_reason(
        app: Flask, client: FlaskClient, erp: dict[str, str], runner: FlaskCliRunner) -> None:  # noqa: F811
    app.config["HUB_SETTINGS"].procurement.approval_thresholds = {"BRL": Decimal("1")}
    post_stock(client, erp, "2026-12-02T08:00:00+00:00", WIDGET=0, BOLT=0, NUT=0)
    assert runner.invoke(args=["hub", "replenish"]).exit_code == 0
    sign_in(client, app, enrolled_user(app, "otto", "operator"))
    html = client.get("/admin/purchase-orders").get_data(as_text=True)
    ids = re.findall(r'<section class="order" id="order-(\d+)">', html)
    assert len(ids) == 2 and "projected" in html and "WIDGET" in html
    token = page_token(client)
    refused = client.post(f"/admin/purchase-orders/{ids[0]}/decide", data={"action": "reject",
                                                                           "csrf_token": token})
    assert refused.status_code == 409 and "a reason is needed" in refused.get_data(as_text=True)
    client.post(f"/admin/purchase-orders/{ids[0]}/decide",
                data={"action": "reject", "reason": "too early", "csrf_token": token})
    done = client.post(f"/admin/purchase-orders/{ids[1]}/decide", follow_redirects=True,
                       data={"action": "approve", "csrf_token": token}).get_data(as_text=True)
    assert f"Order {ids[1]} is now released" in done and "Nothing waits for approval" in done


def test_a_dead_delivery_is_listed_and_queued_again_after_confirmation(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, make_partner: Any) -> None:
    out = runner.invoke(args=["hub", "connector-add", "erp", "--key", "rest", "--endpoint",
                              "http://127.0.0.1:9/orders", "--option", "allow_loopback=true"])
    assert out.exit_code == 0, out.output
    post(client, make_partner("demo", edi_id="5412345000013"), ORDERS)
    process(app)
    with app.app_context(), new_session() as session:  # as the delivery job leaves it after 8 failures
        session.execute(update(OutboundDelivery).values(state="dead", attempts=8,
                                                        last_error={"message": "connection refused"}))
        session.commit()
    sign_in(client, app, enrolled_user(app, "otto", "operator"))
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="fig-dead" href="/admin/deliveries\?state=dead">\s*<b>1</b>', html)
    listed = client.get("/admin/deliveries").get_data(as_text=True)
    assert "purchase_order PO-2024-0042" in listed and "connection refused" in listed
    (link,) = re.findall(r'class="redeliver" href="([^"]+)"', listed)
    assert 'id="confirm"' in client.get(link).get_data(as_text=True)
    done = client.post(link, data={"csrf_token": page_token(client)}, follow_redirects=True)
    assert "queued again" in done.get_data(as_text=True)
    with app.app_context(), new_session() as session:
        (delivery,) = session.scalars(select(OutboundDelivery)).all()
        assert (delivery.state, delivery.attempts) == ("pending", 0)
        actors = session.scalars(select(AuditEvent.actor).where(AuditEvent.object_id == delivery.id)).all()
        assert "user:otto" in actors


def test_the_list_pages_newest_first_by_cursor(app: Flask, client: FlaskClient, make_partner: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hub.admin.exchange_pages.PER_PAGE", 1)
    demo = make_partner("demo", edi_id="5412345000013")
    first = post(client, demo, ORDERS)
    second = post(client, demo, ORDERS.replace(b"ORD0001", b"ORD0002"))
    sign_in(client, app, enrolled_user(app, "aud", "auditor"))
    html = client.get("/admin/exchanges").get_data(as_text=True)
    assert second in html and first not in html
    (older,) = re.findall(r'href="([^"]+)" id="older"', html)
    html = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert first in html and second not in html and 'id="older"' not in html
    assert client.get("/admin/exchanges?after=garbage").status_code == 400


HOSTILE = ("%00", "a%00b", "99999999999999999999", "9" * 5000)
QUERY_NAMES = ("partner", "direction", "syntax", "type", "state", "ack", "since", "until", "q", "after",
               "before", "actor", "action", "object_type", "object_id", "partner_id", "page")


def test_no_admin_page_answers_500_to_nul_or_huge_values(app: Flask, client: FlaskClient) -> None:
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    seen = 0
    for path, method, _, roles in _admin_rules(app):
        if method != "GET" or roles is None:
            continue
        for value in HOSTILE:
            answer = client.get(path.replace("/1", f"/{value}"))
            answer.close()  # the CSV export streams
            assert answer.status_code in (200, 302, 400, 404), (path, value, answer.status_code)
            for name in QUERY_NAMES:
                answer = client.get(f"{path}?{name}={value}")
                answer.close()
                assert answer.status_code in (200, 400, 404), (path, name, value, answer.status_code)
                seen += 1
    assert seen > 300
