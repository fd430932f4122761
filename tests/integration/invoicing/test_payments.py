"""Payments recorded and taken back in bulk (what reconciliation uses): states follow the amounts, the
history and the audit trail record each, and taking back the last payment restores the state before."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.audit.models import AuditEvent
from hub.db import new_session
from hub.domain.errors import IllegalTransition, NotFound, ValidationError
from hub.invoicing import service
from hub.invoicing.service import PaymentLine
from tests.conftest import ON_POSTGRES
from tests.integration.invoicing.conftest import invoice_body

URL = "/api/v1/invoicing/invoices"


def test_payments_and_their_reversal_move_the_invoice_and_back(app, client, invoicing):
    answer = client.post(URL, json=invoice_body(due_date="2026-05-10"), headers=invoicing["admin"])
    invoice = answer.get_json()
    with app.app_context(), new_session() as session:
        assert service.mark_overdue(session, datetime(2026, 6, 1, tzinfo=UTC)) == [invoice["number"]]
        [paid] = service.record_payments(session, [PaymentLine(invoice["id"], Decimal("10.00"), "E1"),
                                                   PaymentLine(invoice["id"], Decimal("24.06"), "E2")],
                                         actor="test")
        assert (paid.state, paid.paid) == ("paid", Decimal("34.06"))
        with pytest.raises(IllegalTransition):
            service.record_payments(session, [PaymentLine(invoice["id"], Decimal("1.00"))], actor="test")
        [back] = service.reverse_payments(session, [PaymentLine(invoice["id"], Decimal("24.06"), "E2")],
                                          actor="test", reason="undone")
        assert (back.state, back.paid) == ("partially_paid", Decimal("10.00"))
        with pytest.raises(ValidationError):
            service.reverse_payments(session, [PaymentLine(invoice["id"], Decimal("10.01"))], actor="test",
                                     reason="too much")
        [none] = service.reverse_payments(session, [PaymentLine(invoice["id"], Decimal("10.00"), "E1")],
                                          actor="test", reason="undone")
        assert (none.state, none.paid) == ("overdue", Decimal("0.00"))
        session.commit()
    detail = client.get(f"{URL}/{invoice['id']}", headers=invoicing["auditor"]).get_json()
    assert [h["what"] for h in detail["history"]] == ["issued", "overdue", "partially_paid", "paid",
                                                      "partially_paid", "overdue"]


def _issued(client, invoicing, count: int) -> list[dict]:
    return [client.post(URL, json=invoice_body(), headers=invoicing["admin"]).get_json()
            for _ in range(count)]


def test_one_call_paying_an_invoice_several_times_records_each_line_in_order(app, client, invoicing):
    first, second = _issued(client, invoicing, 2)  # 34.06 payable each
    lines = [PaymentLine(invoice["id"], Decimal(amount), reference) for invoice, amount, reference in (
        (second, "10.00", "E1"), (first, "5.00", "E2"), (second, "4.06", "E3"), (second, "20.00", "E4"))]
    at = datetime(2026, 6, 2, 9, tzinfo=UTC)
    with app.app_context(), new_session() as session:
        outcomes = service.record_payments(session, lines, actor="test", paid_at=at)
        session.commit()
    assert [(o.invoice_id, o.state, o.paid, o.payable) for o in outcomes] == [
        (first["id"], "partially_paid", Decimal("5.00"), Decimal("34.06")),
        (second["id"], "paid", Decimal("34.06"), Decimal("34.06"))]
    paid = {i: client.get(f"{URL}/{i}", headers=invoicing["auditor"]).get_json()["history"][1:]
            for i in (first["id"], second["id"])}
    assert [{k: v for k, v in h.items() if k != "at"} for h in paid[second["id"]]] == [
        {"actor": "test", "what": what, "amount": amount, "reference": reference, "paid_at": at.isoformat()}
        for what, amount, reference in (("partially_paid", "10.00", "E1"), ("partially_paid", "4.06", "E3"),
                                        ("paid", "20.00", "E4"))]
    assert [h["reference"] for h in paid[first["id"]]] == ["E2"]
    with app.app_context(), new_session() as session:
        events = session.execute(select(AuditEvent.object_id, AuditEvent.partner_id, AuditEvent.details)
                                 .where(AuditEvent.action == "invoice.payment").order_by(AuditEvent.id)).all()
    assert [(int(object_id), details["reference"], details["paid"], details["state"])
            for object_id, _, details in events] == [
        (second["id"], "E1", "10.00", "partially_paid"), (first["id"], "E2", "5.00", "partially_paid"),
        (second["id"], "E3", "14.06", "partially_paid"), (second["id"], "E4", "34.06", "paid")]
    assert len({partner for _, partner, _ in events}) == 1 and events[0].partner_id is not None


def test_a_call_with_one_line_refused_changes_no_invoice(app, client, invoicing):
    first, second = _issued(client, invoicing, 2)
    with app.app_context(), new_session() as session:
        service.record_payments(session, [PaymentLine(first["id"], Decimal("34.06"))], actor="test")
        session.commit()
        for amounts, refusal in (((("1.00", second), ("1", first)), IllegalTransition),
                                 ((("40.00", second), ("1", second)), IllegalTransition),  # paid, then again
                                 ((("1.00", second), ("1", {"id": 10**6})), NotFound),
                                 ((("1.00", second), ("0", first)), ValidationError)):
            with pytest.raises(refusal):
                service.record_payments(session, [PaymentLine(invoice["id"], Decimal(amount))
                                                  for amount, invoice in amounts], actor="test")
            session.commit()
    detail = client.get(f"{URL}/{second['id']}", headers=invoicing["auditor"]).get_json()
    assert (detail["state"], [h["what"] for h in detail["history"]]) == ("issued", ["issued"])


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks: SQLite has one writer at a time")
def test_a_payment_made_while_another_call_holds_the_invoice_waits_and_adds_to_it(app, client, invoicing):
    [invoice] = _issued(client, invoicing, 1)
    done = threading.Event()
    errors: list[BaseException] = []

    def concurrent_payment() -> None:
        try:
            with new_session(app) as other:
                service.record_payments(other, [PaymentLine(invoice["id"], Decimal("4.06"), "E2")],
                                        actor="other")
                other.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        done.set()

    with app.app_context(), new_session() as session:
        service.record_payments(session, [PaymentLine(invoice["id"], Decimal("10.00"), "E1")], actor="test")
        worker = threading.Thread(target=concurrent_payment)
        worker.start()
        assert not done.wait(0.5)  # it waits for this transaction's lock on the invoice
        session.commit()
    worker.join(10)
    assert errors == [] and done.is_set()
    detail = client.get(f"{URL}/{invoice['id']}", headers=invoicing["auditor"]).get_json()
    assert (detail["state"], detail["paid"]) == ("partially_paid", "14.06")
    assert [h.get("reference") for h in detail["history"]] == [None, "E1", "E2"]
