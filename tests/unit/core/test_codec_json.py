"""codec.to_json writes exactly what json.dumps(codec.to_dict(doc), compact) writes, for any document."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum, StrEnum
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.edifact_parse import generate
from hub.domain import codec
from hub.domain.documents import (
    Address,
    AllowanceCharge,
    Contact,
    Document,
    Identifier,
    IdScheme,
    Invoice,
    Item,
    Line,
    Party,
    PartyRole,
    PaymentTerms,
    Price,
    PurchaseOrder,
    Quantity,
    Reference,
    RemittanceAdvice,
    RemittanceLine,
    TaxSubtotal,
    Totals,
)
from mappings.edifact import registry
from mappings.edifact.envelope import open_interchange
from mappings.edifact.profile import GENERIC
from tests.unit.edifact._profiles import FIXTURES, profile_for
from tests.unit.edifact._util import parse_file

GOLDEN = sorted(FIXTURES.glob("*.expected.json")) + sorted((FIXTURES.parent / "ubl").glob("*.expected.json"))


def reference_json(doc: Document) -> str:
    """How documents are stored: the standard library's compact text of to_dict."""
    return json.dumps(codec.to_dict(doc), ensure_ascii=False, separators=(",", ":"))


def assert_same_text(doc: Document) -> None:
    assert codec.to_json(doc) == reference_json(doc)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_documents(path: Path) -> None:
    assert_same_text(codec.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.edi")), ids=lambda p: p.name)
def test_mapped_fixtures(path: Path) -> None:
    for doc in parse_file(path, profile_for(path)):
        assert_same_text(doc)


def test_generated_orders() -> None:
    mapping = registry.lookup("ORDERS", "D96A", registry.INBOUND)
    for message in open_interchange(generate(20, 12)).messages():
        assert_same_text(mapping.parse(message, GENERIC, decimal_mark=".", warnings=[]))


def rich_order(text: str = 'Größe "XL" \\ naïve\t\n\x00\x1f\x7f\u2028 € 日本 🎉') -> PurchaseOrder:
    """Every kind of field, non-ASCII and control characters, odd Decimals, dates and zoned times."""
    party = Party(PartyRole.buyer, ids=[Identifier("5412345000013", IdScheme.gln, "9")], name=text,
                  address=Address(street=[text, "2"], city="Zürich", country="CH"),
                  tax_ids=[Identifier("CHE-1", IdScheme.vat)], contact=Contact(text, "+41", "a@b.ch"),
                  endpoint=Identifier("x"), raw_role="BY", legal_name=text, legal_id=Identifier("L"))
    line = Line("1", Item(gtin="1", description=text, other_ids=[Identifier("o")]),
                quantities=[Quantity(Decimal("-0.000"), "KGM", "ordered"), Quantity(Decimal("1E+3"))],
                prices=[Price(Decimal("12.50"), Decimal("1E-7"), "C62")], line_amount=Decimal("NaN"),
                tax_category="S", tax_rate=Decimal("19"),
                allowances_charges=[AllowanceCharge(True, Decimal("-1"), text, percent=Decimal("2.5"))],
                delivery_date=datetime(2025, 3, 22, 8, 30, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
                references=[Reference("order", "PO-1", date(2025, 1, 2), "3", "ON")], status="changed",
                notes=[text, ""])
    return PurchaseOrder("PO-1", datetime(2025, 3, 22, 12, 0, 1, 5, tzinfo=UTC), "EUR", [party],
                         [Reference("contract", text)], [line], [text], "replace", "220",
                         {"customization_id": text}, date(2025, 4, 1), Totals(payable=Decimal("100.00")))


def test_rich_documents() -> None:
    assert_same_text(rich_order())
    assert_same_text(Invoice("I", is_credit_note=True, due_date=date(2025, 1, 1),
                             tax_subtotals=[TaxSubtotal("S", None, Decimal(0), Decimal(0))],
                             payment_terms=[PaymentTerms("30 days", discount_days=10)]))
    assert_same_text(RemittanceAdvice("R", remittances=[RemittanceLine("I", Decimal("1.5"))]))
    assert_same_text(PurchaseOrder(""))


class Colour(Enum):
    red = 1


class Kind(StrEnum):
    order = "order"


@pytest.mark.parametrize("value", [
    1.5, 1e16, float("nan"), float("-inf"),  # floats: orjson would write some of them differently
    2**64, -(2**70),  # beyond orjson's integers
    "\ud800 lone surrogate", Kind.order, Colour.red, 7, True,
    ("a", "tuple"), date(2025, 1, 1),
], ids=repr)
def test_values_of_unexpected_types_are_written_as_the_standard_library_writes_them(value: object) -> None:
    doc = rich_order()
    doc.number = value  # type: ignore[assignment]
    doc.lines[0].notes.append(value)  # type: ignore[arg-type]
    doc.profile["odd"] = value  # type: ignore[assignment]
    try:
        expected = reference_json(doc)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            codec.to_json(doc)
    else:
        assert codec.to_json(doc) == expected


def test_a_list_field_holding_a_tuple_and_a_line_of_another_type() -> None:
    doc = rich_order()
    doc.notes = ("a", "b")  # type: ignore[assignment]
    doc.lines.append({"number": "raw"})  # type: ignore[arg-type]
    doc.parties[0].address = {"city": "x"}  # type: ignore[assignment]
    doc.issued = datetime(2025, 1, 1).date()
    assert_same_text(doc)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.decimals(allow_nan=False, allow_infinity=False), st.integers(-(2**70), 2**70))
def test_any_text_and_numbers(text: str, other: str, amount: Decimal, days: int) -> None:
    doc = rich_order(text)
    doc.number = other
    doc.lines[0].line_amount = amount
    doc.lines[0].item.buyer_number = other
    assert_same_text(doc)
    invoice = Invoice(text, payment_terms=[PaymentTerms(other, discount_days=days)])
    assert_same_text(invoice)
