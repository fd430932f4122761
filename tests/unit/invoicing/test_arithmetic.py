"""Invoice figures per EN 16931: rounded where the standard says, totals that add up exactly."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from hub.domain.errors import ValidationError
from hub.invoicing.arithmetic import Adjustment, Exemption, LineInput, compute


def test_a_line_is_quantity_times_price_per_base_quantity_less_allowances_plus_charges():
    line = LineInput(D(3), D("10.333"), "S", D(21), D(2),
                     [Adjustment(False, percent=D(10), reason="Discount"),
                      Adjustment(True, amount=D("0.40"), reason="Packing")])
    figures = compute([line])
    # 3 x 10.333 / 2 = 15.4995 -> 15.50; 10 % of 15.50 = 1.55; + 0.40
    assert figures.line_amounts == [D("14.35")]
    discount, packing = figures.line_adjustments[0]
    assert (discount.amount, discount.base_amount, discount.percent) == (D("1.55"), D("15.50"), D(10))
    assert packing.amount == D("0.40") and packing.base_amount is None


def test_lines_of_one_rate_share_one_subtotal_and_the_tax_is_rounded_once_per_subtotal():
    # three lines at 0.335 each: rounding each line's tax would give 3 x 0.07 = 0.21, per subtotal 0.21 too,
    # but 19 % of 1.05 (not of each line) is what BR-S-09 asks: 0.1995 -> 0.20
    lines = [LineInput(D(1), D("0.35"), "S", D("19.0")) for _ in range(3)]
    figures = compute(lines)
    (subtotal,) = figures.subtotals
    assert (subtotal.rate, subtotal.taxable_amount, subtotal.tax_amount) == (D(19), D("1.05"), D("0.20"))


def test_document_allowances_and_charges_go_into_their_own_category_and_the_totals_add_up():
    lines = [LineInput(D(2), D("50.00"), "S", D(21)), LineInput(D(1), D("40.00"), "Z", D(0)),
             LineInput(D(4), D("12.50"), "S", D(6))]
    adjustments = [Adjustment(False, percent=D(5), reason="Loyalty", category="S", rate=D(21)),
                   Adjustment(True, amount=D("12.00"), reason="Freight", category="S", rate=D(6))]
    t = compute(lines, adjustments, prepaid=D("10")).totals
    subtotals = {(s.category, s.rate): (s.taxable_amount, s.tax_amount)
                 for s in compute(lines, adjustments).subtotals}
    assert subtotals == {("S", D(21)): (D("95.00"), D("19.95")), ("Z", D(0)): (D("40.00"), D("0.00")),
                         ("S", D(6)): (D("62.00"), D("3.72"))}
    assert (t.line_total, t.allowance_total, t.charge_total) == (D("190.00"), D("5.00"), D("12.00"))
    assert (t.tax_exclusive, t.tax_total, t.tax_inclusive) == (D("197.00"), D("23.67"), D("220.67"))
    assert (t.prepaid, t.payable) == (D("10.00"), D("210.67"))


def test_exempt_categories_carry_their_reason_and_a_given_reason_wins():
    figures = compute([LineInput(D(1), D(10), "AE", None), LineInput(D(1), D(10), "E", D(0))],
                      exemptions={"E": Exemption("VATEX-EU-132", "Medical care")})
    reasons = {s.category: (s.rate, s.exemption_reason_code, s.exemption_reason) for s in figures.subtotals}
    assert reasons == {"AE": (D(0), "VATEX-EU-AE", "Reverse charge"),
                       "E": (D(0), "VATEX-EU-132", "Medical care")}


def test_not_subject_to_vat_has_no_rate():
    (subtotal,) = compute([LineInput(D(1), D(10), "O", None)]).subtotals
    assert subtotal.rate is None and subtotal.tax_amount == D("0.00")
    assert subtotal.exemption_reason_code == "VATEX-EU-O"


@pytest.mark.parametrize(("line", "adjustment", "element"), [
    (LineInput(D(1), D(-1), "S", D(21)), None, "lines[0].price"),
    (LineInput(D(1), D(1), "S", None), None, "lines[0].tax_rate"),
    (LineInput(D(1), D(1), "Z", D(5)), None, "lines[0].tax_rate"),
    (LineInput(D(1), D(1), "X", D(5)), None, "lines[0].tax_category"),
    (LineInput(D(1), D(1), "S", D(21), D(0)), None, "lines[0].base_quantity"),
    (LineInput(D(1), D(1), "S", D(21)), Adjustment(False, amount=D(1), category="S", rate=D(21)),
     "allowances_charges[0].reason"),
    (LineInput(D(1), D(1), "S", D(21)), Adjustment(True, reason="x", category="S", rate=D(21)),
     "allowances_charges[0].amount"),
    (LineInput(D(1), D(1), "O", None), Adjustment(True, amount=D(1), reason="x", category="S", rate=D(21)),
     "lines"),
])
def test_inconsistent_input_is_refused_naming_the_field(line, adjustment, element):
    with pytest.raises(ValidationError) as caught:
        compute([line], [adjustment] if adjustment else [])
    assert element in [p.element for p in caught.value.problems]
