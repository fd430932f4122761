"""A partner's remittance advice that deducts our credit notes (REMADV DOC+381, UBL
CreditNoteDocumentReference): posted through the pipeline, its payment is matched to the invoices with
the credit notes used; undone, everything goes back; a person can deduct a credit note by hand, and a
credit note that credited its invoice in full, or is used up, is refused naming the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hub.config import Settings
from hub.db import new_session
from hub.invoicing import service as invoicing
from hub.invoicing.models import IssuedInvoice
from hub.models import AuditEvent, Document
from hub.reconciliation import service
from hub.reconciliation.match_models import PaymentAllocation, PaymentMatch
from hub.reconciliation.models import StatementEntry
from hub.reconciliation.settings import MatchingSettings
from tests.support import reconciliation
from tests.support.admin import enrolled_user, page_token, sign_in
from tests.support.exchanges import post, process

ROOT = Path(__file__).resolve().parents[3]
API = "/api/v1/reconciliation"
ADVICES = {"remadv": (ROOT / "fixtures" / "edifact" / "demo_remadv_d96a_credit_notes.edi", "REM-2026-7795"),
           "ubl": (ROOT / "fixtures" / "ubl" / "ponte_remittanceadvice_credit_notes.xml", "REM-2026-7796")}
D = Decimal


def _world(app: Flask, make_partner: Any) -> Any:
    """Demo-retail's invoices INV-2026-000501 (900.00 + 100.00) and 000502 (200.00 + 50.00), each
    credited for its second line (CN-2026-000001 100.00, CN-2026-000002 50.00: the invoices stay
    payable in full), and INV-2026-000503 (80.00) credited in full (CN-2026-000003: nothing left)."""
    demo = make_partner("demo-retail", edi_id="5412345000013")
    with app.app_context(), new_session() as session:
        reconciliation.demo_company_and_retailer(session)
        for number, prices in (("INV-2026-000501", ("900.00", "100.00")),
                               ("INV-2026-000502", ("200.00", "50.00")), ("INV-2026-000503", ("80.00",))):
            body = {"buyer": "demo-retail", "currency": "EUR", "issued": "2026-11-02",
                    "due_date": "2026-12-01", "number": number,
                    "buyer_address": {"street": "Rua 1", "city": "Lisboa", "postal_code": "1000",
                                      "country": "PT"},
                    "lines": [{"description": f"Goods {n}", "quantity": "1", "price": price,
                               "tax_category": "Z", "tax_rate": "0"} for n, price in enumerate(prices, 1)]}
            issued, _ = invoicing.issue(session, body, actor="test", settings=Settings(),
                                        today=date(2026, 11, 2))
            lines = {"lines": [2]} if len(prices) == 2 else {}
            note = invoicing.credit(session, issued.id, {**lines, "reason": "goods returned"}, actor="test",
                                    settings=Settings(), today=date(2026, 11, 16))
            assert note.number == f"CN-2026-00000{number[-1]}"
        session.commit()
    return demo


def _pay(app: Flask, text: str, amount: str = "1100.00") -> int:
    with app.app_context(), new_session() as session:
        held = reconciliation.statement(session, "STMT-CN", account=reconciliation.ACCOUNT)
        entry = reconciliation.entry(session, held, "E-CN", amount, remittance_info=text,
                                     counterparty_iban=reconciliation.DEMO_PAYER_IBAN, day=date(2026, 12, 2))
        session.commit()
        return entry.id


def _run(app: Flask) -> None:
    service.reconcile(lambda: new_session(app), MatchingSettings(), at=datetime(2026, 12, 2, 9, tzinfo=UTC),
                      scheduled=False, actor="test")


def _documents(app: Flask) -> dict[str, tuple[str, Decimal, Decimal]]:
    """number: (state, paid, payable) of every invoice and credit note."""
    with app.app_context(), new_session() as session:
        return {i.number: (i.state, i.paid, i.payable) for i in session.scalars(select(IssuedInvoice))}


@pytest.mark.parametrize("syntax", sorted(ADVICES))
def test_an_advice_deducting_credit_notes_pays_the_invoices_and_uses_the_credit_notes(
        app: Flask, client: Any, make_partner: Any, make_user: Any, syntax: str) -> None:
    demo = _world(app, make_partner)
    path, number = ADVICES[syntax]
    post(client, demo, path.read_bytes())
    process(app)
    entry_id = _pay(app, f"Zahlung {number}")
    _run(app)
    with app.app_context(), new_session() as session:
        assert session.get(StatementEntry, entry_id).status == "matched"  # type: ignore[union-attr]
        match = session.scalars(select(PaymentMatch).where(PaymentMatch.entry_id == entry_id,
                                                           PaymentMatch.state == "matched")).one()
        assert (match.rule, match.automatic, match.credit) == ("remittance", True, 0)
        assert {"remittance", "amount", "payer"} <= set(match.signals)
        assert match.figures["credit_notes"] == {"CN-2026-000001": "100.00", "CN-2026-000002": "50.00"}
        assert [(a["number"], a["amount"]) for a in match.allocations] == [
            ("INV-2026-000501", "1000.00"), ("INV-2026-000502", "250.00"), ("CN-2026-000001", "-100.00"),
            ("CN-2026-000002", "-50.00")]
        rows = session.scalars(select(PaymentAllocation.amount).where(PaymentAllocation.match_id == match.id)
                               .order_by(PaymentAllocation.id))
        assert sum(rows) == D("1100.00")  # the payment's money, the credit notes' negative
        match_id = match.id
        notes_paid = list(session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "invoice.payment", AuditEvent.object_type == "invoice")))
    documents = _documents(app)
    assert documents["INV-2026-000501"] == ("paid", D("1000.00"), D("1000.00"))
    assert documents["INV-2026-000502"] == ("paid", D("250.00"), D("250.00"))
    assert documents["CN-2026-000001"] == ("paid", D("100.00"), D("100.00"))  # used whole
    assert documents["CN-2026-000002"] == ("paid", D("50.00"), D("50.00"))
    assert len(notes_paid) == 4  # each invoice and credit note's change audited

    undone = client.post(f"{API}/matches/{match_id}/undo", json={"reason": "wrong advice"},
                         headers=make_user("ana", "operator"))
    assert undone.status_code == 200, undone.get_json()
    after = _documents(app)
    assert {n: after[n][:2] for n in ("INV-2026-000501", "INV-2026-000502", "CN-2026-000001",
                                      "CN-2026-000002")} == {
        "INV-2026-000501": ("issued", D(0)), "INV-2026-000502": ("issued", D(0)),
        "CN-2026-000001": ("issued", D(0)), "CN-2026-000002": ("issued", D(0))}

    _run(app)  # undone once: the next run only suggests, the credit notes' deduction included
    waiting = client.get(f"{API}/payments/{entry_id}", headers=make_user("eva", "auditor")).get_json()
    assert waiting["status"] == "suggested"
    [offered] = [s for s in waiting["suggestions"] if s["rule"] == "remittance"]
    assert [a["amount"] for a in offered["allocations"]] == ["1000.00", "250.00", "-100.00", "-50.00"]
    confirmed = client.post(f"{API}/matches/{offered['id']}/confirm", headers=make_user("bo", "operator"))
    assert confirmed.status_code == 200, confirmed.get_json()
    assert {n: state for n, (state, _, _) in _documents(app).items()} == {
        "INV-2026-000501": "paid", "INV-2026-000502": "paid", "INV-2026-000503": "credited",
        "CN-2026-000001": "paid", "CN-2026-000002": "paid", "CN-2026-000003": "issued"}


def test_a_person_deducts_a_credit_note_by_hand_and_a_used_one_is_refused_naming_the_field(
        app: Flask, client: Any, make_partner: Any, make_user: Any) -> None:
    _world(app, make_partner)
    entry_id = _pay(app, "Rechnung 501 abzgl. Gutschrift", "900.00")
    _run(app)  # no advice: the amounts disagree with the invoice's 1,000.00, a person decides
    operator = make_user("ana", "operator")
    split = f"{API}/payments/{entry_id}/split"
    whole = {"invoice": "INV-2026-000501", "amount": "1000.00"}
    deduct = {"credit_note": "CN-2026-000001", "amount": "100.00"}
    for parts, element, words in (
            ([whole, {"credit_note": "CN-2026-000003", "amount": "80.00"}],  # it credited its invoice
             "allocations[1].credit_note", "is not a credit note with credit left"),
            ([whole, {"credit_note": "CN-2026-000001", "amount": "150.00"}],
             "allocations[1].amount", "more than CN-2026-000001's credit left 100.00"),
            ([whole, {"invoice": "CN-2026-000001", "amount": "100.00"}],  # deducted, not paid
             "allocations[1].invoice", "is not open"),
            ([{"credit_note": "CN-2026-000001", "amount": "100.00"}],
             "allocations", "deduct as much as the invoices take"),
            ([whole, deduct, deduct],  # the same credit note twice: its credit is not spent twice
             "allocations[2].amount", "more than CN-2026-000001's credit left 0.00"),
            ([{"invoice": "INV-2026-000501", "amount": "600.00"}] * 2,  # an invoice twice: not paid twice
             "allocations[1].amount", "not between 0 and INV-2026-000501's open 400.00")):
        refused = client.post(split, json={"allocations": parts}, headers=operator)
        assert refused.status_code == 422, refused.get_json()
        problems = refused.get_json()["error"]["problems"]
        assert any(p["element"] == element and words in p["message"] for p in problems), problems
    made = client.post(split, json={"allocations": [whole, deduct]}, headers=operator)
    assert made.status_code == 201, made.get_json()
    assert [(a["number"], a["amount"]) for a in made.get_json()["allocations"]] == [
        ("INV-2026-000501", "1000.00"), ("CN-2026-000001", "-100.00")]
    documents = _documents(app)
    assert documents["INV-2026-000501"][:2] == ("paid", D("1000.00"))
    assert documents["CN-2026-000001"][:2] == ("paid", D("100.00"))
    assert documents["CN-2026-000003"][:2] == ("issued", D(0))  # the full credit note: never deductible


def test_an_operator_deducts_a_credit_note_on_the_page(app: Flask, make_partner: Any) -> None:
    """The queue's split takes `CN-2026-000001=-100,00` (a minus: deducted, a decimal comma read as a
    point) beside the invoice it pays with the payment."""
    _world(app, make_partner)
    entry_id = _pay(app, "Rechnung 501 abzgl. Gutschrift", "900.00")
    _run(app)
    page = app.test_client()
    sign_in(page, app, enrolled_user(app, "otto", "operator"))
    queue = page.get("/admin/reconciliation").get_data(as_text=True)
    assert "a credit note deducted: its number=-amount" in queue
    done = page.post(f"/admin/reconciliation/payments/{entry_id}/act", follow_redirects=True, data={
        "csrf_token": page_token(page), "action": "split",
        "parts": "INV-2026-000501=1000.00\nCN-2026-000001=-100,00"}).get_data(as_text=True)
    assert f"Payment {entry_id}: done" in done
    documents = _documents(app)
    assert documents["INV-2026-000501"][:2] == ("paid", D("1000.00"))
    assert documents["CN-2026-000001"][:2] == ("paid", D("100.00"))


def test_a_credit_note_set_off_against_another_invoice_and_taken_back(
        app: Flask, client: Any, runner: Any, make_partner: Any, make_user: Any) -> None:
    """No money moving: CN-2026-000001's 100.00 pays INV-2026-000502 in part, the credit note is used up,
    the ERP is told both; asked again, or for the credit note that credited its invoice in full, or for
    more than is open, each is refused naming the field; taken back in two steps, never beyond what was
    set off."""
    _world(app, make_partner)
    assert runner.invoke(args=["hub", "connector-add", "erp", "--key", "poll", "--doc-type",
                               "payment_status"]).exit_code == 0
    operator = make_user("ana", "operator")
    set_off, take_back = f"{API}/credit-notes/set-off", f"{API}/credit-notes/take-back"
    done = client.post(set_off, json={"credit_note": "CN-2026-000001", "invoice": "INV-2026-000502"},
                       headers=operator)
    assert done.status_code == 201, done.get_json()
    assert {d["number"]: (d["state"], d["paid"]) for d in done.get_json()["documents"]} == {
        "INV-2026-000502": ("partially_paid", "100.00"), "CN-2026-000001": ("paid", "100.00")}
    for body, element in (({"credit_note": "CN-2026-000001", "invoice": "INV-2026-000501"}, "credit_note"),
                          ({"credit_note": "CN-2026-000003", "invoice": "INV-2026-000501"}, "credit_note"),
                          ({"credit_note": "CN-2026-000002", "invoice": "INV-2026-000501", "amount": "60.00"},
                           "amount"),
                          ({"credit_note": "CN-2026-000002", "invoice": "INV-2026-000503"}, "invoice"),
                          ({"credit_note": "CN-2026-000009", "invoice": "INV-2026-000501"}, "credit_note")):
        refused = client.post(set_off, json=body, headers=operator)
        assert refused.status_code == 422, (body, refused.get_json())
        assert refused.get_json()["error"]["problems"][0]["element"] == element, refused.get_json()
    with app.app_context(), new_session() as session:
        events = [e.details for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "invoice.credit_note_set_off"))]
    assert events == [{"invoice": "INV-2026-000502", "credit_note": "CN-2026-000001", "amount": "100.00",
                       "currency": "EUR"}]
    with app.app_context(), new_session() as session:
        [told] = [d.canonical for d in session.scalars(select(Document).where(
            Document.doc_type == "payment_status")) if d.canonical["event"] == "credit_note_set_off"]
    assert [(i["invoice"], i["state"], i["paid"]) for i in told["invoices"]] == [  # in id order
        ("CN-2026-000001", "paid", "100.00"), ("INV-2026-000502", "partially_paid", "100.00")]

    pair = {"credit_note": "CN-2026-000001", "invoice": "INV-2026-000502", "reason": "agreed otherwise"}
    part = client.post(take_back, json={**pair, "amount": "40.00"}, headers=operator)
    assert part.status_code == 200, part.get_json()
    assert {d["number"]: (d["state"], d["paid"]) for d in part.get_json()["documents"]} == {
        "INV-2026-000502": ("partially_paid", "60.00"), "CN-2026-000001": ("partially_paid", "60.00")}
    too_much = client.post(take_back, json={**pair, "amount": "61.00"}, headers=operator)
    assert too_much.status_code == 422 and "between 0 and 60.00" in too_much.get_json()["error"]["message"]
    rest = client.post(take_back, json=pair, headers=operator)
    assert rest.status_code == 200, rest.get_json()
    documents = _documents(app)
    assert documents["INV-2026-000502"][:2] == documents["CN-2026-000001"][:2] == ("issued", D(0))
    assert client.post(take_back, json=pair, headers=operator).status_code == 422  # nothing left to take back
    assert client.post(set_off, json={"credit_note": "CN-2026-000001", "invoice": "INV-2026-000502"},
                       headers=make_user("eva", "auditor")).status_code == 403
