"""Spending a partner's credit, as decided before anything is written: oldest credit first, exact
matches only when unambiguous, currencies never mixed, every refusal named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.domain.errors import ValidationError
from hub.reconciliation.credit import OpenCredit, exact, plan, spend
from hub.reconciliation.domain import Index, OpenInvoice

D = Decimal
OLD = OpenCredit(7, "EUR", 1, "E-old", D("30.00"))
NEW = OpenCredit(7, "EUR", 2, "E-new", D("50.00"))
DOLLARS = OpenCredit(7, "USD", 3, "E-usd", D("80.00"))


def invoice(invoice_id: int, open_amount: str, currency: str = "EUR", partner: int = 7) -> OpenInvoice:
    return OpenInvoice(invoice_id, f"INV-{invoice_id}", partner, currency, D(open_amount), D(0), None)


def test_the_oldest_credit_is_spent_first() -> None:
    assert [(c.entry_key, amount) for c, amount in spend([OLD, NEW], D("45.00"))] == [
        ("E-old", D("30.00")), ("E-new", D("15.00"))]


def test_a_credit_equal_to_one_open_invoice_is_applied_and_never_to_one_of_two() -> None:
    [applied] = exact([OLD, NEW, DOLLARS], Index([invoice(1, "80.00"), invoice(2, "80.00", "USD"),
                                                  invoice(3, "80.00", "USD")]))
    assert applied.currency == "EUR"
    assert [(a.number, a.amount) for a in applied.allocations] == [("INV-1", D("80.00"))]
    assert [amount for _, amount in applied.spent] == [D("30.00"), D("50.00")]
    assert applied.signals == {"payer", "amount"}


def test_a_person_may_take_less_or_everything_that_is_left() -> None:
    invoices = {1: invoice(1, "60.00"), 2: invoice(2, "100.00")}
    app = plan([OLD, NEW], invoices, [(1, None), (2, None)], actor="user:ana")
    assert [(a.number, a.amount) for a in app.allocations] == [("INV-1", D("60.00")), ("INV-2", D("20.00"))]
    assert app.figures["credit_before"] == "80.00"


@pytest.mark.parametrize(("lines", "invoices", "words"), [
    ([(1, None)], {1: invoice(1, "10.00", "GBP")}, "no open credit in GBP (it has some in EUR, USD"),
    ([(1, None), (2, None)], {1: invoice(1, "10.00"), 2: invoice(2, "10.00", "USD")}, "several currencies"),
    ([(1, None), (2, None)], {1: invoice(1, "10.00"), 2: invoice(2, "10.00", partner=8)}, "several partners"),
    ([(1, D("90.00"))], {1: invoice(1, "100.00")}, "more than the partner's open credit of 80.00 EUR"),
    ([(1, D("20.00"))], {1: invoice(1, "10.00")}, "allocations[0].amount: 20.00 is not between 0 and"),
    ([(9, None)], {}, "allocations[0].invoice: the invoice is not open"),
])
def test_refusals_name_the_allocation(lines: list[tuple[int, Decimal | None]],
                                      invoices: dict[int, OpenInvoice], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        plan([OLD, NEW, DOLLARS], invoices, lines, actor="user:ana")
    assert words in info.value.message
