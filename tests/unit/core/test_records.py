"""A document flattened for storage: row values as text, the business rules' facts, named limits."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from hub.domain import codec
from hub.domain.documents import (
    Identifier,
    IdScheme,
    Item,
    Line,
    Party,
    PartyRole,
    Price,
    PurchaseOrder,
    Quantity,
    Totals,
)
from hub.domain.errors import MappingError
from hub.domain.records import DocumentRecord, record_of


def order(**line_changes: str) -> PurchaseOrder:
    line = Line("1", Item(gtin="5412345000013", buyer_number="B-1", description="Widget"),
                quantities=[Quantity(Decimal("2.50"), "KGM")], prices=[Price(Decimal("1.75"))],
                line_amount=Decimal("4.38"))
    for name, value in line_changes.items():
        target = line if name == "number" else line.item
        setattr(target, name, value)
    return PurchaseOrder("PO-1", issued=date(2025, 3, 22), currency="EUR", lines=[line],
                         parties=[Party(PartyRole.buyer, [Identifier("5412345000020", IdScheme.gln)])],
                         totals=Totals(line_total=Decimal("4.38")))


def test_rows_hold_numbers_as_text_and_the_facts_the_rules_read() -> None:
    record = record_of(3, "M3", "ORDERS:D:96A:UN", order())
    assert (record.position, record.doc_type, record.number, record.issued, record.total) == (
        3, "purchase_order", "PO-1", "2025-03-22", "4.38")
    assert record.lines == [("1", "5412345000013", "B-1", None, None, "Widget", "2.50", "KGM",
                             "1.75", "4.38")]
    assert record.buyer_items == [("1", "B-1")]
    assert record.glns == [("buyer", "5412345000020")]
    assert json.loads(record.canonical) == codec.to_dict(order())


def test_a_record_travels_as_values_and_decodes_its_document() -> None:
    record = record_of(1, "M1", None, order(), keep_document=False)
    rebuilt = DocumentRecord(*record.values())
    assert rebuilt.doc is None and rebuilt.document() == order()


@pytest.mark.parametrize(("change", "element"), [
    ({"number": "L" * 21}, "line LLLLLLLLLLLLLLLLLLLL: number"),
    ({"buyer_number": "B" * 61}, "line 1: buyer item"),
    ({"gtin": "1" * 21}, "line 1: gtin"),
])
def test_a_value_too_long_for_its_column_is_named(change: dict[str, str], element: str) -> None:
    with pytest.raises(MappingError) as exc:
        record_of(1, "M1", None, order(**change))
    (problem,) = exc.value.problems
    assert (problem.code, problem.element, problem.message_ref) == ("TOO_LONG", element, "M1")
