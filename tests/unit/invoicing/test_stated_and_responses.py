"""An ERP's stated figures are held against the computed ones field by field; a buyer's acknowledgement is
read into the state it asks the invoice to take."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hub.domain.acknowledgements import (
    AckStatus,
    ApplicationAck,
    ApplicationError,
    InterchangeAck,
    response_status,
)
from hub.invoicing.arithmetic import LineInput, compute
from hub.invoicing.domain import InvoiceState
from hub.invoicing.responses import read_response
from hub.invoicing.stated import TOTALS, disagreements

RATES = st.sampled_from([("S", Decimal(21)), ("S", Decimal(6)), ("Z", Decimal(0)), ("S", Decimal("12.5"))])
LINES = st.lists(st.builds(
    lambda qty, price, tax: LineInput(qty, price, tax[0], tax[1]),
    st.decimals(min_value=1, max_value=1000, places=2), st.decimals(min_value=0, max_value=5000, places=3),
    RATES), min_size=1, max_size=6)


def _stated(figures: Any) -> dict[str, Any]:
    return {"lines": [{"line_amount": str(a)} for a in figures.line_amounts],
            "taxes": [{"category": s.category, "rate": str(s.rate), "taxable_amount": str(s.taxable_amount),
                       "tax_amount": str(s.tax_amount)} for s in figures.subtotals],
            "totals": {name: str(getattr(figures.totals, name) or 0) for name in TOTALS}}


@given(LINES, st.sampled_from(TOTALS))
def test_the_computed_figures_agree_and_a_cent_off_is_named_with_both_values(lines: list[LineInput],
                                                                             total: str) -> None:
    figures = compute(lines)
    request = _stated(figures)
    assert disagreements(request, figures) == []
    computed = getattr(figures.totals, total) or Decimal(0)
    request["totals"][total] = str(computed + Decimal("0.01"))
    (problem,) = disagreements(request, figures, "invoices[3].")
    assert problem.element == f"invoices[3].totals.{total}"
    assert problem.message.endswith(f"stated {computed + Decimal('0.01')}, computed {computed}")


def test_a_tax_subtotal_left_out_or_invented_is_named() -> None:
    figures = compute([LineInput(Decimal(1), Decimal(10), "S", Decimal(21)),
                       LineInput(Decimal(1), Decimal(10), "S", Decimal(6))])
    only_one = [{"category": "S", "rate": "21.0", "taxable_amount": "10.00", "tax_amount": "2.10"}]
    assert [p.element for p in disagreements({"taxes": only_one}, figures)] == ["taxes"]
    invented = [*only_one, {"category": "S", "rate": "6", "taxable_amount": "10", "tax_amount": "0.60"},
                {"category": "E", "rate": "0", "taxable_amount": "5", "tax_amount": "0"}]
    assert [p.element for p in disagreements({"taxes": invented}, figures)] == ["taxes[2]"]


def _response(code: str, errors: int = 0, source: str = "ApplicationResponse") -> ApplicationAck:
    found = [ApplicationError("REF", None, "why")] * errors
    return ApplicationAck("R", "R", response_status(code, bool(errors)), code, [("IV", "INV-1")], found,
                          errors, source=source)


def test_each_invoice_response_code_moves_the_invoice_as_the_peppol_bis_says() -> None:
    codes = ("AB", "IP", "UQ", "CA", "AP", "PD", "RE")
    moves = {code: read_response(_response(code)).target for code in codes}
    assert moves == {"AB": InvoiceState.acknowledged, "IP": InvoiceState.acknowledged,
                     "UQ": InvoiceState.acknowledged, "CA": InvoiceState.acknowledged,
                     "AP": InvoiceState.acknowledged, "PD": InvoiceState.acknowledged,
                     "RE": InvoiceState.rejected}
    assert read_response(_response("PD")).buyer_reports_paid
    assert read_response(_response("", errors=2, source="APERAK")).target is InvoiceState.rejected
    assert read_response(_response("", source="APERAK")).target is InvoiceState.acknowledged


def test_a_contrl_receipt_moves_nothing_and_a_rejection_rejects() -> None:
    receipt = InterchangeAck("H1", "HUB", "B", AckStatus.received, "8", "1")
    refused = InterchangeAck("H1", "HUB", "B", AckStatus.rejected, "4", "1")
    assert read_response(receipt).target is None
    assert read_response(refused).target is InvoiceState.rejected
