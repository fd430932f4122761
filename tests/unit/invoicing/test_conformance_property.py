"""Generated invoices and credit notes (quantities with base quantities, line and document allowances and
charges, every tax category, several rates and currencies) are valid for the official validator with the
Peppol rules, and their INVOIC passes the hub's own structure validation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.domain.documents import Reference
from hub.exchanges.outbound import validate_outbound
from hub.invoicing.arithmetic import Adjustment, LineInput
from hub.invoicing.domain import InvoiceSpec, LineSpec, build
from hub.rendering import Identity, render
from mappings.edifact.profile import PartnerProfile
from tests.support.conformance import oracle_fatal, oracle_module
from tests.support.invoicing import BUYER, DELIVERY, SELLER, TRANSFER

TAXES = [("S", Decimal(21)), ("S", Decimal(6)), ("S", Decimal("5.5")), ("Z", Decimal(0)),
         ("E", Decimal(0)), ("AE", Decimal(0)), ("K", Decimal(0)), ("G", Decimal(0))]
IDENTITY = Identity("5790000435975", "14", "5790000435968", "14")


def amounts(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False)


@st.composite
def adjustment(draw: Any, taxes: list[tuple[str, Decimal | None]] | None) -> Adjustment:
    category, rate = draw(st.sampled_from(taxes)) if taxes else (None, None)
    is_charge = draw(st.booleans())
    reason = "Freight" if is_charge else "Discount"
    if draw(st.booleans()):
        return Adjustment(is_charge, amount=draw(amounts("0.01", "5", 2)), reason=reason,
                          category=category, rate=rate)
    return Adjustment(is_charge, percent=draw(amounts("0.5", "10", 1)), reason=reason, category=category,
                      rate=rate)


@st.composite
def invoices(draw: Any) -> InvoiceSpec:
    taxes: list[tuple[str, Decimal | None]] = (
        [("O", None)] if draw(st.integers(0, 7)) == 0 else draw(st.lists(st.sampled_from(TAXES), min_size=1,
                                                                         max_size=3, unique=True)))
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        category, rate = draw(st.sampled_from(taxes))
        figures = LineInput(draw(amounts("0.5", "500", 3)), draw(amounts("0", "999", 4)), category, rate,
                            draw(st.sampled_from([Decimal(1), Decimal(1), Decimal(10), Decimal("2.5")])),
                            draw(st.lists(adjustment(None), max_size=2)))
        lines.append(LineSpec(figures, draw(st.sampled_from(["Widget", "Bolt", "Açúcar refinado"])),
                              unit=draw(st.sampled_from(["C62", "KGM", "LTR"]))))
    currency = draw(st.sampled_from(["EUR", "BRL", "USD", "SEK"]))
    spec = InvoiceSpec(seller=SELLER, buyer=BUYER, currency=currency,
                       issued=date(2026, 5, 4), due_date=date(2026, 6, 3), lines=lines,
                       adjustments=draw(st.lists(adjustment(taxes), max_size=3)), order_number="PO-77",
                       delivery_date=date(2026, 5, 2), delivery=DELIVERY, payment=[TRANSFER])
    if draw(st.booleans()):
        billed = Reference("previous_invoice", "INV-2026-000001", issued=date(2026, 5, 1))
        spec = replace(spec, credit_of=billed, due_date=None)
    return spec


@pytest.fixture(scope="module")
def oracle() -> Any:
    return oracle_module().Validator(peppol=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(spec=invoices())
def test_generated_invoices_pass_the_official_validator_and_the_invoic_structure(spec, oracle, tmp_path):
    doc = build(spec, "INV-2026-000042")
    t = doc.totals
    assert t.payable == t.tax_inclusive == t.tax_exclusive + t.tax_total  # type: ignore[operator]
    ubl = render(doc, "ubl", profile=PartnerProfile(), identity=IDENTITY, control_ref="H1", check=False)
    assert oracle_fatal(oracle, ubl.data, tmp_path, "invoice.xml") == []
    edi = render(doc, "edifact", profile=PartnerProfile(), identity=IDENTITY, control_ref="H1")
    assert validate_outbound(edi.data, "edifact").fatal == []
