"""The exceptions queue through the API: suggestions with scores and reasons; confirm, split, match by
hand, reject, write off and undo (the invoice's state and the partner's credit follow); learnt payer
names; every decision audited; auditors read, partners are refused; bad input is named."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent
from hub.reconciliation.match_models import PartnerCredit, PayerMapping

API = "/api/v1/reconciliation"
INVOICES = "/api/v1/invoicing/invoices"


def _run(client: Any, scenario: dict[str, Any]) -> None:
    assert client.post(f"{API}/runs", json={}, headers=scenario["operator"]).status_code == 201


def _payment(client: Any, scenario: dict[str, Any], key: str) -> dict[str, Any]:
    items = client.get(f"{API}/payments?per_page=100", headers=scenario["auditor"]).get_json()["items"]
    [found] = [p for p in items if p["entry_key"] == key]
    return client.get(f"{API}/payments/{found['id']}", headers=scenario["auditor"]).get_json()


def _invoice(client: Any, scenario: dict[str, Any], name: str) -> dict[str, Any]:
    return client.get(f"{INVOICES}/{scenario['ids'][name]}", headers=scenario["auditor"]).get_json()


def _actions(app: Flask) -> list[str]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("payment.%"))
                                    .order_by(AuditEvent.id)))


def test_the_queue_lists_waiting_payments_with_their_suggestions_scores_and_reasons(client, scenario):
    _run(client, scenario)
    queue = client.get(f"{API}/exceptions", headers=scenario["auditor"]).get_json()["items"]
    assert [p["entry_key"] for p in queue] == ["E08-near-miss", "E09-same-amount", "E10-reversal",
                                               "E11-fragment", "E12-wrong-currency"]
    twins = queue[1]["suggestions"]
    n = scenario["numbers"]
    assert [s["allocations"][0]["number"] for s in twins] == [n["i10"], n["i11"]]
    assert all(s["score"] == 30 and s["signals"] == ["payer"] for s in twins)
    assert any("cannot tell which" in r for r in twins[0]["reasons"])
    filtered = client.get(f"{API}/payments?status=suggested", headers=scenario["auditor"]).get_json()["items"]
    assert {p["entry_key"] for p in filtered} == {"E08-near-miss", "E09-same-amount"}


def test_confirming_a_suggestion_pays_the_invoice_and_learns_the_payer_name(app, client, scenario):
    _run(client, scenario)
    near = _payment(client, scenario, "E08-near-miss")
    [suggestion] = near["suggestions"]
    confirmed = client.post(f"{API}/matches/{suggestion['id']}/confirm", headers=scenario["operator"])
    assert confirmed.status_code == 200, confirmed.get_json()
    assert (confirmed.get_json()["state"], confirmed.get_json()["decided_by"]) == ("matched", "user:ana")
    assert _invoice(client, scenario, "i9")["state"] == "paid"
    assert _payment(client, scenario, "E08-near-miss")["status"] == "matched"
    with app.app_context(), new_session() as session:
        learnt = session.scalars(select(PayerMapping)).one()
        assert (learnt.kind, learnt.value, learnt.partner_id) == ("name", "UNKNOWN PAYER LTD",
                                                                 scenario["partners"]["globex"])
    again = client.post(f"{API}/matches/{suggestion['id']}/confirm", headers=scenario["operator"])
    assert again.status_code == 409


def test_split_across_invoices_then_undo_gives_the_invoices_and_credit_back(app, client, scenario):
    _run(client, scenario)
    twins = _payment(client, scenario, "E09-same-amount")
    n = scenario["numbers"]
    answer = client.post(f"{API}/payments/{twins['id']}/split", headers=scenario["admin"], json={
        "allocations": [{"invoice": n["i10"], "amount": "100.00"},
                        {"invoice": scenario["ids"]["i11"], "amount": "40.00"}]})
    assert answer.status_code == 201, answer.get_json()
    match = answer.get_json()
    assert (match["rule"], match["credit"]) == ("split", "10.00")
    assert [c["amount"] for c in match["credits"]] == ["10.00"]
    assert (_invoice(client, scenario, "i10")["state"], _invoice(client, scenario, "i10")["paid"]) == (
        "partially_paid", "100.00")
    undone = client.post(f"{API}/matches/{match['id']}/undo", json={"reason": "wrong split"},
                         headers=scenario["admin"]).get_json()
    assert undone["state"] == "undone" and [c["state"] for c in undone["credits"]] == ["undone"]
    for name in ("i10", "i11"):
        invoice = _invoice(client, scenario, name)
        assert (invoice["state"], invoice["paid"]) == ("issued", "0.00")
        assert invoice["history"][-1]["what"] == "issued" and invoice["history"][-1]["reversed"]
    assert _payment(client, scenario, "E09-same-amount")["status"] == "unmatched"
    with app.app_context(), new_session() as session:
        assert session.scalars(select(PartnerCredit.state).where(PartnerCredit.match_id == match["id"])
                               ).all() == ["undone"]
    assert _actions(app)[-2:] == ["payment.matched", "payment.unmatched"]


def test_undoing_an_automatic_match_reopens_the_invoice_and_the_next_run_only_suggests(app, client, scenario):
    _run(client, scenario)
    exact = _payment(client, scenario, "E01-exact")
    [match] = exact["matches"]
    assert match["automatic"] and match["signals"] == ["amount", "payer", "reference"]
    evidence = client.get(f"{API}/matches/{match['id']}", headers=scenario["auditor"]).get_json()
    assert evidence["figures"]["open"] == {scenario["numbers"]["i1"]: "100.00"}
    assert evidence["figures"]["tolerance"] == {"absolute": "5.00", "percent": "2"}
    undo = client.post(f"{API}/matches/{match['id']}/undo", json={}, headers=scenario["admin"])
    assert undo.status_code == 200
    assert _invoice(client, scenario, "i1")["state"] == "issued"
    _run(client, scenario)
    again = _payment(client, scenario, "E01-exact")
    assert again["status"] == "suggested" and again["suggestions"][0]["score"] == 115


def test_match_by_hand_reject_and_write_off(app, client, scenario):
    _run(client, scenario)
    fragment = _payment(client, scenario, "E11-fragment")
    by_hand = client.post(f"{API}/payments/{fragment['id']}/match", headers=scenario["operator"],
                          json={"invoice": scenario["numbers"]["i9"]})
    assert by_hand.status_code == 201, by_hand.get_json()
    assert by_hand.get_json()["allocations"][0]["amount"] == "12.34"
    assert _invoice(client, scenario, "i9")["state"] == "partially_paid"
    reversal = _payment(client, scenario, "E10-reversal")
    assert client.post(f"{API}/payments/{reversal['id']}/reject", json={},
                       headers=scenario["operator"]).status_code == 422  # a reason is required
    rejected = client.post(f"{API}/payments/{reversal['id']}/reject", json={"reason": "bank returned it"},
                           headers=scenario["operator"]).get_json()
    assert rejected["status"] == "rejected" and rejected["rejection"]["reason"] == "bank returned it"
    stray = _payment(client, scenario, "E12-wrong-currency")
    written = client.post(f"{API}/payments/{stray['id']}/write-off", headers=scenario["operator"],
                          json={"account": "7890", "reason": "unidentified"}).get_json()
    assert written["status"] == "written_off" and written["matches"][0]["rule"] == "write_off"
    listed = client.get(f"{API}/payments?status=written_off", headers=scenario["auditor"]).get_json()
    assert [p["entry_key"] for p in listed["items"]] == ["E12-wrong-currency"]
    assert _actions(app)[-3:] == ["payment.matched", "payment.rejected", "payment.written_off"]


def test_refusals_name_the_field_and_roles_are_enforced(client, scenario, make_partner):
    _run(client, scenario)
    twins = _payment(client, scenario, "E09-same-amount")
    url = f"{API}/payments/{twins['id']}/split"
    too_much = client.post(url, headers=scenario["admin"], json={"allocations": [
        {"invoice": scenario["numbers"]["i10"], "amount": "151.00"}]})
    assert too_much.status_code == 422 and too_much.get_json()["error"]["problems"][0]["element"] == \
        "allocations[0].amount"
    paid_already = client.post(url, headers=scenario["admin"], json={"allocations": [
        {"invoice": scenario["numbers"]["i8"], "amount": "10.00"}]})
    assert paid_already.status_code == 422 and "not open" in paid_already.get_json()["error"]["message"]
    assert client.post(url, headers=scenario["admin"], json={"allocations": [
        {"invoice": "x", "amount": "1.001"}]}).status_code == 400
    assert client.post(url, headers=scenario["auditor"], json={}).status_code == 403
    partner = make_partner("somebody")
    assert client.get(f"{API}/payments", headers=partner.headers).status_code == 403
    assert client.get(f"{API}/payments?status=nonsense", headers=scenario["auditor"]).status_code == 400
    assert client.get(f"{API}/matches/999999", headers=scenario["auditor"]).status_code == 404
    matched = _payment(client, scenario, "E01-exact")
    assert client.post(f"{API}/payments/{matched['id']}/reject", json={"reason": "x"},
                       headers=scenario["admin"]).status_code == 409
