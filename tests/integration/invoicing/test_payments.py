"""Payments recorded and taken back in bulk (what reconciliation uses): states follow the amounts, the
history and the audit trail record each, and taking back the last payment restores the state before."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.db import new_session
from hub.domain.errors import IllegalTransition, ValidationError
from hub.invoicing import service
from hub.invoicing.service import PaymentLine
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
