"""Partners and connectors on the admin pages: create a partner, add an identifier, change its profile
(each setting with its meaning), issue a key shown once and revoke it; connectors with their health
and an audited test call against a live test ERP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent, Partner
from tests.support.admin import enrolled_user, page_token, sign_in
from tests.support.servers import running_rest_erp

ROOT = Path(__file__).resolve().parents[3]
ORDERS = (ROOT / "fixtures" / "edifact" / "demo_orders_d96a_basic.edi").read_bytes()


def _actions(app: Flask) -> list[str]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _partner_id(app: Flask, name: str) -> int:
    with app.app_context(), new_session() as session:
        found = session.scalar(select(Partner.id).where(Partner.name == name))
    assert found is not None
    return found


def test_an_admin_creates_a_partner_gives_it_a_key_that_works_and_revokes_it(
        app: Flask, client: FlaskClient) -> None:
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    token = page_token(client, "/admin/partners/new")
    made = client.post("/admin/partners/new", data={
        "csrf_token": token, "name": "demo", "edi_id": "5412345000013", "qualifier": "14",
        "roles": ["buyer"], "syntax": "edifact"}, follow_redirects=True)
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "Partner demo created." in page and "5412345000013" in page
    pid = _partner_id(app, "demo")
    listed = client.get("/admin/partners").get_data(as_text=True)
    assert f'href="/admin/partners/{pid}">demo</a>' in listed

    issued = client.post(f"/admin/partners/{pid}/keys", data={"csrf_token": token, "label": "edi box"})
    assert issued.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="secret">([^<]+)</code>', issued.get_data(as_text=True))
    assert secret is not None
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert api.post("/api/v1/exchanges", data=ORDERS, headers=headers).status_code == 202
    detail = client.get(f"/admin/partners/{pid}").get_data(as_text=True)
    assert secret.group(1) not in detail and "edi box" in detail and "active" in detail

    key_id = re.search(rf'/admin/partners/{pid}/keys/(\d+)/revoke', detail)
    assert key_id is not None
    client.post(f"/admin/partners/{pid}/keys/{key_id.group(1)}/revoke", data={"csrf_token": token})
    assert api.post("/api/v1/exchanges", data=ORDERS, headers=headers).status_code == 401
    assert {"partner.created", "partner_key.issued", "key.revoked"} <= set(_actions(app))


def test_a_duplicate_partner_is_refused_on_the_form_with_the_reason(app: Flask, client: FlaskClient,
                                                                   make_partner: Any) -> None:
    make_partner("demo", edi_id="5412345000013")
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    answer = client.post("/admin/partners/new", data={
        "csrf_token": page_token(client), "name": "demo", "edi_id": "5412345000020",
        "roles": ["buyer"], "syntax": "edifact"}, follow_redirects=True)
    assert "a partner named &#39;demo&#39; already exists" in answer.get_data(as_text=True)


def test_an_operator_changes_a_profile_setting_shown_with_its_meaning_and_bad_values_are_refused(
        app: Flask, client: FlaskClient, make_partner: Any) -> None:
    make_partner("demo", edi_id="5412345000013")
    pid = _partner_id(app, "demo")
    sign_in(client, app, enrolled_user(app, "otto", "operator"))
    page = client.get(f"/admin/partners/{pid}").get_data(as_text=True)
    row = re.search(r'<tr id="setting-tolerate_count_mismatch">(.*?)</tr>', page, re.S)
    assert row is not None and "accept wrong UNT/UNE/UNZ/CNT counts" in row.group(1)
    assert 'id="key-issue"' not in page and 'id="identifier-add"' not in page  # admin only
    token = page_token(client)
    client.post(f"/admin/partners/{pid}/profile",
                data={"csrf_token": token, "key": "tolerate_count_mismatch", "value": "true"})
    bad = client.post(f"/admin/partners/{pid}/profile", data={"csrf_token": token, "key": "no_such_thing",
                                                              "value": "1"}, follow_redirects=True)
    assert "unknown partner profile settings: no_such_thing" in bad.get_data(as_text=True)
    with app.app_context(), new_session() as session:
        assert session.get(Partner, pid).profile == {"tolerate_count_mismatch": True}  # type: ignore[union-attr]
    assert _actions(app).count("partner.profile_changed") == 1
    refused = client.post(f"/admin/partners/{pid}/keys", data={"csrf_token": token})
    assert refused.status_code == 403


def test_an_admin_adds_an_identifier_and_one_another_partner_has_is_refused(
        app: Flask, client: FlaskClient, make_partner: Any) -> None:
    make_partner("demo", edi_id="5412345000013")
    make_partner("other", edi_id="5412345000020")
    pid = _partner_id(app, "demo")
    sign_in(client, app, enrolled_user(app, "ana", "admin"))
    token = page_token(client)
    client.post(f"/admin/partners/{pid}/identifiers",
                data={"csrf_token": token, "scheme": "gln", "value": "5790000435975"})
    taken = client.post(f"/admin/partners/{pid}/identifiers",
                        data={"csrf_token": token, "scheme": "edi", "value": "5412345000020"},
                        follow_redirects=True)
    page = taken.get_data(as_text=True)
    assert "<code>5790000435975</code>" in page and "registered for another partner" in page


def test_connectors_show_their_health_and_a_test_call_is_audited(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner) -> None:
    with running_rest_erp() as (_erp, server):
        added = runner.invoke(args=["hub", "connector-add", "erp-rest", "--key", "rest", "--endpoint",
                                    server.url, "--option", "allow_loopback=true"])
        assert added.exit_code == 0, added.output
        sign_in(client, app, enrolled_user(app, "otto", "operator"))
        listed = client.get("/admin/connectors").get_data(as_text=True)
        cid = re.search(r'href="/admin/connectors/(\d+)">erp-rest</a>', listed)
        assert cid is not None and "never" in listed
        ok = client.post(f"/admin/connectors/{cid.group(1)}/test", data={"csrf_token": page_token(client)},
                         follow_redirects=True)
        assert re.search(r"erp-rest answered in \d+ ms", ok.get_data(as_text=True))
        server.stop()
        down = client.post(f"/admin/connectors/{cid.group(1)}/test", data={"csrf_token": page_token(client)},
                           follow_redirects=True)
        assert "erp-rest did not answer well" in down.get_data(as_text=True)
        server.start()
    assert _actions(app).count("connector.tested") == 2
