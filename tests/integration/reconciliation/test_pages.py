"""Reconciliation on the admin pages: the exceptions queue with suggestions and reasons, confirm a
suggestion, undo a match, match by hand, reject; the dashboard's count; auditors see, never act."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.support.admin import enrolled_user, page_token, sign_in

API = "/api/v1/reconciliation"


def _waiting(client: Any) -> list[str]:
    return re.findall(r'<section class="order" id="payment-(\d+)">', client.get("/admin/reconciliation")
                      .get_data(as_text=True))


def test_an_operator_works_the_queue_and_an_auditor_only_reads_it(app: Flask, client: Any,
                                                                 scenario: dict[str, Any]) -> None:
    assert client.post(f"{API}/runs", json={}, headers=scenario["operator"]).status_code == 201
    page = app.test_client()
    sign_in(page, app, enrolled_user(app, "otto", "operator"))
    html = page.get("/admin/reconciliation").get_data(as_text=True)
    waiting = _waiting(page)
    assert len(waiting) == 5 and "cannot tell which" in html and scenario["numbers"]["i10"] in html
    dashboard = page.get("/").get_data(as_text=True)
    assert re.search(r'id="fig-payments" href="/admin/reconciliation">\s*<b>5</b>', dashboard)

    token = page_token(page, "/admin/reconciliation")
    first_payment = waiting[0]
    suggestion = re.search(rf'id="payment-{first_payment}">.*?name="match_id" value="(\d+)"', html, re.S)
    assert suggestion is not None
    done = page.post(f"/admin/reconciliation/payments/{first_payment}/act",
                     data={"csrf_token": token, "action": "confirm", "match_id": suggestion.group(1)},
                     follow_redirects=True)
    assert f"Payment {first_payment}: done (confirm)." in done.get_data(as_text=True)
    assert first_payment not in _waiting(page)

    matched = page.get("/admin/reconciliation/matched").get_data(as_text=True)
    match_id = re.search(r'<tr id="match-(\d+)">', matched)
    assert match_id is not None
    undone = page.post(f"/admin/reconciliation/matches/{match_id.group(1)}/act",
                       data={"csrf_token": token, "reason": "wrong payer"}, follow_redirects=True)
    assert "undone: the payment waits in the queue again" in undone.get_data(as_text=True)

    last = _waiting(page)[-1]
    refused = page.post(f"/admin/reconciliation/payments/{last}/act",
                        data={"csrf_token": token, "action": "match", "invoice": "NO-SUCH-INVOICE"},
                        follow_redirects=True)
    assert "no invoice &#39;NO-SUCH-INVOICE&#39;" in refused.get_data(as_text=True)
    rejected = page.post(f"/admin/reconciliation/payments/{last}/act",
                         data={"csrf_token": token, "action": "reject", "reason": "not ours"},
                         follow_redirects=True)
    assert f"Payment {last}: done (reject)." in rejected.get_data(as_text=True)
    assert last not in _waiting(page)

    auditor = app.test_client()
    sign_in(auditor, app, enrolled_user(app, "aud", "auditor"))
    seen = auditor.get("/admin/reconciliation").get_data(as_text=True)
    assert "cannot tell which" in seen and 'value="confirm"' not in seen and 'value="reject"' not in seen
    answer = auditor.post(f"/admin/reconciliation/payments/{waiting[1]}/act",
                          data={"csrf_token": page_token(auditor), "action": "reject", "reason": "x"})
    assert answer.status_code == 403


def test_an_operator_applies_a_partners_credit_on_the_page_and_undoes_it(app: Flask, client: Any,
                                                                        scenario: dict[str, Any]) -> None:
    from hub.db import new_session
    from tests.support import reconciliation

    assert client.post(f"{API}/runs", json={}, headers=scenario["operator"]).status_code == 201
    with app.app_context(), new_session() as session:
        later = reconciliation.invoice(session, "acme", "80.00", "USD").number
        session.commit()
    page = app.test_client()
    sign_in(page, app, enrolled_user(app, "otto", "operator"))
    html = page.get("/admin/reconciliation/credits").get_data(as_text=True)
    assert re.search(r'id="credit-\d+-USD"><td>acme</td><td>50.00 USD</td>\s*<td>E07-overpaid: 50.00',
                     html)
    token = page_token(page, "/admin/reconciliation/credits")
    refused = page.post("/admin/reconciliation/credits/apply",
                        data={"csrf_token": token, "parts": f"{later}=60"}, follow_redirects=True)
    refused_html = refused.get_data(as_text=True)
    assert "Credit not applied" in refused_html
    assert "more than the partner&#39;s open credit of 50.00 USD" in refused_html
    done = page.post("/admin/reconciliation/credits/apply", data={"csrf_token": token, "parts": later},
                     follow_redirects=True).get_data(as_text=True)
    assert f"{later} 50.00" in done and 'id="credit-' not in done
    matched = page.get("/admin/reconciliation/matched").get_data(as_text=True)
    applied = re.search(rf'<tr id="match-(\d+)">(?:(?!</tr>).)*{later}: 50.00</td>\s*<td>credit', matched,
                        re.S)
    assert applied is not None
    undone = page.post(f"/admin/reconciliation/matches/{applied.group(1)}/act",
                       data={"csrf_token": token, "reason": "wrong invoice"}, follow_redirects=True)
    assert "the partner&#39;s credit is open again" in undone.get_data(as_text=True)
    assert "50.00 USD" in page.get("/admin/reconciliation/credits").get_data(as_text=True)

    auditor = app.test_client()
    sign_in(auditor, app, enrolled_user(app, "aud", "auditor"))
    seen = auditor.get("/admin/reconciliation/credits").get_data(as_text=True)
    assert "50.00 USD" in seen and 'name="parts"' not in seen
    token = page_token(auditor, "/admin/reconciliation/credits")
    assert auditor.post("/admin/reconciliation/credits/apply",
                        data={"csrf_token": token, "parts": later}).status_code == 403
