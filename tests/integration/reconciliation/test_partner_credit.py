"""A partner's credit (acme's 50.00 USD overpayment in the realistic scenario) spent on its open invoices:
automatically when it equals exactly one open invoice, by hand through the API; each application a
match with its evidence, audited, the ERP told; undone, the credit is open again. Currencies never mix."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent, Document
from hub.reconciliation.match_models import PaymentMatch
from tests.support import reconciliation

API = "/api/v1/reconciliation"
INVOICES = "/api/v1/invoicing/invoices"


def _run(client: Any, scenario: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(f"{API}/runs", json={}, headers=scenario["operator"])
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def _invoices(app: Flask, *specs: tuple[str, str]) -> list[str]:
    """New acme invoices (amount, currency), issued after the first run; their numbers."""
    with app.app_context(), new_session() as session:
        numbers = [reconciliation.invoice(session, "acme", amount, currency).number
                   for amount, currency in specs]
        session.commit()
    return numbers


def _state(client: Any, scenario: dict[str, Any], number: str) -> tuple[str, str]:
    items = client.get(f"{INVOICES}?per_page=50", headers=scenario["auditor"]).get_json()["items"]
    found = next(i for i in items if i["number"] == number)
    return found["state"], found["paid"]


def _credits(client: Any, scenario: dict[str, Any]) -> list[dict[str, Any]]:
    answer = client.get(f"{API}/credits", headers=scenario["auditor"])
    assert answer.status_code == 200
    return list(answer.get_json()["items"])


def _actions(app: Flask, prefix: str) -> list[str]:
    with app.app_context(), new_session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%"))
                                    .order_by(AuditEvent.id)))


def test_the_overpayment_is_listed_as_the_partners_open_credit(client: Any, scenario: dict[str, Any]) -> None:
    _run(client, scenario)
    [acme] = _credits(client, scenario)
    assert (acme["partner_id"], acme["currency"], acme["open"]) == (
        scenario["partners"]["acme"], "USD", "50.00")
    assert [c["entry_key"] for c in acme["credits"]] == ["E07-overpaid"]
    one = client.get(f"{API}/credits?partner={scenario['partners']['globex']}", headers=scenario["auditor"])
    assert one.get_json()["items"] == []


def test_a_credit_equal_to_one_open_invoice_pays_it_on_the_next_run_and_the_erp_is_told(
        app: Flask, client: Any, runner: Any, scenario: dict[str, Any]) -> None:
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll", "--doc-type",
                               "payment_status"]).exit_code == 0
    _run(client, scenario)
    [exact] = _invoices(app, ("50.00", "USD"))
    assert _run(client, scenario)["credits_applied"] == 1
    assert _state(client, scenario, exact) == ("paid", "50.00")
    assert _credits(client, scenario) == []
    with app.app_context(), new_session() as session:
        match = session.scalars(select(PaymentMatch).where(PaymentMatch.rule == "credit")).one()
        [message] = [d.canonical for d in session.scalars(select(Document).where(
            Document.doc_type == "payment_status")) if d.canonical["event"] == "credit_applied"]
    assert match.automatic and match.signals == ["amount", "payer"]
    assert match.figures["credit_before"] == "50.00" and match.figures["open"] == {exact: "50.00"}
    assert [c["entry_key"] for c in match.figures["credits"]] == ["E07-overpaid"]
    assert "equals" in match.reasons[0]
    assert message["buyer_id"] == scenario["partners"]["acme"]
    assert [(i["invoice"], i["state"], i["paid"]) for i in message["invoices"]] == [(exact, "paid", "50.00")]
    assert _actions(app, "credit.") == ["credit.applied"]
    assert _run(client, scenario)["credits_applied"] == 0, "spent once"


def test_a_credit_that_could_pay_either_of_two_invoices_waits_for_a_person(
        app: Flask, client: Any, scenario: dict[str, Any]) -> None:
    _run(client, scenario)
    _invoices(app, ("50.00", "USD"), ("50.00", "USD"))
    assert _run(client, scenario)["credits_applied"] == 0
    assert _credits(client, scenario)[0]["open"] == "50.00"


def test_the_credit_rule_switched_off_applies_nothing(app: Flask, client: Any, runner: Any,
                                                      scenario: dict[str, Any]) -> None:
    assert runner.invoke(args=["hub", "reconcile-rule", "credit", "--disabled"]).exit_code == 0
    _run(client, scenario)
    _invoices(app, ("50.00", "USD"))
    assert _run(client, scenario)["credits_applied"] == 0


def test_applying_credit_by_hand_then_undoing_it_gives_the_credit_back(
        app: Flask, client: Any, scenario: dict[str, Any]) -> None:
    _run(client, scenario)
    [bigger] = _invoices(app, ("80.00", "USD"))
    answer = client.post(f"{API}/credits/apply", headers=scenario["operator"],
                         json={"allocations": [{"invoice": bigger}]})
    assert answer.status_code == 201, answer.get_json()
    applied = answer.get_json()
    assert (applied["rule"], applied["state"], applied["automatic"], applied["decided_by"]) == (
        "credit", "matched", False, "user:ana")
    assert [(a["number"], a["amount"]) for a in applied["allocations"]] == [(bigger, "50.00")]
    assert [(c["amount"], c["state"]) for c in applied["credits"]] == [("-50.00", "open")]
    assert _state(client, scenario, bigger) == ("partially_paid", "50.00")
    assert _credits(client, scenario) == []
    # the overpayment's own match cannot be undone while its credit is spent
    source = client.get(f"{API}/matches/{applied['id']}", headers=scenario["auditor"]).get_json()["payment"]
    payment = client.get(f"{API}/payments/{source['id']}", headers=scenario["auditor"]).get_json()
    [overpaid] = [m for m in payment["matches"] if m["rule"] != "credit"]
    refused = client.post(f"{API}/matches/{overpaid['id']}/undo", json={}, headers=scenario["operator"])
    assert refused.status_code == 409 and str(applied["id"]) in refused.get_json()["error"]["message"]
    undone = client.post(f"{API}/matches/{applied['id']}/undo", json={"reason": "wrong invoice"},
                         headers=scenario["operator"])
    assert undone.status_code == 200 and undone.get_json()["state"] == "undone"
    assert _state(client, scenario, bigger) == ("issued", "0.00")
    assert _credits(client, scenario)[0]["open"] == "50.00", "the credit is open again"
    assert _actions(app, "credit.") == ["credit.applied", "credit.unapplied"]
    part = client.post(f"{API}/credits/apply", headers=scenario["operator"],
                       json={"allocations": [{"invoice": bigger, "amount": "20.00"}]})
    assert part.status_code == 201 and _credits(client, scenario)[0]["open"] == "30.00"
    assert client.post(f"{API}/matches/{overpaid['id']}/undo", json={},
                       headers=scenario["operator"]).status_code == 409


def test_a_credit_never_pays_another_currency_nor_more_than_it_holds(
        app: Flask, client: Any, scenario: dict[str, Any]) -> None:
    _run(client, scenario)
    euros, dollars = _invoices(app, ("30.00", "EUR"), ("80.00", "USD"))

    def refused(body: dict[str, Any], status: int = 422) -> dict[str, Any]:
        answer = client.post(f"{API}/credits/apply", headers=scenario["operator"], json=body)
        assert answer.status_code == status, answer.get_json()
        return dict(answer.get_json()["error"])

    other = refused({"allocations": [{"invoice": euros}]})
    assert "no open credit in EUR (it has some in USD; currencies are never mixed)" in other["message"]
    mixed = refused({"allocations": [{"invoice": euros}, {"invoice": dollars}]})
    assert "several currencies" in mixed["message"]
    too_much = refused({"allocations": [{"invoice": dollars, "amount": "60.00"}]})
    assert "more than the partner's open credit of 50.00 USD" in too_much["message"]
    over_open = refused({"allocations": [{"invoice": scenario["numbers"]["i8"], "amount": "10.00"}]})
    assert over_open["problems"][0]["element"] == "allocations[0].invoice"  # i8 is paid: not open
    unknown = refused({"allocations": [{"invoice": "NO-SUCH"}]})
    assert unknown["problems"][0]["element"] == "allocations[0].invoice"
    assert "allocations" in refused({"allocations": "all"}, 400)["message"]
    assert client.post(f"{API}/credits/apply", headers=scenario["auditor"],
                       json={"allocations": [{"invoice": dollars}]}).status_code == 403
    assert _credits(client, scenario)[0]["open"] == "50.00"
    assert _state(client, scenario, dollars)[0] == "issued"


def test_a_payment_short_by_the_partners_credit_and_the_credit_pay_the_invoice_together(
        app: Flask, client: Any, scenario: dict[str, Any]) -> None:
    """Acme pays 250.00 of a 300.00 invoice, keeping back the 50.00 it overpaid before: the payment is
    matched by reference and payer (partially), then the credit equals what is left open."""
    _run(client, scenario)
    [invoice] = _invoices(app, ("300.00", "USD"))
    with app.app_context(), new_session() as session:
        held = reconciliation.statement(session, "STMT-2")
        reconciliation.entry(session, held, "E20-short", "250.00", "USD",
                             counterparty_iban=reconciliation.ACME_IBAN,
                             remittance_info=f"{invoice} less our overpayment of 50.00")
        session.commit()
    assert _run(client, scenario)["credits_applied"] == 1
    assert _state(client, scenario, invoice) == ("paid", "300.00")
    assert _credits(client, scenario) == []
