"""A realistic day of payments matched against open invoices: the exact matches, suggestions and
exceptions are a golden file (UPDATE_GOLDEN=1 rewrites it; review the diff). The invoices move to
partially paid and paid through the invoicing service, fees are written off, an overpayment is the
partner's credit, and a second run changes nothing."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from hub.db import new_session
from hub.models import AuditEvent
from hub.reconciliation.match_models import PartnerCredit, WriteOff
from tests.support.reconciliation import outcome

GOLDEN = Path(__file__).parent / "golden" / "realistic.json"
RUNS = "/api/v1/reconciliation/runs"
INVOICES = "/api/v1/invoicing/invoices"


def _outcome(app: Flask) -> list[dict[str, Any]]:
    with app.app_context(), new_session() as session:
        return outcome(session)


def test_the_realistic_day_matches_exactly_as_the_golden_file_says(app, client, scenario):
    answer = client.post(RUNS, json={}, headers=scenario["operator"])
    assert answer.status_code == 201, answer.get_json()
    assert {k: answer.get_json()[k] for k in ("payments", "matched", "suggested", "unmatched")} == {
        "payments": 12, "matched": 7, "suggested": 2, "unmatched": 3}
    actual = _outcome(app)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(actual, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_invoices_are_paid_through_invoicing_with_fees_written_off_and_overpayment_as_credit(
        app, client, scenario):
    client.post(RUNS, json={}, headers=scenario["admin"])
    states = {i["number"]: (i["state"], i["paid"]) for i in
              client.get(f"{INVOICES}?per_page=50", headers=scenario["auditor"]).get_json()["items"]}
    n = scenario["numbers"]
    assert states[n["i1"]] == ("paid", "100.00")
    assert states[n["i5"]] == ("paid", "500.00")  # 498.50 received, 1.50 of bank fees written off
    assert states[n["i7"]] == ("paid", "800.00")  # two payments: 300.00 then 500.00
    assert states[n["i8"]] == ("paid", "700.00")  # 750.00 received: 50.00 is acme's credit
    assert [states[n[k]][0] for k in ("i9", "i10", "i11")] == ["issued"] * 3
    detail = client.get(f"{INVOICES}/{scenario['ids']['i7']}", headers=scenario["auditor"]).get_json()
    assert [(h["what"], h.get("amount")) for h in detail["history"][1:]] == [
        ("partially_paid", "300.00"), ("paid", "500.00")]
    with app.app_context(), new_session() as session:
        fees = session.scalars(select(WriteOff)).all()
        assert [(w.account, w.amount, w.currency) for w in fees] == [("fees", Decimal("1.50"), "EUR")]
        credit = session.scalars(select(PartnerCredit)).one()
        assert (credit.partner_id, credit.amount, credit.currency) == (
            scenario["partners"]["acme"], Decimal("50.00"), "USD")


def test_every_match_is_audited_with_its_rule_and_signals_and_a_second_run_changes_nothing(
        app, client, scenario):
    client.post(RUNS, json={}, headers=scenario["admin"])
    first = _outcome(app)
    with app.app_context(), new_session() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.details).where(
            AuditEvent.action.like("payment.%")).order_by(AuditEvent.id)).all()
        counted = session.scalar(select(func.count()).select_from(AuditEvent))
    matched = [d for a, d in events if a == "payment.matched"]
    assert len(matched) == 7 and all(d["rule"] and d["signals"] and d["score"] for d in matched)
    assert sorted(a for a, _ in events if a != "payment.matched") == [
        "payment.suggested", "payment.suggested", "payment.written_off"]
    again = client.post(RUNS, json={}, headers=scenario["admin"]).get_json()
    assert (again["payments"], again["matched"]) == (5, 0)
    assert _outcome(app) == first
    with app.app_context(), new_session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == counted  # no status changed
